#!/bin/bash
# A one-node Slurm cluster for tests, everything under one folder, nothing on systemd:
#   slurm-cluster.sh start DIR   munged + slurmctld + slurmd on 127.0.0.1, partitions cpu (default)
#                                and gpu, Gres=gpu:2 backed by placeholder device files DIR/dev/nvidia[0-1];
#                                waits until the node is idle; prints the SLURM_CONF to export.
#   slurm-cluster.sh stop DIR    stops the daemons by their PID files (idempotent).
# Needs root and Debian's slurm-wlm + munge (Slurm 22.05). Ports: $SLURM_TEST_PORT and +1 (default 16817).
set -euo pipefail
cmd="${1:?start|stop}"; dir="$(realpath -m "${2:?state folder}")"

stop() {
  local f pid
  for f in slurmd slurmctld munged; do
    [[ -s "$dir/run/$f.pid" ]] || continue
    pid=$(cat "$dir/run/$f.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/run/$f.pid"
  done
}

if [[ "$cmd" == stop ]]; then stop; exit 0; fi
[[ "$cmd" == start ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

trap 'echo "slurm-cluster: start failed; see $dir/log/" >&2; tail -n 20 "$dir"/log/*.log >&2 || true; stop' ERR
host="$(hostname -s)"
port="${SLURM_TEST_PORT:-16817}"
mkdir -p "$dir"/{etc,run,log,state,spool,dev,munge}
chmod 755 "$dir/munge"

# munge: own key, socket and pid file
mungekey --create --keyfile "$dir/munge/munge.key" --force >/dev/null 2>&1 || mungekey --create --keyfile "$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"
munged --force --socket "$dir/munge/munge.socket" --key-file "$dir/munge/munge.key" \
  --pid-file "$dir/run/munged.pid" --log-file "$dir/log/munged.log" --seed-file "$dir/munge/munged.seed"

# two placeholder GPUs: Slurm 22.05 drops GPUs without device files, and rejects regular files
for i in 0 1; do [[ -c "$dir/dev/nvidia$i" ]] || mknod "$dir/dev/nvidia$i" c 1 3; done

cat > "$dir/etc/slurm.conf" <<CONF
ClusterName=nmftest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=500
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SchedulerParameters=sched_interval=1
MinJobAge=600
GresTypes=gpu
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000 Gres=gpu:2 State=UNKNOWN
PartitionName=cpu Nodes=$host Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$host Default=NO MaxTime=INFINITE State=UP
CONF
cat > "$dir/etc/gres.conf" <<CONF
AutoDetect=off
NodeName=$host Name=gpu File=$dir/dev/nvidia[0-1]
CONF

export SLURM_CONF="$dir/etc/slurm.conf"
slurmctld -i
slurmd
for _ in $(seq 150); do
  state="$(sinfo -h -N -o %T 2>/dev/null | head -1 || true)"
  [[ "$state" == idle ]] && { echo "$SLURM_CONF"; exit 0; }
  sleep 0.2
done
echo "slurm-cluster: node not idle after 30 s (state: ${state:-none}); see $dir/log/" >&2
tail -n 20 "$dir"/log/*.log >&2 || true
stop
exit 1
