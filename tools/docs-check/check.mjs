// Crawls the documentation site in headless Chromium, starting at its index: every same-site page must load, every
// same-site link (pages, figures, source files) must resolve, and every image must render (naturalWidth > 0).
//   node tools/docs-check/check.mjs SITE_DIR CHROMIUM_PATH
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const [siteDir, chromium] = process.argv.slice(2);
if (!siteDir || !chromium) {
  console.error('usage: node check.mjs SITE_DIR CHROMIUM_PATH');
  process.exit(2);
}

const types = { '.html': 'text/html', '.json': 'application/json', '.js': 'text/javascript', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff' };
const root = path.resolve(siteDir);
const server = http.createServer((req, res) => {
  const file = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise(r => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
const failures = [];
let current = '';
page.on('response', r => { if (r.url().startsWith(origin) && r.status() >= 400) failures.push(`${current}: ${r.status()} ${r.url().slice(origin.length)}`); });
page.on('requestfailed', r => { if (r.url().startsWith(origin)) failures.push(`${current}: failed ${r.url().slice(origin.length)}`); });

const strip = u => { const x = new URL(u); x.hash = ''; x.search = ''; return x.href; };
const queue = [`${origin}/index.html`];
const seenPages = new Set(queue);
const checkedLinks = new Set();
let images = 0;
while (queue.length > 0) {
  const url = queue.shift();
  current = url.slice(origin.length);
  const response = await page.goto(url, { waitUntil: 'networkidle0', timeout: 60000 });
  if (!response || response.status() >= 400) {
    failures.push(`${current}: page did not load (${response?.status()})`);
    continue;
  }
  const found = await page.evaluate(() => ({
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    images: [...document.images].map(i => ({ src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0 })),
  }));
  for (const img of found.images) {
    images++;
    if (!img.ok) failures.push(`${current}: image does not render: ${img.src}`);
  }
  for (const link of found.links) {
    if (!link.startsWith(origin)) continue; // external links are not checked (no internet here)
    const target = strip(link);
    if (target.endsWith('.html') || target.endsWith('/')) {
      if (!seenPages.has(target)) { seenPages.add(target); queue.push(target); }
    } else if (!checkedLinks.has(target)) {
      checkedLinks.add(target);
      const status = await new Promise(r => http.get(target, res => { res.resume(); r(res.statusCode); }).on('error', () => r(0)));
      if (status !== 200) failures.push(`${current}: broken link ${target.slice(origin.length)} (${status})`);
    }
  }
}

await browser.close();
server.close();
for (const f of failures) console.log(`FAIL ${f}`);
console.log(`pages ${seenPages.size}, links to files ${checkedLinks.size}, images ${images}, failures ${failures.length}`);
process.exit(failures.length === 0 ? 0 : 1);
