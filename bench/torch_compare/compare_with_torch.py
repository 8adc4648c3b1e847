#!/usr/bin/python3
"""Shows that `helmholtz train` does the same work as the PyTorch baseline loop, to float32 rounding.

For each algorithm (bp, pc-fixed, pc-standard): write one random initial parameter file, train
shared/baselines/torch_mlp.py (--init, --no-shuffle, --save) and `helmholtz train` (--init, --shuffle false) on
Fashion-MNIST with the same hyper-parameters and number of batches, then compare the final parameters tensor by tensor.
Prints one JSON object per algorithm: the largest absolute and relative difference over all parameters.

Usage: /usr/bin/python3 bench/torch_compare/compare_with_torch.py [--batches 100] [--algos bp,pc-fixed,pc-standard]
Needs Debian's python3-torch, python3-numpy and dataset-fashion-mnist, and a Release build of the CLI.
"""
import argparse, json, os, subprocess, sys, tempfile
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASELINE = os.path.join(os.path.dirname(ROOT), "shared", "baselines", "torch_mlp.py")


def write_safetensors(path, tensors):
    """F32 safetensors writer (names sorted, header padded to 8 bytes)."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        f.writelines(blobs)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__" or name.startswith("optimizer."):
            continue
        lo, hi = meta["data_offsets"]
        out[name] = np.frombuffer(data[lo:hi], dtype="<f4").reshape(meta["shape"])
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batches", type=int, default=100)
    p.add_argument("--algos", default="bp,pc-fixed,pc-standard")
    p.add_argument("--lr", default="0.02")
    p.add_argument("--T", default="20")
    p.add_argument("--eta-v", default="0.1")
    p.add_argument("--baseline", default=BASELINE)
    a = p.parse_args()
    cli = os.path.join(ROOT, "src", "Helmholtz.Cli", "bin", "Release", "net10.0", "Helmholtz.Cli.dll")
    if not os.path.exists(cli):
        sys.exit(f"build the CLI first: dotnet build {ROOT}/src/Helmholtz.Cli -c Release")
    rng = np.random.default_rng(0)
    sizes = [784, 128, 128, 10]
    init = {}
    for i in range(3):
        init[f"layers.{i}.weight"] = (rng.standard_normal((sizes[i + 1], sizes[i])) / np.sqrt(sizes[i])).astype(np.float32)
        init[f"layers.{i}.bias"] = (0.1 * rng.standard_normal(sizes[i + 1])).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        init_path = os.path.join(tmp, "init.safetensors")
        write_safetensors(init_path, init)
        for algo in a.algos.split(","):
            torch_out = os.path.join(tmp, f"torch-{algo}.safetensors")
            subprocess.run([sys.executable, a.baseline, "--algo", algo, "--init", init_path, "--save", torch_out,
                            "--no-shuffle", "--limit-batches", str(a.batches), "--lr", a.lr, "--T", a.T,
                            "--eta-v", a.eta_v, "--epochs", "1"], check=True, stdout=subprocess.DEVNULL)
            run_dir = os.path.join(tmp, f"helmholtz-{algo}")
            subprocess.run(["dotnet", cli, "train", "--algo", algo, "--model", "mlp", "--hidden", "128,128",
                            "--activation", "tanh", "--loss", "mse", "--dataset", "fashion-mnist", "--epochs", "1",
                            "--batch", "64", "--lr", a.lr, "--optimizer", "sgd", "--T", a.T, "--eta-v", a.eta_v,
                            "--shuffle", "false", "--max-batches", str(a.batches), "--init", init_path,
                            "--out", run_dir, "--json"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ours = read_safetensors(os.path.join(run_dir, "checkpoint.safetensors"))
            theirs = read_safetensors(torch_out)
            max_abs = max(float(np.max(np.abs(ours[k] - theirs[k]))) for k in theirs)
            max_rel = max(float(np.max(np.abs(ours[k] - theirs[k])) / max(1e-30, float(np.max(np.abs(theirs[k])))))
                          for k in theirs)
            moved = max(float(np.max(np.abs(theirs[k] - init[k]))) for k in theirs)
            print(json.dumps({"algo": algo, "batches": a.batches, "max_abs_diff": max_abs,
                              "max_rel_diff": max_rel, "max_abs_change_from_init": moved}), flush=True)


if __name__ == "__main__":
    main()
