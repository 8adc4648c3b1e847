#!/usr/bin/env bash
# Runs a sweep as a job array on a real single-node Slurm cluster on this machine, and checks that every run gives the
# same numbers as `helmholtz sweep run` locally. Prints a transcript of what it runs and sees.
#   tools/slurm-check.sh [WORKDIR] [SWEEP]     (as root; needs Debian's apt for slurm-wlm and munge if missing)
# WORKDIR (default: a new temporary folder) receives the published CLI, slurm.conf, logs and both sweeps' run folders;
# SWEEP defaults to examples/sweeps/digits-seeds.json (12 short training runs on the embedded digits).
# The cluster uses its own slurm.conf (SLURM_CONF) and stops when the script ends; /etc/slurm is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(realpath -m "${1:-$(mktemp -d /tmp/helmholtz-slurm.XXXXXX)}")
sweep=$(realpath "${2:-examples/sweeps/digits-seeds.json}")
mkdir -p "$work"

say() { printf '\n== %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }
die() { echo "slurm-check: $*" >&2; exit 1; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.3f\", $* }"; }

[ "$(id -u)" = 0 ] || die "run as root (it starts munged, slurmctld and slurmd)"

say "1. Slurm and munge"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  show apt-get update -q
  DEBIAN_FRONTEND=noninteractive show apt-get install -y -q slurm-wlm munge
fi
slurmd -V
munged -V 2>&1 | head -n 1

say "2. A single-node cluster on localhost"
s="$work/slurm"
rm -rf "$s"; mkdir -p "$s/state" "$s/spool"
cpus=$(nproc)
mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 / 2 }' /proc/meminfo)
export SLURM_CONF="$s/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=helmholtz-check
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$s/state
SlurmdSpoolDir=$s/spool
SlurmctldPidFile=$s/slurmctld.pid
SlurmdPidFile=$s/slurmd.pid
SlurmctldLogFile=$s/slurmctld.log
SlurmdLogFile=$s/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$s/jobcomp.txt
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=check Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
cat "$SLURM_CONF"

started=()
cleanup() {
  set +e
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 1
  for pid in "${started[@]}"; do kill -9 "$pid" 2>/dev/null; done
}
trap cleanup EXIT

if ! pgrep -x munged >/dev/null; then
  [ -s /etc/munge/munge.key ] || { mungekey --create 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; }
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge; chown munge:munge /run/munge /var/lib/munge /var/log/munge
  rm -f /run/munge/munged.pid
  show runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
  started+=("$(cat /run/munge/munged.pid)")
fi
munge -n | unmunge | grep -E '^STATUS'

show slurmctld -f "$SLURM_CONF"
for _ in $(seq 100); do [ -s "$s/slurmctld.pid" ] && break; sleep 0.1; done
started+=("$(cat "$s/slurmctld.pid")")
show slurmd -f "$SLURM_CONF" -N localhost
for _ in $(seq 100); do [ -s "$s/slurmd.pid" ] && break; sleep 0.1; done
started+=("$(cat "$s/slurmd.pid")")
for _ in $(seq 150); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
show sinfo -N -l
[ "$state" = idle ] || { tail -n 20 "$s/slurmctld.log" "$s/slurmd.log"; die "the node did not become idle (state: $state)"; }

say "3. The CLI"
bin="$work/bin"
rm -rf "$bin" "$work/slurm-runs" "$work/slurm-collected" "$work/local-runs" "$work/sweep.sbatch"
show dotnet publish "$repo/src/Helmholtz.Cli" -c Release -o "$bin" --nologo -v q
hz="$bin/Helmholtz.Cli"
show "$hz" sweep plan "$sweep" --output "$work/slurm-runs"
n=$("$hz" sweep plan "$sweep" --json | sed -E 's/.*"count":([0-9]+).*/\1/')
[ "$n" -ge 8 ] || die "the sweep has $n runs; the check needs at least 8"

say "4. Emit, submit, wait"
show "$hz" sweep emit slurm "$sweep" --output "$work/slurm-runs" --out "$work/sweep.sbatch" --max-parallel "$cpus" --cpus-per-task 1 --time 00:10:00
cat "$work/sweep.sbatch"
t0=$(now)
job=$(sbatch --parsable "$work/sweep.sbatch")
echo "\$ sbatch --parsable $work/sweep.sbatch"
echo "$job"
last=""
while :; do
  queue=$(squeue -h -r -j "$job" -o '%i %T' 2>/dev/null || true)
  [ -z "$queue" ] && break
  summary=$(echo "$queue" | awk '{ n[$2]++ } END { for (s in n) printf "%s=%d ", s, n[s] }')
  if [ "$summary" != "$last" ]; then
    printf '%6.1f s  squeue: %s\n' "$(calc "$(now) - $t0")" "$summary"
    last=$summary
  fi
  sleep 0.2
