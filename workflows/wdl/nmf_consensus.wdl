version 1.0

# nmf-consensus: consensus NMF clustering, four CLI stages wired as a scatter/gather.
#
#   preprocess      nmf-consensus preprocess   input_matrix                -> preprocess.tar (preprocess/)
#   plan_shards     nmf-consensus plan         ks, restarts, per shard     -> [[k, first, last], ...]
#   factorize[_gpu] nmf-consensus factorize    preprocess/, k, first-last  -> [null.]k<k>.r<a>-<b>.tar (one shard), scattered
#   consensus       nmf-consensus consensus    preprocess/, every shard    -> consensus/ files + consensus.tar, gathered
#   report          nmf-consensus report       consensus/ (+annotations)   -> report.html, summary.json, figures
#
# WDL 1.0 has no Directory type, so a stage's folder travels between tasks as an uncompressed tar.
# The gathered consensus/ is byte-identical to `nmf-consensus run` with the same parameters and backend.
# use_gpu picks the factorize_gpu task (same command, GPU runtime attributes) for every shard.

workflow nmf_consensus {
  input {
    # generated from schemas/params.schema.json by npm run gen:workflows: do not edit
    File input_matrix
    File? features_file
    File? annotations
    Boolean pdf = false
    String ks = "2-5"
    Int restarts = 20
    Int null_restarts = 10
    Int restarts_per_shard = 10
    Int seed = 123456789
    String algorithm = "brunet"
    Int max_iter = 2000
    Int check_every = 10
    Int stable_checks = 40
    String stop = "auto"
    Float tol = 0.0001
    String backend = "auto"
    Int workers = 0
    String kernels = "auto"
    Float max_device_mb = 1024
    Int max_consensus_n = 10000
    Int consensus_sample_n = 5000
    String log_format = "text"
    String negatives = "error"
    Int min_samples_per_feature = 0
    Int min_features_per_sample = 0
    String normalize = "none"
    Int top_features = 0
    String top_features_by = "fano"
    Boolean scale_features = false
    Boolean transpose = false
    String docker = "ghcr.io/nmf-consensus/nmf-consensus:0.1.0"
    Int preemptible = 2
    Int max_retries = 1
    Int? disk_gb
    Int memory_gb = 8
    Int cpu = 2
    String zones = "us-central1-a us-central1-b us-central1-c us-central1-f"
    Boolean use_gpu = false
    String gpu_type = "nvidia-tesla-t4"
    Int gpu_count = 1
    String nvidia_driver_version = "535.104.05"
    String accelerator_type = "nvidia-tesla-t4"
    Int boot_disk_gb = 30
  }

  call preprocess {
    input:
      input_matrix = input_matrix,
      features_file = features_file,
      negatives = negatives,
      min_samples_per_feature = min_samples_per_feature,
      min_features_per_sample = min_features_per_sample,
      normalize = normalize,
      top_features = top_features,
      top_features_by = top_features_by,
      scale_features = scale_features,
      transpose = transpose,
      log_format = log_format,
      docker = docker, cpu = cpu, memory_gb = memory_gb, disk_gb = disk_gb,
      preemptible = preemptible, max_retries = max_retries, zones = zones
  }

  call plan_shards {
    input:
      ks = ks,
      restarts = restarts,
      null_restarts = null_restarts,
      restarts_per_shard = restarts_per_shard,
      docker = docker, preemptible = preemptible, zones = zones
  }

  # scatter: one factorize task per shard [k, first, last]
  scatter (shard in plan_shards.shards) {
    if (!use_gpu) {
      call factorize {
        input:
          prep_tar = preprocess.prep_tar,
          k = shard[0], first = shard[1], last = shard[2], baseline = shard[3] == 1,
          seed = seed, algorithm = algorithm, max_iter = max_iter, check_every = check_every,
          stable_checks = stable_checks, stop = stop, tol = tol, backend = backend, workers = workers, kernels = kernels,
          max_device_mb = max_device_mb, log_format = log_format,
          docker = docker, cpu = cpu, memory_gb = memory_gb, disk_gb = disk_gb,
          preemptible = preemptible, max_retries = max_retries, zones = zones
      }
    }
    if (use_gpu) {
      call factorize_gpu {
        input:
          prep_tar = preprocess.prep_tar,
          k = shard[0], first = shard[1], last = shard[2], baseline = shard[3] == 1,
          seed = seed, algorithm = algorithm, max_iter = max_iter, check_every = check_every,
          stable_checks = stable_checks, stop = stop, tol = tol, backend = backend, workers = workers, kernels = kernels,
          max_device_mb = max_device_mb, log_format = log_format,
          docker = docker + "-gpu", cpu = cpu, memory_gb = memory_gb, disk_gb = disk_gb,
          preemptible = preemptible, max_retries = max_retries, zones = zones,
          gpu_type = gpu_type, gpu_count = gpu_count, nvidia_driver_version = nvidia_driver_version,
          accelerator_type = accelerator_type, boot_disk_gb = boot_disk_gb
      }
    }
    File shard_tar = select_first([factorize.shard_tar, factorize_gpu.shard_tar])
  }

  # gather: every shard of every k into one consensus
  call consensus {
    input:
      prep_tar = preprocess.prep_tar,
      shard_tars = shard_tar,
      restarts = restarts,
      null_restarts = null_restarts,
      max_consensus_n = max_consensus_n,
      consensus_sample_n = consensus_sample_n,
      log_format = log_format,
      docker = docker, cpu = cpu, memory_gb = memory_gb, disk_gb = disk_gb,
      preemptible = preemptible, max_retries = max_retries, zones = zones
  }

  call report {
    input:
      consensus_tar = consensus.consensus_tar,
      annotations = annotations,
      pdf = pdf,
      log_format = log_format,
      docker = docker, disk_gb = disk_gb,
      preemptible = preemptible, max_retries = max_retries, zones = zones
  }

  output {
    File preprocess_json = preprocess.preprocess_json
    Array[File] consensus_gct = consensus.consensus_gct
    File membership_gct = consensus.membership_gct
    File metrics_tsv = consensus.metrics_tsv
    File consensus_json = consensus.consensus_json
    File consensus_tar = consensus.consensus_tar
    File report_html = report.report_html
    File summary_json = report.summary_json
    Array[File] figures = report.figures
    Array[File] pdf_report = report.pdf_report
    String nmf_consensus_version = preprocess.nmf_consensus_version
  }

  meta {
    description: "Consensus NMF clustering (Brunet/Lee, as R NMF and GenePattern NMFConsensus): preprocess, factorize every (k, restart range) shard in parallel, gather one consensus, report the recommended k."
    author: "nmf-consensus"
    allowNestedInputs: true
  }

  parameter_meta {
    # generated from schemas/params.schema.json by npm run gen:workflows: do not edit
    input_matrix: "Expression matrix: GCT 1.2/1.3, TSV or CSV (features x samples), optionally gzipped."
    features_file: "Keep only the features listed in this file (one id per line, or the first column of a TSV/CSV; preprocess --features-file)."
    annotations: "TSV with a header: sample id, then annotation columns; the first is drawn beside the heatmaps (report --annotations)."
    pdf: "Also write report.pdf (report --pdf)."
    ks: "Ranks to test: '2-6', '2,3,5' or a list of integers >= 2."
    restarts: "Restarts per k."
    null_restarts: "Restarts per k of the random-data baseline: the matrix with each sample's column permuted (R NMF randomize), factorized like the data; 0 turns it off."
    restarts_per_shard: "Restarts per factorize task (shard): changes how the work is split, never the results."
    seed: "Master seed (0 to 2^53 - 1)."
    algorithm: "Update rule: brunet (KL multiplicative), lee (Frobenius multiplicative) or hals (Frobenius coordinate descent)."
    max_iter: "Iteration cap per restart."
    check_every: "Iterations between connectivity checks."
    stable_checks: "Unchanged checks before stopping (0 disables early stop)."
    stop: "Stop rule: connectivity (R NMF: sample labels unchanged for more than stable_checks checks), objective (relative decrease of the objective between checks below tol, as scikit-learn), both (both must hold), or auto (the algorithm's default: connectivity for brunet, objective for lee and hals)."
    tol: "Tolerance of the objective stop rule: stop once (f at the previous check - f now) / f at the start < tol, with f = sqrt(2 x objective) (||A - WH||_F for lee and hals), as scikit-learn."
    backend: "Compute backend."
    workers: "Threads for the fused kernels: 0 (default) = the cores available to the process (affinity and cgroup CPU quota); factorize runs the restarts of its k on them, run all restarts of all k on one pool. Results do not depend on it."
    kernels: "Update kernels: auto (fused on the wasm and webgpu backends, else ops), fused (on the webgpu backend the WGSL kernels on the WebGPU device, shards say webgpu-fused; elsewhere the AssemblyScript wasm-SIMD kernels on the CPU, shards say wasm-fused) or ops (tfjs-core ops on the chosen backend; the reference)."
    max_device_mb: "Device memory budget for the data matrix in MiB; a larger matrix is streamed in row blocks every iteration. 0 = no limit."
    max_consensus_n: "Largest number of samples for which consensus matrices are built and written; above it metrics come from labels (dispersion exact, PAC on sampled pairs, tree/cophenetic/silhouette on a subsample)."
    consensus_sample_n: "Above max_consensus_n: size of the seeded stratified subsample for the tree, cophenetic and silhouette (at most max_consensus_n)."
    log_format: "Log lines as text or JSON."
    negatives: "Negative values: error, clamp to 0, or shift by the minimum."
    min_samples_per_feature: "Preprocess: keep a feature only when it is nonzero in at least this many samples (0 = off)."
    min_features_per_sample: "Preprocess: keep a sample only when it is nonzero in at least this many features (0 = off)."
    normalize: "Preprocess: none, cp10k (each sample scaled to sum 10,000), tpm (to sum 1,000,000) or log1p (cp10k, then natural log(1 + x))."
    top_features: "Preprocess: keep the N features with the highest top_features_by score (0 = keep all)."
    top_features_by: "Preprocess: feature score for top_features: variance, cv (sd / mean) or fano (variance / mean)."
    scale_features: "Preprocess: divide each feature by its standard deviation, without centering (cNMF)."
    transpose: "Preprocess: the input holds samples x features (e.g. cells x genes in a CSV/TSV/GCT): transpose it first. Not needed for .h5ad (always cells x genes) or 10x files."
    docker: "Image for every task (containers/IMAGE); factorize_gpu uses this name with -gpu appended."
    preemptible: "Preemptible (spot) attempts on Google before a regular VM (ignored by HealthOmics)."
    max_retries: "Retries of a failed task."
    disk_gb: "Local disk per task, GB (default: sized from each task's inputs with size(); ignored by HealthOmics)."
    memory_gb: "Memory for preprocess, factorize and consensus, GB."
    cpu: "CPUs for preprocess, factorize and consensus (factorize's workers when workers is 0)."
    zones: "Google zones (space-separated); pick zones that have gpu_type when use_gpu is true (ignored by HealthOmics)."
    use_gpu: "Run factorize with one GPU per shard (factorize_gpu: GPU image, GPU runtime attributes, backend tensorflow unless backend names another)."
    gpu_type: "Terra/Cromwell on Google: GPU type, e.g. nvidia-tesla-t4, nvidia-l4."
    gpu_count: "GPUs per factorize task (Google gpuCount, HealthOmics acceleratorCount)."
    nvidia_driver_version: "Terra/Cromwell on Google: NVIDIA driver version (CUDA 11.8 needs >= 520)."
    accelerator_type: "AWS HealthOmics: acceleratorType, e.g. nvidia-tesla-t4, nvidia-tesla-a10g."
    boot_disk_gb: "Terra/Cromwell on Google: boot disk of factorize_gpu VMs, GB (the CUDA image is several GB)."
  }
}

