#!/usr/bin/python3
"""Epoch time of `helmholtz bench train` against the PyTorch baseline loop doing the same work, side by side.

Alternates the two (Helmholtz, PyTorch, Helmholtz, …) --repeats times, so that both see the same machine state, and
prints one JSON object: each side's median epoch_seconds (training only, as each reports it) and their ratio.

Usage: /usr/bin/python3 bench/torch_compare/epoch_ratio.py --algo bp|pc-fixed|pc-standard [--repeats 3] [--threads 2]
Needs a Release build of the CLI, Debian's python3-torch and dataset-fashion-mnist.
"""
import argparse, json, os, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLI = os.path.join(ROOT, "src", "Helmholtz.Cli", "bin", "Release", "net10.0", "Helmholtz.Cli.dll")


def last_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--algo", default="bp")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--T", default="20")
    p.add_argument("--eta-v", default="0.1")
    p.add_argument("--coretype", default="SkylakeX", help="OpenBLAS core type for the baseline ('auto' to let it detect)")
    a = p.parse_args()
    ours, theirs = [], []
    for _ in range(a.repeats):
        ours.append(last_json(["dotnet", CLI, "bench", "train", "--algo", a.algo, "--model", "mlp", "--dataset", "fashion-mnist",
                               "--batch", "64", "--epochs", "1", "--lr", "0.02", "--optimizer", "sgd", "--loss", "mse", "--activation", "tanh",
                               "--hidden", "128,128", "--T", a.T, "--eta-v", a.eta_v, "--threads", str(a.threads), "--json"]))
        theirs.append(last_json([sys.executable, os.path.join(HERE, "baseline.py"), "--coretype", a.coretype, "--",
                                 "--algo", a.algo, "--epochs", "1", "--threads", str(a.threads), "--T", a.T, "--eta-v", a.eta_v]))
    h = statistics.median(r["epoch_seconds"] for r in ours)
    t = statistics.median(r["epoch_seconds"] for r in theirs)
    print(json.dumps({"algo": a.algo, "repeats": a.repeats, "helmholtz_epoch_seconds": h, "torch_epoch_seconds": t,
                      "ratio": h / t, "helmholtz_test_accuracy": ours[-1]["test_accuracy"],
                      "torch_test_accuracy": theirs[-1]["test_accuracy"], "blas": theirs[-1]["blas"],
                      "gemm_kernel": ours[-1]["gemm_kernel"]}))


if __name__ == "__main__":
    main()
