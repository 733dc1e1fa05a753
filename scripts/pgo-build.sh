#!/usr/bin/env bash
# Builds nicsim and the speed example with profile-guided optimization (PGO).
#
# Why: the simulator's profile is flat (no function above 4% of an actor
# run) and its code does not fit the 32 KiB instruction cache, so what
# helps is layout and inlining by measured frequency, which is what PGO
# gives. With fat LTO: 9.5% fewer instructions and half the instruction
# cache misses on actors_mix, 23% fewer instructions on the 64 B echo
# (docs/speed-log.md, twelfth pass).
#
# Outputs are byte-identical to the plain release build: PGO changes code
# layout and inlining, not arithmetic (no fast-math). The build itself is
# not bit-reproducible: the 2-thread training run's counts in the
# engine's waiting loops depend on timing.
#
# Steps: an instrumented build in target/pgo-gen, training runs on variants
# of the example scenarios (other seeds, sizes, loads and durations than
# the speed table's cases), a merged profile, then the optimized build in
# target/pgo, both with fat LTO. Needs the rustup component llvm-tools
# (for llvm-profdata); the script adds it when rustup can. About 5 minutes
# on 2 cores. RUSTFLAGS from the environment are kept in both builds.
#
# Usage: scripts/pgo-build.sh
#   then target/pgo/release/nicsim and target/pgo/release/examples/speed
set -euo pipefail
cd "$(dirname "$0")/.."

host="$(rustc -vV | sed -n 's/^host: //p')"
sysroot="$(rustc --print sysroot)"
profdata="$sysroot/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
  echo "pgo-build: llvm-profdata not found at $profdata; adding the rustup component llvm-tools"
  if ! rustup component add llvm-tools; then
    echo "pgo-build: error: cannot add llvm-tools (no network?); run 'rustup component add llvm-tools' where rustup can reach its server, then retry" >&2
    exit 2
  fi
fi
if [ ! -x "$profdata" ]; then
  echo "pgo-build: error: llvm-tools is installed but $profdata is missing; reinstall it with 'rustup component remove llvm-tools && rustup component add llvm-tools'" >&2
  exit 2
fi

data="$PWD/target/pgo-data"
rm -rf "$data"
mkdir -p "$data"

# Fat LTO with one codegen unit, for both builds (the profile must come from
# the same code it is applied to): with the profile, inlining across crates
# pays (64 B echo 815.2 M -> 723.5 M instructions; without a profile, LTO
# alone gained nothing). It makes each build about twice as long.
export CARGO_PROFILE_RELEASE_LTO=fat
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1

echo "== instrumented build (target/pgo-gen)"
RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-generate=$data" cargo build --release --bin nicsim --target-dir target/pgo-gen

echo "== training runs"
gen=target/pgo-gen/release/nicsim
out="$(mktemp -d "${TMPDIR:-/tmp}/nicsim-pgo.XXXXXX")"
trap 'rm -rf "$out"' EXIT
train() {
  echo "   nicsim run $*"
  "$gen" run "$@" --out "$out" >/dev/null
}
train configs/actors_mix.toml --set seed=7 --set duration_ms=20 --set workload.load_fraction=0.8
train configs/actors_mix.toml --set seed=8 --set duration_ms=10 --set scheduler.policy=fcfs
train configs/quickstart.toml --set seed=3 --set traffic.packet_size=128
train configs/quickstart.toml --set seed=4 --set traffic.packet_size=1024 --set nic.profile=stingray_ps225 --set nic.cores=8
train configs/cluster_leaf_spine.toml --set seed=5 --set duration_ms=2 --threads 2
train configs/cluster_star.toml --set seed=5 --set duration_ms=2 --threads 1
train configs/cluster_dt.toml --set seed=6 --set duration_ms=2
train configs/cluster_rkv.toml --set seed=6 --set duration_ms=2

echo "== merged profile"
"$profdata" merge -o "$data/merged.profdata" "$data"/*.profraw

echo "== optimized build (target/pgo)"
# functions the training never ran have no profile: expected, not a warning
# NICSIM_BUILD names the build in the speed table's header
NICSIM_BUILD=pgo RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-use=$data/merged.profdata -Cllvm-args=-pgo-warn-missing-function=false" \
  cargo build --release --bin nicsim --example speed --target-dir target/pgo

echo "pgo-build: target/pgo/release/nicsim and target/pgo/release/examples/speed"
