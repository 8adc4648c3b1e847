#!/usr/bin/env bash
# Fashion-MNIST accuracy table of issue 3 (item 2): BP and every PC schedule on the MLP 784-128-128-10 (tanh) and
# BP / pc-fixed on the CNN, all with the same hyper-parameters: cross-entropy, Adam lr 1e-3, batch 64, seed 1,
# 10 epochs, PC with T = 20 and eta_v = 0.1 (plus the tuned pc-standard and activation-relaxation rows). Prints a markdown table (test accuracy after the last epoch, gap to BP).
#
# Usage: bench/pc/accuracy_table.sh [OUT_DIR]     (default /tmp/pc_accuracy; one run folder per row)
# The CNN rows: pc-fixed with T = 8, eta_v = 1 (8 sweeps reach every node of the LeNet graph, so its updates equal backprop's to
# ~1e-6, `pc agreement --model cnn --iterations 8 --eta-v 1`); T = 20, eta_v = 0.1 costs 2.5x more (about 20 min per epoch on a
# loaded 2-core machine). Set EPOCHS_CNN (default 2) to train the CNNs longer; the CNN BP row is compared at the same epoch.
# Environment: HELMHOLTZ (the command that runs the CLI; default: the Release build of src/Helmholtz.Cli),
#   EPOCHS (10), COMMON (extra options for every run), ONLY (space-separated row names to run, default all).
# Why cross-entropy + Adam: with mse and SGD lr 0.02 (the CLI defaults) BP reaches only 82.6 % in 10 epochs, with SGD
# momentum 0.9 86.2 %, with mse + Adam 1e-3 87.9 %; cross-entropy + Adam 1e-3 gives 88.4 % (the foundation asks ≥ 88 %).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/pc_accuracy}
: "${HELMHOLTZ:=dotnet $here/src/Helmholtz.Cli/bin/Release/net10.0/Helmholtz.Cli.dll}"
: "${EPOCHS:=10}" "${COMMON:=}" "${ONLY:=}"
mkdir -p "$out"
common="--dataset fashion-mnist --batch 64 --loss cross-entropy --optimizer adam --lr 0.001 --seed 1 $COMMON"
pc="--T 20 --eta-v 0.1"
rows=(
  "mlp-bp|--model mlp --algo bp"
  "mlp-pc-fixed|--model mlp --algo pc-fixed $pc"
  "mlp-pc-standard|--model mlp --algo pc-standard $pc"
  "mlp-pc-standard-eta0.05|--model mlp --algo pc-standard --T 40 --eta-v 0.05"
  "mlp-pc-standard-ov30|--model mlp --algo pc-standard --T 40 --eta-v 0.05 --output-variance 30"
  "mlp-relaxed-backward-weights|--model mlp --algo relaxed --relax backward-weights $pc"
  "mlp-relaxed-no-derivative|--model mlp --algo relaxed --relax no-derivative $pc"
  "mlp-relaxed-error-connections|--model mlp --algo relaxed --relax error-connections $pc"
  "mlp-relaxed-all|--model mlp --algo relaxed --relax backward-weights,no-derivative,error-connections $pc"
  "mlp-activation-relaxation|--model mlp --algo activation-relaxation $pc"
  "mlp-activation-relaxation-eta0.5|--model mlp --algo activation-relaxation --T 20 --eta-v 0.5"
  "cnn-bp|--model cnn --hidden 120,84 --algo bp"
  "cnn-pc-fixed-T8|--model cnn --hidden 120,84 --algo pc-fixed --T 8 --eta-v 1"
)
for row in "${rows[@]}"; do
  name=${row%%|*}; opts=${row#*|}
  if [[ -n "$ONLY" && " $ONLY " != *" $name "* ]]; then continue; fi
  if [[ -s "$out/$name.json" ]]; then continue; fi   # rerun a row by deleting its .json
  if [[ $name == cnn-* ]]; then opts="$opts --epochs ${EPOCHS_CNN:-2}"; else opts="$opts --epochs $EPOCHS"; fi
  echo "== $name: train $opts $common" >&2
  $HELMHOLTZ train $opts $common --out "$out/$name" --json 2>"$out/$name.log" | tail -n 1 > "$out/$name.json.tmp"
  mv "$out/$name.json.tmp" "$out/$name.json"
done
acc() { [[ -s "$out/$1.json" ]] && /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['test_accuracy'])" "$out/$1.json" || echo nan; }
echo "| model | algorithm | test accuracy | gap to BP (pp) | epoch s |"
echo "|---|---|---|---|---|"
for row in "${rows[@]}"; do
  name=${row%%|*}; opts=${row#*|}; model=${name%%-*}; algo="${name#*-} (\`${opts#*--algo }\`)"
  [[ -s "$out/$name.json" ]] || continue
  /usr/bin/python3 - "$out/$name.json" "$out/$model-bp.json" "$model" "$algo" <<'PY'
import json, sys, os
r = json.load(open(sys.argv[1]))
bp = json.load(open(sys.argv[2]))['test_accuracy'] if os.path.exists(sys.argv[2]) else float('nan')
gap = 100 * (r['test_accuracy'] - bp)
print(f"| {sys.argv[3]} | {sys.argv[4]} | {100 * r['test_accuracy']:.2f} % | {gap:+.2f} | {r['epoch_seconds']:.2f} |")
PY
done
