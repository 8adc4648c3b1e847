#!/usr/bin/python3
"""Runs shared/baselines/torch_mlp.py with OpenBLAS's best kernel for this CPU.

Debian 12's OpenBLAS 0.3.21 does not recognise the newest Xeons (e.g. Emerald Rapids, family 6 model 207) and falls
back to its Prescott (SSE3) kernel, which makes the PyTorch baseline 20-30x slower than it should be. The baseline
script drops OPENBLAS_CORETYPE before loading torch (to undo older pins), so this wrapper sets the core type and loads
numpy and torch first (OpenBLAS reads it once, when the library loads), then runs the baseline unchanged.

Usage: /usr/bin/python3 bench/torch_compare/baseline.py [--coretype SkylakeX] -- <torch_mlp.py arguments>
"""
import os, runpy, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def find_baseline():
    """shared/baselines/torch_mlp.py in the first folder above the repository that has it (or $TORCH_MLP)."""
    if os.environ.get("TORCH_MLP"):
        return os.environ["TORCH_MLP"]
    d = HERE
    while d != os.path.dirname(d):
        candidate = os.path.join(d, "shared", "baselines", "torch_mlp.py")
        if os.path.exists(candidate):
            return candidate
        d = os.path.dirname(d)
    sys.exit("shared/baselines/torch_mlp.py not found above this repository; set TORCH_MLP")


BASELINE = find_baseline()

args = sys.argv[1:]
coretype = "SkylakeX"
if args[:1] == ["--coretype"]:
    coretype, args = args[1], args[2:]
if args[:1] == ["--"]:
    args = args[1:]
if coretype.lower() != "auto":
    os.environ["OPENBLAS_CORETYPE"] = coretype
import numpy  # noqa: E402,F401  (loads OpenBLAS with the core type above)
import torch  # noqa: E402,F401

sys.argv = [BASELINE] + args
runpy.run_path(BASELINE, run_name="__main__")
