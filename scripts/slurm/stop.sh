#!/usr/bin/env bash
# Stops the one-node SLURM cluster that start.sh brought up: cancels every job, waits until the queue
# is empty (slurmd would leave running jobs alive), then stops slurmd, slurmctld and munged by their
# PID files. Keeps the state directory (job ids keep counting up).
#
#   scripts/slurm/stop.sh [--state DIR]
set -euo pipefail

state="${MOBO_SLURM_STATE:-/var/lib/mobo-slurm}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --state) state="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "stop.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -f "$state/slurm.conf" ]] && export SLURM_CONF="$state/slurm.conf"

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

if alive /run/slurm/slurmctld.pid; then
  mapfile -t jobs < <(timeout 10 squeue -h -o %A 2>/dev/null || true)
  if [[ ${#jobs[@]} -gt 0 ]]; then
    timeout 10 scancel "${jobs[@]}" 2>/dev/null || true
  fi
  for _ in $(seq 150); do
    [[ -z "$(timeout 5 squeue -h -o %A 2>/dev/null || true)" ]] && break
    sleep 0.2
  done
  [[ -z "$(timeout 5 squeue -h -o %A 2>/dev/null || true)" ]] || echo "stop.sh: jobs still in the queue after 30 s" >&2
fi

stop_daemon() {
  local name="$1" pidfile="$2"
  if alive "$pidfile"; then
    local pid
    pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "stop.sh: $name ($pid) ignored SIGTERM for 10 s, sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}
stop_daemon slurmd /run/slurm/slurmd.pid
stop_daemon slurmctld /run/slurm/slurmctld.pid
stop_daemon munged /run/munge/munged.pid
echo "stop.sh: SLURM stopped (state kept in $state)"
