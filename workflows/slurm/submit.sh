#!/bin/bash
# Submit nmf-consensus to Slurm as three dependent jobs (no workflow engine needed):
#   1. preprocess.sbatch                                   input -> OUTDIR/preprocess/
#   2. factorize.sbatch, a job array, one task per shard    --dependency=afterok:<1>, -p PARTITION, --gres=gpu:1
#   3. consensus.sbatch (consensus, then report)           --dependency=afterok:<2>
# The shards are every k in --ks x every range of --restarts-per-shard restarts (same rule as the
# Nextflow and WDL workflows); the list goes to OUTDIR/slurm/shards.tsv, logs to OUTDIR/slurm/logs/.
#
# usage: submit.sh --input FILE --outdir DIR [--ks 2-5] [--restarts 20] [--restarts-per-shard 10]
#                  [--config params.yaml] [--features-file FILE] [--annotations FILE] [--pdf]
#                  [--partition gpu] [--cpu-partition P]
#                  [--max-parallel N] [--image IMAGE.sif] [--sbatch-opt OPT]... [--dry-run]
# Other parameters (seed, algorithm, max_iter, backend, normalize, ...) go in --config params.yaml, with the
# names of conf/defaults.yaml. NMF_CLI overrides the command (default: nmf-consensus on PATH);
# --image runs every stage in an Apptainer image instead (apptainer exec --nv IMAGE nmf-consensus).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

input="" outdir="" ks="2-5" restarts=20 per_shard=10 config="" annotations="" features_file="" pdf=""
partition="gpu" cpu_partition="" max_parallel="" image="" dry_run=0
sbatch_opts=()
while (( $# )); do
  if [[ "$1" == --*=* ]]; then set -- "${1%%=*}" "${1#*=}" "${@:2}"; fi   # --opt=value -> --opt value
  case "$1" in
    --input) input="$2"; shift 2 ;;
    --outdir) outdir="$2"; shift 2 ;;
    --ks) ks="$2"; shift 2 ;;
    --restarts) restarts="$2"; shift 2 ;;
    --restarts-per-shard) per_shard="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --annotations) annotations="$2"; shift 2 ;;
    --features-file) features_file="$2"; shift 2 ;;
    --pdf) pdf=1; shift ;;
    --partition) partition="$2"; shift 2 ;;
    --cpu-partition) cpu_partition="$2"; shift 2 ;;
    --max-parallel) max_parallel="$2"; shift 2 ;;
    --image) image="$2"; shift 2 ;;
    --sbatch-opt) sbatch_opts+=("$2"); shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "submit.sh: unknown option $1" >&2; usage ;;
  esac
done
[[ -n "$input" && -n "$outdir" ]] || { echo "submit.sh: --input and --outdir are required" >&2; usage; }
[[ -r "$input" ]] || { echo "submit.sh: cannot read --input $input" >&2; exit 2; }
abspath() { [[ "$1" = /* ]] && echo "$1" || echo "$PWD/$1"; }

# the scatter plan: "k first last" per line
plan_shards() {  # ks restarts per_shard
  local part lo hi k a b
  (( $2 >= 1 && $3 >= 1 )) || { echo "submit.sh: --restarts and --restarts-per-shard must be at least 1" >&2; return 2; }
  IFS=',' read -ra parts <<< "$1"
  for part in "${parts[@]}"; do
    part="${part// /}"; lo="${part%%-*}"; hi="${part##*-}"
    if ! [[ "$lo" =~ ^[0-9]+$ && "$hi" =~ ^[0-9]+$ ]] || (( lo < 2 || hi < lo )); then
      echo "submit.sh: --ks: '$part' is not a rank >= 2 or a range lo-hi with lo <= hi" >&2; return 2
    fi
    seq "$lo" "$hi"
  done | sort -n -u | while read -r k; do
    for (( a = 0; a < $2; a += $3 )); do
      b=$(( a + $3 - 1 < $2 - 1 ? a + $3 - 1 : $2 - 1 ))
      echo "$k $a $b"
    done
  done
}

outdir="$(abspath "$outdir")"
mkdir -p "$outdir/slurm/logs"
plan_shards "$ks" "$restarts" "$per_shard" > "$outdir/slurm/shards.tsv"
n=$(wc -l < "$outdir/slurm/shards.tsv")
array="0-$(( n - 1 ))${max_parallel:+%$max_parallel}"

cli="${NMF_CLI:-nmf-consensus}"
[[ -n "$image" ]] && cli="apptainer exec --nv $(abspath "$image") nmf-consensus"
export NMF_CLI="$cli" NMF_OUTDIR="$outdir" NMF_INPUT="$(abspath "$input")" NMF_SHARDS="$outdir/slurm/shards.tsv" NMF_RESTARTS="$restarts"
export NMF_CONFIG="${config:+$(abspath "$config")}" NMF_ANNOTATIONS="${annotations:+$(abspath "$annotations")}"
export NMF_FEATURES_FILE="${features_file:+$(abspath "$features_file")}" NMF_PDF="$pdf"

cpu_p=(); [[ -n "$cpu_partition" ]] && cpu_p=(--partition "$cpu_partition")
logs="$outdir/slurm/logs"
submit() { if (( dry_run )); then echo "sbatch $*" >&2; echo "$RANDOM"; else sbatch --parsable --export=ALL "$@" | cut -d';' -f1; fi; }

pre=$(submit "${cpu_p[@]}" "${sbatch_opts[@]}" --output "$logs/%x-%j.out" "$here/preprocess.sbatch")
fac=$(submit --partition "$partition" --array "$array" --dependency "afterok:$pre" "${sbatch_opts[@]}" --output "$logs/%x-%A_%a.out" "$here/factorize.sbatch")
con=$(submit "${cpu_p[@]}" --dependency "afterok:$fac" "${sbatch_opts[@]}" --output "$logs/%x-%j.out" "$here/consensus.sbatch")

echo "preprocess job $pre; factorize array job $fac ($n shards, partition $partition); consensus+report job $con"
echo "results: $outdir/consensus/ and $outdir/report/report.html; logs: $logs/"
printf '%s\n' "$pre" "$fac" "$con" > "$outdir/slurm/jobs.txt"
