#!/usr/bin/env bash
# Counts the instructions two nicsim binaries execute on the speed table's
# scenarios (one thread), with valgrind's callgrind, and prints A, B and
# the change for each.
#
# Why instructions: on a shared machine wall and CPU time drift by tens of
# percent from one minute to the next, while an instruction count is the
# same on every run of the same binary and scenario. It is the measure to
# compare two builds by before timing them (scripts/ab-cpu.sh).
#
# Why every case: with `codegen-units = 4` and no LTO, a change in one
# crate can move which functions the compiler inlines elsewhere in it, so
# a commit that touches no hot code can still cost some cases 2-4% (issue
# 13: a review commit that only moved the cluster server build left the
# parallel engine's mail path out of line, leaf-spine 575 M -> 598 M).
# Compare every case, not the one you changed.
#
# Usage: scripts/instructions.sh BIN_A BIN_B
#   e.g. cp target/release/nicsim /tmp/nicsim_before; (change, build);
#        scripts/instructions.sh /tmp/nicsim_before target/release/nicsim
# Needs valgrind. About a minute per binary on the machine of the README.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: scripts/instructions.sh BIN_A BIN_B" >&2
  exit 2
fi
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"
require_executables instructions.sh "$1" "$2"
require_command instructions.sh valgrind "install it (apt install valgrind) and retry"

cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# "name|arguments of nicsim run": the speed table's cases
cases=(
  "quickstart 256 B|configs/quickstart.toml"
  "quickstart 64 B|configs/quickstart.toml --set traffic.packet_size=64"
  "Stingray 256 B|configs/quickstart.toml --set nic.profile=stingray_ps225 --set nic.cores=8"
  "actors_mix|configs/actors_mix.toml"
  "cluster_star|configs/cluster_star.toml --threads 1"
  "cluster_leaf_spine|configs/cluster_leaf_spine.toml --threads 1"
  "cluster_dt|configs/cluster_dt.toml --threads 1"
  "cluster_rkv|configs/cluster_rkv.toml --threads 1"
  "cluster_rta|configs/cluster_rta.toml --threads 1"
)

count() {
  local bin=$1
  shift
  # callgrind prints "I   refs:      123,456" on stderr
  valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$bin" run "$@" --quiet --out "$out/run" 2>&1 |
    awk '/I +refs:/ { gsub(",", "", $NF); print $NF }'
}

printf '%-20s %12s %12s %8s\n' case A B change
for spec in "${cases[@]}"; do
  name=${spec%%|*}
  # the arguments are plain words: split them on spaces
  read -r -a args <<<"${spec#*|}"
  a=$(count "$1" "${args[@]}")
  b=$(count "$2" "${args[@]}")
  if [ -z "$a" ] || [ -z "$b" ]; then
    echo "instructions.sh: '$name' did not run; try: $1 run ${args[*]}" >&2
    exit 1
  fi
  awk -v n="$name" -v a="$a" -v b="$b" \
    'BEGIN { printf "%-20s %10.1f M %10.1f M %+7.1f%%\n", n, a / 1e6, b / 1e6, (b - a) / a * 100 }'
done
