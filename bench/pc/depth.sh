#!/usr/bin/env bash
# Depth sweeps of issue 3 (item 5), as in docs/predictive-coding/depth.md: the PC - BP gap of Fashion-MNIST MLPs with
# 2, 4 and 8 hidden layers (width 128, 2 epochs, cross-entropy, seed 1), with Adam (the accuracy table's optimiser) and
# with SGD (where the per-layer error scale a_k(T) shows). Usage: bench/pc/depth.sh [OUT_DIR] (default runs/pc-depth).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
: "${HELMHOLTZ:=dotnet $here/src/Helmholtz.Cli/bin/Release/net10.0/Helmholtz.Cli.dll}"
out=${1:-runs/pc-depth}
$HELMHOLTZ pc depth --depths 2,4,8 --epochs 2 --optimizer adam --lr 0.001 \
  --variants pc-fixed:20:0.1,pc-standard:20:0.1 --out "$out/adam"
$HELMHOLTZ pc depth --depths 2,4,8 --epochs 2 --optimizer sgd --lr 0.05 \
  --variants pc-fixed:20:0.1,pc-fixed:depth:1,pc-standard:20:0.1 --out "$out/sgd"
