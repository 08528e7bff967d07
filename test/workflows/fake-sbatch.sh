#!/bin/bash
# A stand-in for sbatch in the Slurm contract test (no Slurm needed): runs the job at once, in the
# foreground, and prints its id like `sbatch --parsable`. Honours --array a-b[%n] (tasks one after the
# other, with SLURM_ARRAY_TASK_ID/SLURM_ARRAY_JOB_ID), --dependency afterok:ID[:ID] (refuses a job
# whose dependencies did not all succeed), --output with %x %j %A %a, and the #SBATCH --job-name.
# Every call is appended to $FAKE_SBATCH_STATE/calls.log; exit codes to $FAKE_SBATCH_STATE/job.<id>.
set -uo pipefail
state="${FAKE_SBATCH_STATE:?}"
echo "$*" >> "$state/calls.log"
array="" dep="" output="slurm-%j.out"
while (( $# )); do
  if [[ "$1" == --*=* ]]; then set -- "${1%%=*}" "${1#*=}" "${@:2}"; fi
  case "$1" in
    --parsable) shift ;;
    --array|-a) array="$2"; shift 2 ;;
    --dependency|-d) dep="$2"; shift 2 ;;
    --output|-o) output="$2"; shift 2 ;;
    --export|--kill-on-invalid-dep|--partition|-p|--mem|--cpus-per-task|-c|--gres|--job-name|-J|--time|-t|--account|-A|--qos|-q) shift 2 ;;
    -*) echo "fake sbatch: option $1 not known to the stand-in" >&2; exit 1 ;;
    *) break ;;
  esac
done
script="${1:?no batch script}"
id=$(cat "$state/next" 2>/dev/null || echo 100)
echo $(( id + 1 )) > "$state/next"
if [[ -n "$dep" ]]; then
  [[ "$dep" == afterok:* ]] || { echo "fake sbatch: only afterok dependencies" >&2; exit 1; }
  IFS=: read -ra deps <<< "${dep#afterok:}"
  for d in "${deps[@]}"; do
    [[ "$(cat "$state/job.$d" 2>/dev/null)" == 0 ]] || { echo "fake sbatch: dependency $d did not succeed" >&2; echo 1 > "$state/job.$id"; echo "$id"; exit 0; }
  done
fi
name=$(sed -n 's/^#SBATCH --job-name=//p' "$script" | head -1)
run_task() {  # [array index]
  local out="${output//%x/${name:-job}}"
  out="${out//%j/$id}"; out="${out//%A/$id}"; out="${out//%a/${1:-}}"
  if [[ -n "${1:-}" ]]; then
    SLURM_JOB_ID=$id SLURM_ARRAY_JOB_ID=$id SLURM_ARRAY_TASK_ID=$1 bash "$script" > "$out" 2>&1
  else
    SLURM_JOB_ID=$id bash "$script" > "$out" 2>&1
  fi
}
rc=0
if [[ -n "$array" ]]; then
  range="${array%%\%*}"
  for (( i = ${range%-*}; i <= ${range#*-}; i++ )); do run_task "$i" || rc=1; done
else
  run_task || rc=1
fi
echo "$rc" > "$state/job.$id"
echo "$id"