# nmf-consensus preprocess: input_matrix (+ features_file) -> preprocess/ (matrix.npy, features.tsv, samples.tsv, preprocess.json)
task preprocess {
  input {
    File input_matrix
    File? features_file
    String negatives
    Int min_samples_per_feature
    Int min_features_per_sample
    String normalize
    Int top_features
    String top_features_by
    Boolean scale_features
    Boolean transpose
    String log_format
    String docker
    Int cpu
    Int memory_gb
    Int? disk_gb
    Int preemptible
    Int max_retries
    String zones
  }

  # disk: the inputs, what the task unpacks and writes, and 10 GB for the image and scratch
  Int disk = select_first([disk_gb, ceil(size(input_matrix, "GiB") * 10 + size(features_file, "GiB")) + 10])

  command <<<
    set -euo pipefail
    nmf-consensus preprocess \
      --input '~{input_matrix}' \
      --negatives ~{negatives} \
      --min-samples-per-feature ~{min_samples_per_feature} \
      --min-features-per-sample ~{min_features_per_sample} \
      --normalize ~{normalize} \
      --top-features ~{top_features} \
      --top-features-by ~{top_features_by} \
      --scale-features=~{scale_features} \
      --transpose=~{transpose} \
      ~{"--features-file " + features_file} \
      --log-format ~{log_format} \
      --outdir preprocess
    tar -cf preprocess.tar preprocess
    nmf-consensus --version > version.txt
  >>>

  output {
    File prep_tar = "preprocess.tar"
    File preprocess_json = "preprocess/preprocess.json"
    String nmf_consensus_version = read_string("version.txt")
  }

  runtime {
    docker: docker
    cpu: cpu
    memory: "~{memory_gb} GiB"
    disks: "local-disk ~{disk} HDD"
    preemptible: preemptible
    maxRetries: max_retries
    zones: zones
  }

  meta {
    description: "nmf-consensus preprocess: read and check the matrix, handle negatives, drop all-zero rows and columns."
  }

  parameter_meta {
    input_matrix: { description: "Expression matrix (GCT, TSV or CSV, optionally .gz).", localization_optional: false }
    prep_tar: "preprocess/ as a tar, for factorize and consensus."
  }
}

