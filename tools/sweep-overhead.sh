#!/usr/bin/env bash
# Per-run overhead of a sweep: N trivial training runs (one batch of a tiny MLP on the embedded digits) started
# directly, by `helmholtz sweep run`, and (with --slurm, on a running cluster) as a Slurm array, JOBS at a time.
# Each way is timed REPS times (the ways interleaved) and the fastest is kept: overhead per run = (wall − direct wall) ×
# JOBS / N. The CPU time of the whole process tree (user + sys), which a loaded machine disturbs far less than the wall
# time, gives the local overhead per run as (CPU − direct CPU) / N.
#   tools/sweep-overhead.sh PATH/TO/Helmholtz.Cli [N] [JOBS] [REPS] [--slurm]
set -euo pipefail
hz=$(realpath "$1"); n=${2:-16}; jobs=${3:-1}; reps=${4:-3}; slurm=${5:-}
work=$(mktemp -d /tmp/helmholtz-overhead.XXXXXX)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.3f\", $* }"; }
min() { printf '%s\n' "$@" | sort -g | head -n 1; }
args=(train --model mlp --hidden 8 --epochs 1 --max-batches 1 --threads 1)
cat > "$work/trivial.json" <<EOF
{ "name": "trivial", "command": ["train", "--model", "mlp", "--hidden", "8", "--epochs", "1", "--max-batches", "1", "--threads", "1"],
  "seeds": "1-$n", "output": "sweep" }
EOF

direct=(); swept=(); arrayed=(); direct_cpu=(); swept_cpu=(); again=()
TIMEFORMAT='%R %U %S'
for r in $(seq "$reps"); do
  rm -rf "$work/direct" "$work/sweep"
  read -r wall user sys < <({ time seq 1 "$n" | xargs -P "$jobs" -I{} "$hz" "${args[@]}" --seed {} --out "$work/direct/seed={}" > /dev/null 2>&1; } 2>&1)
  direct+=("$wall"); direct_cpu+=("$(calc "$user + $sys")")
  read -r wall user sys < <({ time "$hz" sweep run "$work/trivial.json" --jobs "$jobs" > /dev/null 2>&1; } 2>&1)
  swept+=("$wall"); swept_cpu+=("$(calc "$user + $sys")")
  # The same sweep once more, every run done: the fixed cost of the sweep process itself (start, read, check markers).
  read -r wall user sys < <({ time "$hz" sweep run "$work/trivial.json" > /dev/null 2>&1; } 2>&1)
  again+=("$wall")
  if [ "$slurm" = "--slurm" ]; then
    rm -rf "$work/sweep"
    "$hz" sweep emit slurm "$work/trivial.json" --max-parallel "$jobs" --out "$work/trivial.sbatch" 2> /dev/null
    t3=$(now)
    job=$(sbatch --parsable "$work/trivial.sbatch")
    while [ -n "$(squeue -h -r -j "$job" 2> /dev/null)" ]; do sleep 0.1; done
    t4=$(now)
    done_runs=$(find "$work/sweep" -name sweep-done.json | wc -l)
    [ "$done_runs" -eq "$n" ] || { echo "sweep-overhead: only $done_runs of $n array tasks finished" >&2; exit 1; }
    arrayed+=("$(calc "$t4 - $t3")")
  fi
done

d=$(min "${direct[@]}"); s=$(min "${swept[@]}"); dc=$(min "${direct_cpu[@]}"); sc=$(min "${swept_cpu[@]}")
echo "$n trivial runs, $jobs at a time, fastest of $reps; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  wall (s): direct ${direct[*]}; sweep run ${swept[*]}${slurm:+; slurm array ${arrayed[*]}}; finished sweep ${again[*]}"
echo "  cpu  (s): direct ${direct_cpu[*]}; sweep run ${swept_cpu[*]}"
printf 'direct commands:  wall %7.2f s  cpu %7.2f s\n' "$d" "$dc"
printf 'sweep run:        wall %7.2f s  cpu %7.2f s   overhead per run: wall %6.3f s, cpu %6.3f s\n' "$s" "$sc" \
  "$(calc "($s - $d) * $jobs / $n")" "$(calc "($sc - $dc) / $n")"
printf 'finished sweep:   wall %7.2f s   (the sweep process alone: start, read the file, find every run done)\n' "$(min "${again[@]}")"
if [ "$slurm" = "--slurm" ]; then
  a=$(min "${arrayed[@]}")
  printf 'slurm array:      wall %7.2f s (sbatch to an empty queue)  overhead per run: wall %6.3f s\n' "$a" "$(calc "($a - $d) * $jobs / $n")"
fi
