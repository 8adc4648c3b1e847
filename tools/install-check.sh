#!/usr/bin/env bash
# Packs the library and the tool into a temporary folder feed, installs the tool from that feed as a new user would
# (`dotnet tool install --global` under an empty HOME and DOTNET_CLI_HOME), and runs `helmholtz --version`,
# `helmholtz --help` and `helmholtz quickstart` from the installed copy, with their times (and those of
# `helmholtz --version`, `helmholtz quickstart --help` and a short T-maze run).
#   tools/install-check.sh            (KEEP=1 keeps the temporary folder and prints its path)
# Exits non-zero if a step fails or `--version` does not print the version of Directory.Build.props.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
tmp=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then echo "temporary folder: $tmp"; else trap 'rm -rf "$tmp"' EXIT; fi
feed=$tmp/feed; mkdir -p "$feed" "$tmp/home" "$tmp/work"

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
step() { echo; echo "\$ $*"; }
# Median wall time of N runs of a command, in seconds.
median() {
  local n=$1; shift; local times=()
  for _ in $(seq "$n"); do local s; s=$(now); "$@" > /dev/null 2>&1; times+=("$(seconds "$s" "$(now)")"); done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}

version=$(dotnet msbuild src/Helmholtz.Cli -getProperty:Version)
echo "version (Directory.Build.props): $version"

step dotnet pack src/Helmholtz -c Release -o "$feed"
s=$(now); dotnet pack src/Helmholtz -c Release -o "$feed" --nologo -v quiet; t_pack_lib=$(seconds "$s" "$(now)")
step dotnet pack src/Helmholtz.Cli -c Release -o "$feed"
s=$(now); dotnet pack src/Helmholtz.Cli -c Release -o "$feed" --nologo -v quiet; t_pack_cli=$(seconds "$s" "$(now)")
echo "feed:"; (cd "$feed" && ls -l -- *.nupkg | awk '{ printf "  %-50s %9d bytes\n", $9, $5 }')

# A new user: nothing in HOME (no NuGet cache, no tools, no first-run marker).
export HOME=$tmp/home DOTNET_CLI_HOME=$tmp/home DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
unset NUGET_PACKAGES
step HOME=EMPTY dotnet tool install --global Helmholtz.Cli --version "$version" --add-source FEED
s=$(now); dotnet tool install --global Helmholtz.Cli --version "$version" --add-source "$feed"; t_install=$(seconds "$s" "$(now)")
helmholtz=$HOME/.dotnet/tools/helmholtz
[ -x "$helmholtz" ] || { echo "error: $helmholtz was not installed" >&2; exit 1; }
export PATH=$HOME/.dotnet/tools:$PATH
# Which of the tool's packages `dotnet tool install` chose for this machine (linux-x64: ReadyToRun; any: plain IL).
echo "installed package: $(cd "$HOME/.dotnet/tools/.store/helmholtz.cli/$version" && ls -d helmholtz.cli.* 2>/dev/null | tr '\n' ' ')"
cd "$tmp/work"

step helmholtz --version
printed=$(helmholtz --version)
echo "$printed"
[ "$printed" = "$version" ] || { echo "error: --version printed '$printed', expected '$version'" >&2; exit 1; }

step helmholtz --help
helmholtz --help | head -n 5
t_help=$(median 5 helmholtz --help)
t_version=$(median 5 helmholtz --version)
t_qs_help=$(median 5 helmholtz quickstart --help)
t_tmaze=$(median 3 helmholtz aif run tmaze --trials 5 --out "$tmp/work/tmaze")

step helmholtz quickstart
s=$(now); helmholtz quickstart 2>&1 | tee "$tmp/quickstart.txt"; t_quickstart=$(seconds "$s" "$(now)")
grep -q 'pc-fixed' "$tmp/quickstart.txt" || { echo "error: quickstart printed no result table" >&2; exit 1; }
for a in bp pc-fixed pc-standard; do
  [ -s "runs/quickstart-$a/metrics.csv" ] || { echo "error: runs/quickstart-$a/metrics.csv is missing" >&2; exit 1; }
done

echo
echo "times (seconds; startup figures are the median of 5 runs, tmaze of 3):"
printf '  %-44s %s\n' "dotnet pack src/Helmholtz" "$t_pack_lib" "dotnet pack src/Helmholtz.Cli" "$t_pack_cli" \
  "dotnet tool install (empty HOME)" "$t_install" "helmholtz --help" "$t_help" "helmholtz --version" "$t_version" "helmholtz quickstart --help" "$t_qs_help" \
  "helmholtz aif run tmaze --trials 5" "$t_tmaze" "helmholtz quickstart" "$t_quickstart"
echo "install check passed ($repo)"
