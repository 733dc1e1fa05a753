#!/usr/bin/env bash
# Compares the CPU time of two nicsim binaries on one scenario, in ABBA
# quads of single runs (A, B, B, A), and prints the median over the quads
# of each quad's B/A with its quartiles.
#
# Why ABBA quads: on a shared machine the speed of the host drifts over
# seconds to minutes. A quad's four runs follow each other within a
# second or so, so a drift slows A and B alike and their ratio keeps; the
# ABBA order cancels a drift that is linear within the quad. CPU time
# (perf's task-clock) leaves out the time the hypervisor took the vCPU
# away. This is how the "B/A" figures of docs/speed-log.md were taken.
#
# Usage: scripts/ab-cpu.sh QUADS BIN_A BIN_B RUN_ARGS...
#   e.g. scripts/ab-cpu.sh 10 /tmp/nicsim_before ./target/release/nicsim \
#          configs/quickstart.toml --set traffic.packet_size=64
# Needs `perf` (Linux; package linux-tools or perf).
set -euo pipefail

if [ $# -lt 4 ]; then
  echo "usage: scripts/ab-cpu.sh QUADS BIN_A BIN_B RUN_ARGS..." >&2
  exit 2
fi
quads=$1 a=$2 b=$3
shift 3
if ! [[ "$quads" =~ ^[1-9][0-9]*$ ]]; then
  echo "ab-cpu: QUADS must be a positive integer, got '$quads'" >&2
  exit 2
fi
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"
require_executables ab-cpu "$a" "$b"
require_command ab-cpu perf "install it (linux-tools or perf) and retry"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# CPU milliseconds of one run of binary $1 with the run arguments after it
cpu_ms() {
  local bin=$1
  shift
  if ! perf stat -x, -o "$out/perf" -e task-clock "$bin" run "$@" --out "$out/run" \
    > /dev/null 2> "$out/err"; then
    echo "ab-cpu: '$bin run $*' failed:" >&2
    cat "$out/err" >&2
    exit 1
  fi
  awk -F, '/task-clock/ { print $1 }' "$out/perf"
}

for _ in $(seq "$quads"); do
  a1=$(cpu_ms "$a" "$@")
  b1=$(cpu_ms "$b" "$@")
  b2=$(cpu_ms "$b" "$@")
  a2=$(cpu_ms "$a" "$@")
  if [ -z "$a1" ] || [ -z "$b1" ] || [ -z "$b2" ] || [ -z "$a2" ]; then
    echo "ab-cpu: a run failed or perf gave no task-clock; run '$a run $*' by hand to see why" >&2
    exit 1
  fi
  echo "$a1 $b1 $b2 $a2"
done | awk '
  { ratio[NR] = ($2 + $3) / ($1 + $4) }
  END {
    n = NR
    if (n == 0) exit 1
    # sort the ratios (insertion sort: a few dozen quads at most)
    for (i = 2; i <= n; i++) { v = ratio[i]; j = i - 1; while (j > 0 && ratio[j] > v) { ratio[j + 1] = ratio[j]; j-- } ratio[j + 1] = v }
    printf "B/A CPU time: median %.3f, quartiles %.3f .. %.3f, over %d ABBA quads\n", ratio[int((n + 1) / 2)], ratio[int((n + 3) / 4)], ratio[int((3 * n + 3) / 4)], n
  }'
