#!/bin/bash
# Submit nmf-consensus to Slurm as three dependent jobs (no workflow engine needed):
#   1. preprocess.sbatch                                   input -> OUTDIR/preprocess/
#   2. factorize.sbatch, a job array, one task per shard    --dependency=afterok:<1>
#   3. consensus.sbatch (consensus, then report)           --dependency=afterok:<2>
# Dependent jobs use --kill-on-invalid-dep=yes: when a job fails, the ones after it are cancelled
# instead of waiting in the queue forever. The shards are what `nmf-consensus plan` prints (the one
# scatter rule, shared with the Nextflow and WDL workflows); the list goes to OUTDIR/slurm/shards.tsv,
# logs to OUTDIR/slurm/logs/.
#
# usage: submit.sh --input FILE --outdir DIR [--ks 2-5] [--restarts 20] [--restarts-per-shard 10]
#                  [--config params.yaml] [--features-file FILE] [--annotations FILE] [--pdf]
#                  [--partition P] [--cpu-partition P] [--gpu] [--backend B]
#                  [--max-parallel N] [--image IMAGE.sif] [--sbatch-opt OPT]... [--dry-run]
# No partition is chosen unless given (the cluster's default partition): --partition for the
# factorize array, --cpu-partition for the other two. --gpu asks one GPU per shard (--gres=gpu:1),
# passes --nv to apptainer, sets CUDA_CACHE_PATH to OUTDIR/slurm/cuda-cache and runs factorize with
# --backend tensorflow, so a node without a working GPU fails at once (exit 5) instead of computing
# on the CPU; --backend overrides that choice. factorize gets --workers = the task's
# --cpus-per-task. Other parameters (seed, algorithm, max_iter, normalize, ...) go in --config
# params.yaml, with the names of conf/defaults.yaml; --ks and --restarts default to it.
# NMF_CLI overrides the command (default: nmf-consensus on PATH); --image runs every stage in an
# Apptainer image instead (apptainer exec, binding the folders of the input files and OUTDIR).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

input="" outdir="" ks="" restarts="" per_shard=10 config="" annotations="" features_file="" pdf=""
partition="" cpu_partition="" max_parallel="" image="" dry_run=0 gpu=0 backend=""
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
    --gpu) gpu=1; shift ;;
    --backend) backend="$2"; shift 2 ;;
    --sbatch-opt) sbatch_opts+=("$2"); shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "submit.sh: unknown option $1" >&2; usage ;;
  esac
done
[[ -n "$input" && -n "$outdir" ]] || { echo "submit.sh: --input and --outdir are required" >&2; usage; }
[[ -r "$input" ]] || { echo "submit.sh: cannot read --input $input" >&2; exit 2; }
abspath() { [[ "$1" = /* ]] && echo "$1" || echo "$PWD/$1"; }

outdir="$(abspath "$outdir")"
mkdir -p "$outdir/slurm/logs"
(( gpu )) && [[ -z "$backend" ]] && backend=tensorflow

cli="${NMF_CLI:-nmf-consensus}"
if [[ -n "$image" ]]; then
  binds="$outdir"
  for f in "$input" "$config" "$annotations" "$features_file"; do [[ -n "$f" ]] && binds+=",$(dirname "$(abspath "$f")")"; done
  cli="apptainer exec $( (( gpu )) && echo --nv ) --bind $binds $(abspath "$image") nmf-consensus"
fi
read -r -a cli_words <<< "$cli"

# the scatter plan, "k<TAB>first<TAB>last<TAB>baseline" per line, from the CLI itself
plan_args=(--restarts-per-shard "$per_shard")
[[ -n "$ks" ]] && plan_args+=(--ks "$ks")
[[ -n "$restarts" ]] && plan_args+=(--restarts "$restarts")
[[ -n "$config" ]] && plan_args+=(--config "$(abspath "$config")")
"${cli_words[@]}" plan "${plan_args[@]}" > "$outdir/slurm/shards.tsv" || { echo "submit.sh: nmf-consensus plan failed (see above)" >&2; exit 2; }
n=$(wc -l < "$outdir/slurm/shards.tsv")
restarts=$(awk -F'\t' '$4 == 0 && $3 + 1 > m { m = $3 + 1 } END { print m }' "$outdir/slurm/shards.tsv")
null_restarts=$(awk -F'\t' '$4 == 1 && $3 + 1 > m { m = $3 + 1 } END { print m + 0 }' "$outdir/slurm/shards.tsv")
array="0-$(( n - 1 ))${max_parallel:+%$max_parallel}"

export NMF_CLI="$cli" NMF_OUTDIR="$outdir" NMF_INPUT="$(abspath "$input")" NMF_SHARDS="$outdir/slurm/shards.tsv" NMF_RESTARTS="$restarts" NMF_NULL_RESTARTS="$null_restarts"
export NMF_CONFIG="${config:+$(abspath "$config")}" NMF_ANNOTATIONS="${annotations:+$(abspath "$annotations")}"
export NMF_FEATURES_FILE="${features_file:+$(abspath "$features_file")}" NMF_PDF="$pdf" NMF_BACKEND="$backend"
if (( gpu )); then mkdir -p "$outdir/slurm/cuda-cache"; export CUDA_CACHE_PATH="$outdir/slurm/cuda-cache"; fi

cpu_p=(); [[ -n "$cpu_partition" ]] && cpu_p=(--partition "$cpu_partition")
fac_p=(); [[ -n "$partition" ]] && fac_p=(--partition "$partition")
(( gpu )) && fac_p+=(--gres=gpu:1)
logs="$outdir/slurm/logs"
submit() { if (( dry_run )); then echo "sbatch $*" >&2; echo "$RANDOM"; else sbatch --parsable --export=ALL "$@" | cut -d';' -f1; fi; }

pre=$(submit "${cpu_p[@]}" "${sbatch_opts[@]}" --output "$logs/%x-%j.out" "$here/preprocess.sbatch")
fac=$(submit "${fac_p[@]}" --array "$array" --dependency "afterok:$pre" --kill-on-invalid-dep=yes "${sbatch_opts[@]}" --output "$logs/%x-%A_%a.out" "$here/factorize.sbatch")
con=$(submit "${cpu_p[@]}" --dependency "afterok:$fac" --kill-on-invalid-dep=yes "${sbatch_opts[@]}" --output "$logs/%x-%j.out" "$here/consensus.sbatch")

echo "preprocess job $pre; factorize array job $fac ($n shards${partition:+, partition $partition}$( (( gpu )) && echo ', one GPU each')); consensus+report job $con"
echo "results: $outdir/consensus/ and $outdir/report/report.html; logs: $logs/"
printf '%s\n' "$pre" "$fac" "$con" > "$outdir/slurm/jobs.txt"
