#!/usr/bin/env bash
# Packs the library into artifacts/feed, then builds and runs each sample that uses the Helmholtz package (quick
# settings) and checks what it prints. A private NuGet cache makes sure the package just packed is the one used.
#   tools/samples-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
feed=$PWD/artifacts/feed
rm -rf "$feed"; mkdir -p "$feed"
export NUGET_PACKAGES=$PWD/artifacts/nuget-packages
rm -rf "$NUGET_PACKAGES/helmholtz"
dotnet pack src/Helmholtz -c Release -o "$feed" --nologo -v quiet
failed=0
check() { # sample, pattern its output must contain, arguments
  local sample=$1 pattern=$2; shift 2
  echo "\$ dotnet run --project samples/$sample -c Release -- $*"
  local out
  out=$(dotnet run --project "samples/$sample" -c Release -- "$@" 2>&1) || { echo "$out"; echo "FAILED: $sample exited non-zero"; failed=1; return; }
  echo "$out"
  if grep -Eq "$pattern" <<< "$out"; then echo "ok: $sample"; else echo "FAILED: $sample printed no line matching '$pattern'"; failed=1; fi
}
# One epoch of 125 batches gives 79.05 % (seeded); 70 % or more shows that the package trains.
check PcDigits 'pc-fixed test accuracy: (7[0-9]|8[0-9]|9[0-9])\.[0-9]+ %' 1
# A graph and an op of the sample's own (swish), trained by PC: one epoch gives 75.15 % (seeded).
check CustomOp 'swish MLP, pc-fixed: test accuracy (7[0-9]|8[0-9]|9[0-9])\.[0-9]+ %' 1
# Episode 0 acts at random (the seed episode); in episode 1 the planner, with its refitted model, reaches the flag
# (seeded: 1 of 2; FEEF's information gain drives it there without any reward seen before).
check PlannerMountainCar 'planner \(feef\): [12] of 2 episodes reached the flag' 2
# A T-maze agent from a model file learns which arm pays in which context: rewarded in most of its last 20 trials.
check TMazeLearning 'rewarded in [0-9]+ of the first 20, (1[5-9]|20) of the last 20' examples/aif/tmaze-learn.json 60
exit $failed