# nmf-consensus plan: ks, restarts, null_restarts, restarts_per_shard -> shards.json: [[k, first, last, baseline], ...],
# one per shard (baseline 1: a shard of the random-data baseline, factorize --null).
# The CLI holds the one scatter rule (the Nextflow PLAN process and workflows/slurm/submit.sh call it too).
task plan_shards {
  input {
    String ks
    Int restarts
    Int null_restarts
    Int restarts_per_shard
    String docker
    Int preemptible
    String zones
  }

  command <<<
    set -euo pipefail
    nmf-consensus plan --ks '~{ks}' --restarts ~{restarts} --null-restarts ~{null_restarts} --restarts-per-shard ~{restarts_per_shard} --format json > shards.json
  >>>

  output {
    Array[Array[Int]] shards = read_json("shards.json")
  }

  runtime {
    docker: docker
    cpu: 1
    memory: "1 GiB"
    disks: "local-disk 10 HDD"
    preemptible: preemptible
    maxRetries: 0
    zones: zones
  }

  meta {
    description: "The scatter plan: every k x every range of restarts_per_shard restarts."
  }
}

# nmf-consensus factorize: preprocess/, k, restarts first-last -> one shard k<k>.r<first>-<last>/ (as a tar)
task factorize {
  input {
    File prep_tar
    Int k
    Int first
    Int last
    Boolean baseline
    Int seed
    String algorithm
    Int max_iter
    Int check_every
    Int stable_checks
    String stop
    Float tol
    String backend
    Int workers
    String kernels
    Float max_device_mb
    String log_format
    String docker
    Int cpu
    Int memory_gb
    Int? disk_gb
    Int preemptible
    Int max_retries
    String zones
  }
  String shard = (if baseline then "null." else "") + "k~{k}.r~{first}-~{last}"

  # disk: the inputs, what the task unpacks and writes, and 10 GB for the image and scratch
  Int disk = select_first([disk_gb, ceil(size(prep_tar, "GiB") * 2) + 10])

  command <<<
    set -euo pipefail
    tar -xf '~{prep_tar}'
    nmf-consensus factorize \
      --prep preprocess \
      -k ~{k} \
      --restarts ~{first}-~{last} \
      ~{if baseline then "--null" else ""} \
      --seed ~{seed} \
      --algorithm ~{algorithm} \
      --max-iter ~{max_iter} \
      --check-every ~{check_every} \
      --stable-checks ~{stable_checks} \
      --stop ~{stop} \
      --tol ~{tol} \
      --backend ~{backend} \
      --workers ~{if workers > 0 then workers else cpu} \
      --kernels ~{kernels} \
      --max-device-mb ~{max_device_mb} \
      --log-format ~{log_format} \
      --outdir shards
    tar -cf ~{shard}.tar -C shards ~{shard}
  >>>

  output {
    File shard_tar = "~{shard}.tar"
  }

  runtime {
    docker: docker
    cpu: cpu
    memory: "~{memory_gb} GiB"
    disks: "local-disk ~{disk} HDD"
    preemptible: preemptible
    maxRetries: max_retries
    zones: zones
  }

  meta {
    description: "nmf-consensus factorize on CPU: one k, one range of restarts."
  }
}