done
t1=$(now)
slurm_seconds=$(calc "$t1 - $t0")
printf '%6.1f s  squeue: (empty: all tasks left the queue)\n' "$slurm_seconds"
# Without slurmdbd, sacct reads the job-completion log (-c); this is a fresh cluster, so every job in it is ours.
# (sacct's reader of that log warns about the array fields it does not know; the log itself names each task.)
echo "\$ sacct -c -o JobID,JobName%24,State,ExitCode,Start,End"
sacct -c -o JobID,JobName%24,State,ExitCode,Start,End 2>/dev/null
echo "array tasks in the completion log ($s/jobcomp.txt):"
sed -E 's/.*JobId=([0-9]+) .*JobState=([A-Z_]+) .*StartTime=([^ ]+) EndTime=([^ ]+) .*ArrayJobId=([0-9]+) ArrayTaskId=([0-9]+) .* ExitCode=([0-9:]+).*/  \5_\6 (job \1) \2 exit \7 \3 → \4/' "$s/jobcomp.txt" | sort -t_ -k2 -n
echo "states: $(sacct -c -n -P -o State 2>/dev/null | sort | uniq -c | tr -s ' ')"
grep -q . "$s/jobcomp.txt" || die "no job completion records"
if grep -Eq 'JobState=(FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY)' "$s/jobcomp.txt"; then
  grep -E 'JobState=(FAILED|CANCELLED|TIMEOUT)' "$s/jobcomp.txt" | head
  die "array tasks failed (see $work/slurm-runs/slurm-*.out)"
fi
completed=$(grep -c 'JobState=COMPLETED' "$s/jobcomp.txt")
[ "$completed" -eq "$n" ] || die "$completed of $n array tasks completed"
echo "one array task's output ($work/slurm-runs/slurm-${job}_0.out):"
cat "$work/slurm-runs/slurm-${job}_0.out"

say "5. Collect"
show "$hz" sweep collect "$work/slurm-runs" --out "$work/slurm-collected"
head -n 4 "$work/slurm-collected/sweep.csv"

say "6. The same sweep locally ($cpus at a time)"
t2=$(now)
show "$hz" sweep run "$sweep" --output "$work/local-runs" --jobs "$cpus"
t3=$(now)
local_seconds=$(calc "$t3 - $t2")

say "7. Every run's numbers, Slurm vs local (wall-clock columns dropped)"
untimed() {
  awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) keep[i] = ($i !~ /seconds/) }
    { line = ""; sep = ""; for (i = 1; i <= NF; i++) if (keep[i]) { line = line sep $i; sep = OFS } print line }' "$1"
}
same=0; differ=0
for dir in "$work"/local-runs/*/; do
  name=$(basename "$dir")
  other="$work/slurm-runs/$name"
  [ -f "$other/sweep-done.json" ] || { echo "MISSING  $name (no completion marker under Slurm)"; differ=$((differ + 1)); continue; }
  if cmp -s <(untimed "$dir/metrics.csv") <(untimed "$other/metrics.csv") && cmp -s "$dir/config.json" "$other/config.json"; then
    same=$((same + 1)); echo "same     $name  ($(untimed "$dir/metrics.csv" | tail -n 1))"
  else
    differ=$((differ + 1)); echo "DIFFERS  $name"; diff <(untimed "$dir/metrics.csv") <(untimed "$other/metrics.csv") || true
  fi
done
echo "$same of $n runs identical (metrics.csv without wall-clock columns, and config.json); $differ differ"

say "8. Time and overhead"
printf 'this sweep: Slurm array %.1f s (sbatch to an empty queue), sweep run --jobs %d %.1f s\n' "$slurm_seconds" "$cpus" "$local_seconds"
show tools/sweep-overhead.sh "$hz" 16 "$cpus" 3 --slurm

[ "$differ" -eq 0 ] || die "$differ runs differ"
echo
echo "slurm-check: OK ($n runs under Slurm = local)"
