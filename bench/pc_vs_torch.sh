#!/usr/bin/env bash
# Shows that `helmholtz train --algo pc-fixed|pc-standard` ends with the same parameters as the PyTorch loops of
# shared/baselines/torch_mlp.py, from the same initial parameters, data order (--no-shuffle) and hyper-parameters.
#
# Usage: bench/pc_vs_torch.sh INIT.safetensors [ALGO ...]   (default algos: pc-fixed pc-standard)
# Environment: BATCHES (default 50), T (20), ETA_V (0.1), LR (0.02), BATCH (64), OUT (default /tmp/pc_vs_torch),
#   TORCH_MLP (path of torch_mlp.py; default ../shared/baselines/torch_mlp.py next to the repository),
#   HELMHOLTZ (the command that runs the CLI; default "dotnet run --project src/Helmholtz.Cli -c Release --").
# The helmholtz train flags below follow issue 3 (--algo --T --eta-v); the lead adjusts them to the final CLI.
set -euo pipefail
init=${1:?usage: $0 INIT.safetensors [ALGO ...]}; shift || true
algos=("${@:-pc-fixed pc-standard}"); algos=(${algos[@]})
here=$(cd "$(dirname "$0")/.." && pwd)
: "${BATCHES:=50}" "${T:=20}" "${ETA_V:=0.1}" "${LR:=0.02}" "${BATCH:=64}" "${OUT:=/tmp/pc_vs_torch}"
: "${TORCH_MLP:=$here/../shared/baselines/torch_mlp.py}"
: "${HELMHOLTZ:=dotnet run --project $here/src/Helmholtz.Cli -c Release --}"
mkdir -p "$OUT"
status=0
for algo in "${algos[@]}"; do
  echo "== $algo: $BATCHES batches of $BATCH, T=$T, eta_v=$ETA_V, lr=$LR"
  /usr/bin/python3 "$TORCH_MLP" --algo "$algo" --epochs 1 --batch "$BATCH" --T "$T" --eta-v "$ETA_V" --lr "$LR" \
    --limit-batches "$BATCHES" --no-shuffle --init "$init" --save "$OUT/torch-$algo.safetensors" >/dev/null
  $HELMHOLTZ train --model mlp --algo "$algo" --epochs 1 --batch "$BATCH" --T "$T" --eta-v "$ETA_V" --lr "$LR" \
    --limit-batches "$BATCHES" --no-shuffle --init "$init" --save "$OUT/helmholtz-$algo.safetensors" >/dev/null
  /usr/bin/python3 "$here/bench/compare_safetensors.py" "$OUT/helmholtz-$algo.safetensors" "$OUT/torch-$algo.safetensors" || status=1
done
exit $status