# factorize with one GPU per task: the same command but a GPU backend (tensorflow, or webgpu when
# backend says so), so a VM without a working GPU fails at once (exit 5) instead of computing on the
# CPU, and CUDA's JIT cache in the task folder; GPU runtime attributes for Terra/Cromwell on Google
# (gpuType, gpuCount, nvidiaDriverVersion, bootDiskSizeGb, zones) and AWS HealthOmics (acceleratorType,
# acceleratorCount). miniwdl's podman backend ignores gpu: true; its docker backend needs configuring.
task factorize_gpu {
  input {
    File prep_tar
    Int k
    Int first
    Int last
    Boolean baseline
    Int seed
    String algorithm
    Int max_iter
    Int check_every
    Int stable_checks
    String stop
    Float tol
    String backend
    Int workers
    String kernels
    Float max_device_mb
    String log_format
    String docker
    Int cpu
    Int memory_gb
    Int? disk_gb
    Int preemptible
    Int max_retries
    String zones
    String gpu_type
    Int gpu_count
    String nvidia_driver_version
    String accelerator_type
    Int boot_disk_gb
  }
  String shard = (if baseline then "null." else "") + "k~{k}.r~{first}-~{last}"

  # disk: the inputs, what the task unpacks and writes, and 10 GB for the image and scratch
  Int disk = select_first([disk_gb, ceil(size(prep_tar, "GiB") * 2) + 10])

  command <<<
    set -euo pipefail
    export CUDA_CACHE_PATH="$PWD/.cuda-cache"   # the image's home may not be writable
    tar -xf '~{prep_tar}'
    nmf-consensus factorize \
      --prep preprocess \
      -k ~{k} \
      --restarts ~{first}-~{last} \
      ~{if baseline then "--null" else ""} \
      --seed ~{seed} \
      --algorithm ~{algorithm} \
      --max-iter ~{max_iter} \
      --check-every ~{check_every} \
      --stable-checks ~{stable_checks} \
      --stop ~{stop} \
      --tol ~{tol} \
      --backend ~{if backend == "webgpu" then "webgpu" else "tensorflow"} \
      --workers ~{if workers > 0 then workers else cpu} \
      --kernels ~{kernels} \
      --max-device-mb ~{max_device_mb} \
      --log-format ~{log_format} \
      --outdir shards
    tar -cf ~{shard}.tar -C shards ~{shard}
  >>>

  output {
    File shard_tar = "~{shard}.tar"
  }

  runtime {
    docker: docker
    cpu: cpu
    memory: "~{memory_gb} GiB"
    disks: "local-disk ~{disk} HDD"
    preemptible: preemptible
    maxRetries: max_retries
    zones: zones
    gpu: true
    gpuType: gpu_type
    gpuCount: gpu_count
    bootDiskSizeGb: boot_disk_gb  # !UnknownRuntimeKey (Cromwell on Google)
    nvidiaDriverVersion: nvidia_driver_version  # !UnknownRuntimeKey (Cromwell on Google)
    acceleratorType: accelerator_type  # !UnknownRuntimeKey (HealthOmics)
    acceleratorCount: gpu_count  # !UnknownRuntimeKey (HealthOmics)
  }

  meta {
    description: "nmf-consensus factorize on a GPU: one k, one range of restarts."
  }
}

