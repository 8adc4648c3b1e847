#!/usr/bin/env bash
# Writes the outputs that a behaviour-preserving change must leave byte-identical into one folder; compare the
# folders of two builds with `diff -r`. Run folders' paths are replaced by WORK so that the folders compare.
#   tools/equivalence.sh PATH/TO/Helmholtz.Cli OUTDIR [--quick]
set -euo pipefail
bin=$1; out=$2; quick=${3:-}
mkdir -p "$out"; work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
strip() { sed "s#$work#WORK#g"; }
# Wall-clock columns (seconds, fit_seconds, epoch_seconds, plan_ms) differ from run to run: drop them.
untimed() {
  awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) keep[i] = ($i !~ /seconds|_ms$/) }
    { line = ""; sep = ""; for (i = 1; i <= NF; i++) if (keep[i]) { line = line sep $i; sep = OFS } print line }' "$1"
}
for m in mlp cnn rnn lstm; do
  "$bin" pc agreement --model "$m" --json --out "$work/agree-$m" | strip > "$out/agreement-$m.json"
  cp "$work/agree-$m/agreement.csv" "$out/agreement-$m.csv"
done
"$bin" quickstart --out "$work/qs" --json | tail -n 1 | strip > "$out/quickstart.json"
for a in bp pc-fixed pc-standard; do untimed "$work/qs/quickstart-$a/metrics.csv" > "$out/quickstart-$a.csv"; done
"$bin" aif run tmaze --trials 100 --seed 1 --json --out "$work/tmaze" | strip > "$out/tmaze.json"
"$bin" aif control --env sparse-mountaincar --agent planner --episodes 3 --seed 1 --out "$work/planner" > /dev/null 2>&1
untimed "$work/planner/metrics.csv" > "$out/planner-metrics.csv"
[ "$quick" = "--quick" ] && exit 0
"$bin" aif control --env cartpole --agent deep-aif --episodes 300 --seed 1 --out "$work/deepaif" > /dev/null 2>&1
untimed "$work/deepaif/metrics.csv" > "$out/deepaif-metrics.csv"
