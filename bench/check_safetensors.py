#!/usr/bin/python3
"""Interoperability check for Helmholtz's safetensors files, with numpy only (Debian has no python3-safetensors).

  /usr/bin/python3 bench/check_safetensors.py read FILE [--expect-arange]
      Parses FILE by the format's definition (u64 LE header length, JSON header, little-endian buffer), checks the
      layout rules the reference writer follows (header padded with spaces to a multiple of 8, names sorted, tensors
      tiling the buffer) and prints one JSON line per tensor. With --expect-arange every tensor must equal
      (arange(n) * 0.5 - 1).reshape(shape) in float32, exactly (what `write` and the C# check write).
  /usr/bin/python3 bench/check_safetensors.py write FILE
      Writes F32, F64, F16 and BF16 tensors holding that pattern, plus metadata, for Helmholtz to read back.
"""
import json, sys
import numpy as np

def pattern(shape):
    n = int(np.prod(shape)) if len(shape) else 1
    return (np.arange(n, dtype=np.float32) * np.float32(0.5) - np.float32(1)).reshape(shape)

def read(path, expect_arange):
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    assert 8 + n <= len(raw), f"header length {n} exceeds the file"
    header_bytes = raw[8:8 + n]
    assert n % 8 == 0, f"header length {n} is not a multiple of 8"
    assert header_bytes.rstrip(b" ") == header_bytes.rstrip(), "padding is not spaces"
    header = json.loads(header_bytes.decode("utf-8"))
    buf = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    names = list(header)
    assert names == sorted(names, key=lambda s: s.encode()), f"names not sorted: {names}"
    pos = 0
    for name in sorted(names, key=lambda k: tuple(header[k]["data_offsets"])):
        e = header[name]
        lo, hi = e["data_offsets"]
        assert lo == pos, f"{name}: gap or overlap at {lo} (expected {pos})"
        pos = hi
    assert pos == len(buf), f"tensors cover {pos} of {len(buf)} buffer bytes"
    for name in names:
        e = header[name]
        assert e["dtype"] == "F32", f"{name}: dtype {e['dtype']}"
        lo, hi = e["data_offsets"]
        t = np.frombuffer(buf[lo:hi], dtype="<f4").reshape(e["shape"])
        if expect_arange:
            assert np.array_equal(t, pattern(e["shape"])), f"{name}: values differ from the arange pattern"
        print(json.dumps({"name": name, "shape": e["shape"], "sum": float(t.astype(np.float64).sum()),
                          "first": float(t.flat[0]) if t.size else None}))
    print(json.dumps({"file": path, "tensors": len(names), "metadata": meta, "ok": True}))

def write(path):
    tensors = {
        "a.f32": ("F32", pattern([3, 4]).astype("<f4")),
        "b.f64": ("F64", pattern([2, 2]).astype("<f8")),
        "c.f16": ("F16", pattern([5]).astype("<f2")),
        # bfloat16 = the upper 16 bits of the float32 pattern (exact: the values need few mantissa bits).
        "d.bf16": ("BF16", (pattern([2, 3]).astype("<f4").view("<u4") >> 16).astype("<u2")),
    }
    header, blobs, off = {"__metadata__": {"writer": "numpy " + np.__version__}}, [], 0
    for name in sorted(tensors):
        dtype, arr = tensors[name]
        b = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little")); f.write(h); f.writelines(blobs)
    print(json.dumps({"file": path, "written": sorted(tensors)}))

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("read", "write"):
        sys.exit(__doc__)
    if sys.argv[1] == "read":
        read(sys.argv[2], "--expect-arange" in sys.argv[3:])
    else:
        write(sys.argv[2])
