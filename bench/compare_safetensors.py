#!/usr/bin/python3
"""Compare two safetensors files tensor by tensor: max absolute and relative difference.

Usage: compare_safetensors.py A.safetensors B.safetensors [--tol-rel 1e-4] [--json]
Exit code 0 when every shared tensor agrees within --tol-rel (max |a-b| / max(max |b|, 1e-12)), 1 otherwise,
2 when the files hold different names or shapes. Only F32 tensors are read. Needs numpy only.
"""
import argparse, json, struct, sys
import numpy as np


def load(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        if meta["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} has dtype {meta['dtype']}; only F32 is compared")
        lo, hi = meta["data_offsets"]
        out[name] = np.frombuffer(body[lo:hi], dtype="<f4").reshape(meta["shape"])
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--tol-rel", type=float, default=1e-4)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    a, b = load(args.a), load(args.b)
    if set(a) != set(b):
        print(f"different tensor names: only in {args.a}: {sorted(set(a) - set(b))}; only in {args.b}: {sorted(set(b) - set(a))}", file=sys.stderr)
        return 2
    rows, worst_abs, worst_rel = [], 0.0, 0.0
    for name in sorted(a):
        if a[name].shape != b[name].shape:
            print(f"{name}: shapes {a[name].shape} and {b[name].shape} differ", file=sys.stderr)
            return 2
        d = np.abs(a[name].astype(np.float64) - b[name].astype(np.float64))
        scale = max(float(np.abs(b[name]).max(initial=0.0)), 1e-12)
        mabs, mrel = float(d.max(initial=0.0)), float(d.max(initial=0.0)) / scale
        worst_abs, worst_rel = max(worst_abs, mabs), max(worst_rel, mrel)
        rows.append({"name": name, "max_abs_diff": mabs, "max_rel_diff": mrel})
    ok = worst_rel <= args.tol_rel
    if args.json:
        print(json.dumps({"tensors": rows, "max_abs_diff": worst_abs, "max_rel_diff": worst_rel, "tol_rel": args.tol_rel, "ok": ok}))
    else:
        for r in rows:
            print(f"{r['name']:<24} max|a-b| {r['max_abs_diff']:.3e}   rel {r['max_rel_diff']:.3e}")
        print(f"overall max|a-b| {worst_abs:.3e}  rel {worst_rel:.3e}  -> {'SAME to float32 rounding' if ok else 'DIFFERENT'} (tol {args.tol_rel:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
