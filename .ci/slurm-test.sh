#!/usr/bin/env bash
# Slurm job-array test: a real single-node Slurm cluster (Debian's slurmctld,
# slurmd and munge, installed and started here, as root, without systemd) runs
# `nicsim slurm` for configs/sweeps/ci-small.toml as a 4-task array; the merged
# shards must equal a local `nicsim sweep` of the same file byte for byte
# (rows sorted by point id, wall_time_s dropped: the only non-deterministic column).
# The output directory has a space in its name: sbatch must accept the quoted
# `#SBATCH --output` path nicsim writes.
# Called by .ci/run. Set NICSIM_SKIP_SLURM=1 to skip it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${NICSIM_SKIP_SLURM:-0}" = 1 ]; then echo "slurm test: skipped (NICSIM_SKIP_SLURM=1)"; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "slurm test: needs root (apt-get, daemons)"; exit 1; }

W=$(mktemp -d /tmp/nicsim-slurm.XXXXXX)
export SLURM_CONF=$W/slurm.conf           # every Slurm daemon and command reads this
mkdir -p "$W"/{state,spool,log}
SWEEP=configs/sweeps/ci-small.toml

echo "-- build nicsim"
cargo build -q --bin nicsim
NICSIM=$(cd "${CARGO_TARGET_DIR:-target}/debug" && pwd)/nicsim

echo "-- install Slurm and munge (if missing)"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

echo "-- start munge"
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
MUNGE_STARTED=0
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  install -d -o munge -g munge -m 0755 /run/munge     # systemd-tmpfiles would do this
  runuser -u munge -- /usr/sbin/munged
  MUNGE_STARTED=1
  for _ in $(seq 20); do munge -n | unmunge >/dev/null 2>&1 && break; sleep 0.5; done
fi
munge -n | unmunge | grep -q 'STATUS: *Success'

cleanup() {
  scontrol shutdown >/dev/null 2>&1 || true
  for f in "$W/slurmd.bgpid" "$W/ctld.bgpid"; do
    [ -f "$f" ] || continue; p=$(cat "$f")
    for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill "$p" 2>/dev/null || true; rm -f "$f"
  done
  if [ "$MUNGE_STARTED" = 1 ]; then kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true; fi
  if [ "$PASSED" = 1 ]; then rm -rf "$W"; else echo "slurm test: logs kept in $W"; fi
}
PASSED=0
trap cleanup EXIT

echo "-- configure and start slurmctld and slurmd"
NODELINE=$(slurmd -C | head -n1)   # NodeName=<host> CPUs=... RealMemory=...
cat > "$SLURM_CONF" <<CONF
ClusterName=nicsim-ci
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/log/slurmctld.log
SlurmdLogFile=$W/log/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
$NODELINE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i > "$W/log/slurmctld.stdout" 2>&1 & echo $! > "$W/ctld.bgpid"
slurmd -D > "$W/log/slurmd.stdout" 2>&1 & echo $! > "$W/slurmd.bgpid"
for _ in $(seq 60); do
  [ "$(sinfo -h -N -o '%t' 2>/dev/null)" = idle ] && break; sleep 1
done
[ "$(sinfo -h -N -o '%t')" = idle ] || { echo "slurm node not idle:"; sinfo || true; tail -n 30 "$W"/log/*.log; exit 1; }

echo "-- nicsim slurm: 4-task job array"
C="$W/cluster dir"
"$NICSIM" slurm "$SWEEP" --tasks 4 --time 00:10:00 --partition debug --out "$C"
sbatch --wait "$C/sweep.sbatch" || { echo "job array failed:"; tail -n 20 "$C"/logs/*.log; exit 1; }
logs=$(ls "$C"/logs/task-*.log | wc -l)
[ "$logs" = 4 ] || { echo "slurm test: FAILED: $logs task logs in '$C/logs', expected 4"; exit 1; }
"$NICSIM" merge "$C"/shard-* --sweep "$SWEEP" --out "$C/results.csv"

echo "-- the same sweep on this machine"
"$NICSIM" sweep "$SWEEP" --out "$W/local" --jobs 2 --progress plain

echo "-- compare (sorted by point id, without wall_time_s)"
"$NICSIM" merge "$C/results.csv" --drop-column wall_time_s --out "$W/cluster.cmp.csv"
"$NICSIM" merge "$W/local" --drop-column wall_time_s --out "$W/local.cmp.csv"
if ! cmp "$W/cluster.cmp.csv" "$W/local.cmp.csv"; then
  diff "$W/cluster.cmp.csv" "$W/local.cmp.csv" | head -20
  echo "slurm test: FAILED: merged Slurm results differ from the local run"; exit 1
fi
rows=$(($(wc -l < "$W/local.cmp.csv") - 1))
echo "slurm test: OK: 4 array tasks (output dir with a space), $rows points, merged table equals the local run byte for byte"
PASSED=1
