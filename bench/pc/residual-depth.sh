#!/usr/bin/env bash
# Residual-MLP depth study of issue 12 (docs/predictive-coding/residual-depth.md). Usage:
#   bench/pc/residual-depth.sh reduced [OUT_DIR]   what the docs page shows: 1 epoch of 100 batches, widths/depths cut
#   bench/pc/residual-depth.sh full [OUT_DIR]      the issue's study: full epochs, 3 seeds, L = 8..256, transfer grid
# Hyper-parameters were tuned at width 64 / depth 8 (the transfer sweep below) and used unchanged at every depth:
# sp: Adam lr 0.001; mupc: Adam lr 0.3 for PC (the best rate at 64/8; 0.1 in the first study) and 0.01 for BP (retuned for
# depth); eta_v = 0.1; T = H (one step per layer) or T = 32; MSE on one-hot targets, ReLU, batch 64.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
: "${HELMHOLTZ:=dotnet $here/src/Helmholtz.Cli/bin/Release/net10.0/Helmholtz.Cli.dll}"
mode=${1:-reduced}; out=${2:-runs/residual-depth}
common=(--loss mse --optimizer adam --activation relu --dataset fashion-mnist)
if [ "$mode" = reduced ]; then
  eps=(--epochs 1 --max-batches 100); seeds=1,2,3; depths=8,32,128; ts=(8 32 128)
else
  eps=(--epochs 3 --max-batches 0); seeds=1,2,3; depths=8,32,128,256; ts=(8 16 32 64 128 256)
fi
# 1. Accuracy by depth, parametrisation and method (BP and standard PC, same optimiser, epochs and seeds).
$HELMHOLTZ pc depth --residual --depths $depths --width 128 --params sp:0.001,mupc:0.1 --variants pc-standard:depth:0.1 \
  "${common[@]}" "${eps[@]}" --seeds $seeds --out "$out/accuracy"
# 1b. BP with its learning rate retuned for depth (BP only: no PC variants).
for lr in 0.01 0.03; do
  $HELMHOLTZ pc depth --residual --depths $depths --width 128 --params mupc:$lr --variants "" \
    "${common[@]}" "${eps[@]}" --seeds $seeds --out "$out/bp-lr$lr"
done
# 2. Learning-rate transfer: the same sweep at every (width, depth); the best lr at the first cell should stay best.
#    transfer.csv, transfer-summary.csv and the loss-against-lr figures (T = 32 for every depth).
if [ "$mode" = reduced ]; then widths=64,128; tdepths=8,32; else widths=64,128,512; tdepths=8,32,128; fi
$HELMHOLTZ pc transfer --widths $widths --depths $tdepths --lrs 0.001,0.003,0.01,0.03,0.1,0.3 --params mupc,sp \
  --variant pc-standard:32:0.1 "${eps[@]}" --out "$out/transfer"
# 2b. The depth comparison at the transferred PC rate (0.3), T = 32, against BP at its depth-retuned rate (1b).
$HELMHOLTZ pc depth --residual --depths 128,256 --width 128 --params mupc:0.3 --variants pc-standard:32:0.1 \
  "${common[@]}" "${eps[@]}" --seeds $seeds --out "$out/pc-lr0.3"
# 3. Inference budget at 128 layers: accuracy against T (mupc).
for t in "${ts[@]}"; do
  $HELMHOLTZ pc depth --residual --depths 128 --width 128 --params mupc:0.1 --variants pc-standard:$t:0.1 \
    "${common[@]}" "${eps[@]}" --seeds 1 --out "$out/steps/T$t"
done
# 4. Speed at 128 layers: PC epoch / BP epoch on the same machine (one thread, 20 batches), T = 8, 32, 128.
for a in "bp" "pc-standard --T 8" "pc-standard --T 32" "pc-standard --T 128"; do
  $HELMHOLTZ bench train --model residual-mlp --depth 128 --width 128 --param mupc --activation relu --loss mse --lr 0.1 --eta-v 0.1 \
    --dataset fashion-mnist --max-batches 20 --threads 1 --algo $a --json | tail -n 1
done