# nmf-consensus consensus: preprocess/ + every shard of every k -> consensus/
task consensus {
  input {
    File prep_tar
    Array[File] shard_tars
    Int restarts
    Int null_restarts
    Int max_consensus_n
    Int consensus_sample_n
    String log_format
    String docker
    Int cpu
    Int memory_gb
    Int? disk_gb
    Int preemptible
    Int max_retries
    String zones
  }

  # disk: the inputs, what the task unpacks and writes, and 10 GB for the image and scratch
  Int disk = select_first([disk_gb, ceil(size(prep_tar, "GiB") * 2 + size(shard_tars, "GiB") * 2) + 10])

  command <<<
    set -euo pipefail
    tar -xf '~{prep_tar}'
    mkdir -p shards
    while read -r t; do tar -xf "$t" -C shards; done < '~{write_lines(shard_tars)}'
    nmf-consensus consensus \
      --prep preprocess \
      --shards shards \
      --restarts ~{restarts} \
      --null-restarts ~{null_restarts} \
      --max-consensus-n ~{max_consensus_n} \
      --consensus-sample-n ~{consensus_sample_n} \
      --log-format ~{log_format} \
      --outdir consensus
    tar -cf consensus.tar consensus
  >>>

  output {
    Array[File] consensus_gct = glob("consensus/consensus.k.*.gct")
    File membership_gct = "consensus/membership.gct"
    File metrics_tsv = "consensus/metrics.tsv"
    File consensus_json = "consensus/consensus.json"
    File consensus_tar = "consensus.tar"
  }

  runtime {
    docker: docker
    cpu: cpu
    memory: "~{memory_gb} GiB"
    disks: "local-disk ~{disk} HDD"
    preemptible: preemptible
    maxRetries: max_retries
    zones: zones
  }

  meta {
    description: "nmf-consensus consensus: merge all shards (--restarts and --null-restarts make a missing shard of the data or of the random-data baseline an error), per-k metrics."
  }
}

