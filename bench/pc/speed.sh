#!/usr/bin/env bash
# Speed ratios of issue 3 (item 3), measured back to back so that a loaded machine affects both sides alike:
#   MLP: pc-fixed (T = 20, eta_v = 0.1) epoch / BP epoch, and / the PyTorch baseline epoch (torch_mlp.py --algo pc-fixed);
#   CNN: pc-standard (T = 8) and pc-fixed (T = 8) seconds per batch / BP's (first CNN_BATCHES batches).
# Usage: bench/pc/speed.sh [ROUNDS]   (default 2). Environment: HELMHOLTZ (default: the Release build of the CLI),
#   TORCH (default 1: also run the PyTorch baseline through bench/torch_compare/baseline.py; 0 skips it),
#   CNN_BATCHES (default 60).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
: "${HELMHOLTZ:=dotnet $here/src/Helmholtz.Cli/bin/Release/net10.0/Helmholtz.Cli.dll}" "${TORCH:=1}" "${CNN_BATCHES:=60}"
rounds=${1:-2}
field() { /usr/bin/python3 -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])[sys.argv[1]])" "$1"; }
mlp="--loss mse --optimizer sgd --lr 0.02 --model mlp --dataset fashion-mnist --batch 64 --epochs 1 --json"
cnn="--loss mse --optimizer sgd --lr 0.02 --model cnn --hidden 120,84 --dataset fashion-mnist --batch 64 --epochs 1 --max-batches $CNN_BATCHES --json"
for ((r = 1; r <= rounds; r++)); do
  bp=$($HELMHOLTZ bench train --algo bp $mlp 2>/dev/null | field epoch_seconds)
  pc=$($HELMHOLTZ bench train --algo pc-fixed --T 20 --eta-v 0.1 $mlp 2>/dev/null | field epoch_seconds)
  line="round $r  MLP: pc-fixed $pc s / bp $bp s = $(/usr/bin/python3 -c "print(round($pc / $bp, 3))")"
  if [[ $TORCH == 1 ]]; then
    torch=$(/usr/bin/python3 "$here/bench/torch_compare/baseline.py" -- --algo pc-fixed --epochs 1 2>/dev/null | field epoch_seconds)
    line+="; / torch $torch s = $(/usr/bin/python3 -c "print(round($pc / $torch, 3))")"
  fi
  echo "$line"
  cbp=$($HELMHOLTZ bench train --algo bp $cnn 2>/dev/null | field seconds_per_batch)
  cstd=$($HELMHOLTZ bench train --algo pc-standard --T 8 --eta-v 0.1 $cnn 2>/dev/null | field seconds_per_batch)
  cfix=$($HELMHOLTZ bench train --algo pc-fixed --T 8 --eta-v 0.1 $cnn 2>/dev/null | field seconds_per_batch)
  echo "round $r  CNN (s/batch): pc-standard T=8 $cstd / bp $cbp = $(/usr/bin/python3 -c "print(round($cstd / $cbp, 2))"); pc-fixed T=8 $cfix = $(/usr/bin/python3 -c "print(round($cfix / $cbp, 2))")"
done
