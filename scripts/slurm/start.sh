#!/usr/bin/env bash
# Brings up a one-node SLURM cluster on this machine (loopback only), for mobo's SLURM tests.
#
#   scripts/slurm/start.sh [--install] [--state DIR] [--min-job-age SECONDS]
#
# --install      apt-get install slurmctld slurmd slurm-client munge first (Debian/Ubuntu, as root)
# --state DIR    where the config, logs, controller state and job-completion log live
#                (default: $MOBO_SLURM_STATE or /var/lib/mobo-slurm)
# --min-job-age  seconds slurmctld keeps a finished job's record (default 30; SLURM's own default is 300)
#
# Needs root and no systemd. Idempotent: when the daemons are up and the node answers, exits 0 at once.
# Client commands find the config through /etc/slurm/slurm.conf (a link to DIR/slurm.conf, made when
# that path is free) or through SLURM_CONF=DIR/slurm.conf, which this script prints.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state="${MOBO_SLURM_STATE:-/var/lib/mobo-slurm}"
install=0
min_job_age=30
while [[ $# -gt 0 ]]; do
  case "$1" in
    --install) install=1; shift ;;
    --state) state="$2"; shift 2 ;;
    --min-job-age) min_job_age="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "start.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "start.sh: $*" >&2; exit 1; }
[[ "$(id -u)" == 0 ]] || die "must run as root (it starts munged, slurmctld and slurmd)"

if [[ $install == 1 ]]; then
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
    || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
  fi
fi
for cmd in munged munge unmunge slurmctld slurmd sinfo sbatch squeue scontrol scancel; do
  command -v "$cmd" >/dev/null || die "'$cmd' not found: install slurmctld slurmd slurm-client munge, or pass --install"
done
id slurm >/dev/null 2>&1 || die "user 'slurm' missing (the slurmctld package creates it)"
id munge >/dev/null 2>&1 || die "user 'munge' missing (the munge package creates it)"

conf="$state/slurm.conf"
export SLURM_CONF="$conf"

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
node_state() { timeout 5 sinfo -h -o %t 2>/dev/null | head -n 1 || true; }
ready() {
  case "$(node_state)" in
    idle*|mix*|alloc*|comp*) return 0 ;;
    *) return 1 ;;
  esac
}
usage() {
  cat <<MSG
SLURM is up: one node 'localhost' ($(nproc) CPUs, 2 fake GPUs), partition 'debug', state in $state.
  export SLURM_CONF=$conf    # only needed when /etc/slurm/slurm.conf is not that file
  sinfo; sbatch --wrap 'hostname'; squeue -t all
  MOBO_SLURM_TESTS=1 npx vitest run test/runners
  scripts/slurm/stop.sh     # cancels every job and stops the daemons
MSG
}

if alive /run/munge/munged.pid && alive /run/slurm/slurmctld.pid && alive /run/slurm/slurmd.pid && ready; then
  echo "start.sh: already up (state $state)"
  exit 0
fi

mkdir -p /run/munge /run/slurm "$state/ctld" "$state/slurmd" "$state/log"
chown munge:munge /run/munge
chmod 0755 /run/munge
chown slurm:slurm /run/slurm "$state/ctld" "$state/log"
touch "$state/jobcomp.log"
chown slurm:slurm "$state/jobcomp.log"

cpus="$(nproc)"
memory_mb="$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -n 1)"
[[ -n "$memory_mb" ]] || memory_mb="$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)"
sed -e "s|@STATE_DIR@|$state|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEMORY_MB@|$memory_mb|g" \
  -e "s|@MIN_JOB_AGE@|$min_job_age|g" -e "s|@CTLD_PORT@|${MOBO_SLURMCTLD_PORT:-6817}|g" \
  -e "s|@SLURMD_PORT@|${MOBO_SLURMD_PORT:-6818}|g" "$here/slurm.conf.template" >"$conf.new"
mv "$conf.new" "$conf"
chmod 0644 "$conf"
# The node's two fake GPUs, for tests of --gres=gpu:N (slurmd reads gres.conf beside slurm.conf).
# Slurm 22.05 drops a GPU without a device file and refuses a file that is not a device, so each is a
# character device with /dev/null's numbers: harmless to open, nothing behind it.
for k in 0 1; do
  [[ -c "$state/fake-gpu$k" ]] || { rm -f "$state/fake-gpu$k"; mknod -m 0666 "$state/fake-gpu$k" c 1 3; }
done
printf 'NodeName=localhost Name=gpu File=%s/fake-gpu[0-1]\n' "$state" >"$state/gres.conf"
chmod 0644 "$state/gres.conf"

# Let plain `sinfo` find the config, without overwriting a config that someone else put there.
mkdir -p /etc/slurm
if [[ ! -e /etc/slurm/slurm.conf || ( -L /etc/slurm/slurm.conf && "$(readlink /etc/slurm/slurm.conf)" == "$conf" ) ]]; then
  ln -sfn "$conf" /etc/slurm/slurm.conf
fi

if [[ ! -s /etc/munge/munge.key ]]; then
  if command -v mungekey >/dev/null; then
    mungekey --create --keyfile=/etc/munge/munge.key
  else
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
fi

if ! alive /run/munge/munged.pid; then
  runuser -u munge -- munged
fi
for _ in $(seq 50); do
  munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
  sleep 0.1
done
munge -n | unmunge >/dev/null || die "munged does not answer (see /var/log/munge/munged.log)"

if ! alive /run/slurm/slurmctld.pid; then
  slurmctld -f "$conf" || die "slurmctld failed to start (see $state/log/slurmctld.log)"
fi
if ! alive /run/slurm/slurmd.pid; then
  slurmd -f "$conf" -N localhost || die "slurmd failed to start (see $state/log/slurmd.log)"
fi

for _ in $(seq 150); do
  ready && break
  case "$(node_state)" in
    down*|drain*) scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true ;;
  esac
  sleep 0.2
done
ready || die "node 'localhost' is '$(node_state)', not idle, after 30 s (see $state/log/)"
usage