# nmf-consensus report: consensus/ (+ annotations) -> report/ (report.html, figures/, summary.json)
task report {
  input {
    File consensus_tar
    File? annotations
    Boolean pdf
    String log_format
    String docker
    Int? disk_gb
    Int preemptible
    Int max_retries
    String zones
  }

  # disk: the inputs, what the task unpacks and writes, and 10 GB for the image and scratch
  Int disk = select_first([disk_gb, ceil(size(consensus_tar, "GiB") * 3) + 10])

  command <<<
    set -euo pipefail
    tar -xf '~{consensus_tar}'
    nmf-consensus report \
      --consensus consensus \
      ~{"--annotations " + annotations} \
      ~{if pdf then "--pdf" else ""} \
      --log-format ~{log_format} \
      --outdir report
  >>>

  output {
    File report_html = "report/report.html"
    File summary_json = "report/summary.json"
    Array[File] figures = glob("report/figures/*")
    Array[File] pdf_report = glob("report/*.pdf")
  }

  runtime {
    docker: docker
    cpu: 1
    memory: "4 GiB"
    disks: "local-disk ~{disk} HDD"
    preemptible: preemptible
    maxRetries: max_retries
    zones: zones
  }

  meta {
    description: "nmf-consensus report: self-contained report.html, figures, summary.json (recommended k and why)."
  }
}
