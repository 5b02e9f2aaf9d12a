#!/usr/bin/env bash
# Runs a command and prints, every 0.5 s, how much CPU it used meanwhile (all threads; 200 % is
# both cores of a 2-core machine), e.g. to see whether a build keeps every core busy:
#   scripts/cpu-timeline.sh target/release/speechdex index /tmp/synth-50mb --index /tmp/i --quiet
# Output: "seconds:percent" pairs on one line, then the command's exit status.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
"$@" >/dev/null &
pid=$!
ticks=$(getconf CLK_TCK)
prev=0
half_seconds=0
while [ -r /proc/$pid/stat ]; do
  # utime and stime are fields 14 and 15 (the command name in field 2 has no spaces here).
  # State (field 3) Z: the command has exited and waits to be reaped.
  used=$(awk '$3 != "Z" {print $14 + $15}' /proc/$pid/stat 2>/dev/null || true)
  [ -n "$used" ] || break
  printf '%s:%s ' "$(awk -v h=$half_seconds 'BEGIN {print h / 2}')" $(( (used - prev) * 200 / ticks ))
  prev=$used
  half_seconds=$((half_seconds + 1))
  sleep 0.5
done
echo
wait $pid
