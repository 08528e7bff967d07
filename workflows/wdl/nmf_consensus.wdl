version 1.0

# nmf-consensus: consensus NMF clustering, four CLI stages wired as a scatter/gather.
#
#   preprocess      nmf-consensus preprocess   input_matrix                -> preprocess.tar (preprocess/)
#   plan_shards     nmf-consensus plan         ks, restarts, per shard     -> [[k, first, last], ...]
#   factorize[_gpu] nmf-consensus factorize    preprocess/, k, first-last  -> k<k>.r<a>-<b>.tar (one shard), scattered
#   consensus       nmf-consensus consensus    preprocess/, every shard    -> consensus/ files + consensus.tar, gathered
#   report          nmf-consensus report       consensus/ (+annotations)   -> report.html, summary.json, figures
#
# WDL 1.0 has no Directory type, so a stage's folder travels between tasks as an uncompressed tar.
# The gathered consensus/ is byte-identical to `nmf-consensus run` with the same parameters and backend.
# use_gpu picks the factorize_gpu task (same command, GPU runtime attributes) for every shard.

workflow nmf_consensus {
  input {
    File input_matrix
    File? features_file
    File? annotations
    Boolean pdf = false

    # the scatter: every k x every range of restarts_per_shard restarts is one factorize task
    String ks = "2-5"
    Int restarts = 20
    Int restarts_per_shard = 10

    # NMF parameters: names and defaults of schemas/params.schema.json / conf/defaults.yaml
    Int seed = 123456789
    String algorithm = "brunet"
    Int max_iter = 2000
    Int check_every = 10
    Int stable_checks = 40
    String backend = "auto"
    Int workers = 0
    String kernels = "auto"
    Int max_device_mb = 1024
    String negatives = "error"
    Int min_samples_per_feature = 0
    Int min_features_per_sample = 0
    String normalize = "none"
    Int top_features = 0
    String top_features_by = "fano"
    Boolean scale_features = false
    Boolean transpose = false
    Int max_consensus_n = 10000
    Int consensus_sample_n = 5000
    String log_format = "text"

    # runtime: the one image (containers/IMAGE); the GPU image is the same name with -gpu appended
    String docker = "ghcr.io/nmf-consensus/nmf-consensus:0.1.0"
    Int preemptible = 2
    Int max_retries = 1
    Int disk_gb = 20
    Int memory_gb = 8
    Int cpu = 2
    String zones = "us-central1-a us-central1-b us-central1-c us-central1-f"

    # GPUs for factorize: Terra/Cromwell on Google (gpu_type, gpu_count, nvidia_driver_version, zones)
    # and AWS HealthOmics (accelerator_type, gpu_count)
    Boolean use_gpu = false
    String gpu_type = "nvidia-tesla-t4"
    Int gpu_count = 1
    String nvidia_driver_version = "535.104.05"
    String accelerator_type = "nvidia-tesla-t4"
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
      restarts_per_shard = restarts_per_shard,
      docker = docker, preemptible = preemptible, zones = zones
  }

  # scatter: one factorize task per shard [k, first, last]
  scatter (shard in plan_shards.shards) {
    if (!use_gpu) {
      call factorize {
        input:
          prep_tar = preprocess.prep_tar,
          k = shard[0], first = shard[1], last = shard[2],
          seed = seed, algorithm = algorithm, max_iter = max_iter, check_every = check_every,
          stable_checks = stable_checks, backend = backend, workers = workers, kernels = kernels,
          max_device_mb = max_device_mb, log_format = log_format,
          docker = docker, cpu = cpu, memory_gb = memory_gb, disk_gb = disk_gb,
          preemptible = preemptible, max_retries = max_retries, zones = zones
      }
    }
    if (use_gpu) {
      call factorize_gpu {
        input:
          prep_tar = preprocess.prep_tar,
          k = shard[0], first = shard[1], last = shard[2],
          seed = seed, algorithm = algorithm, max_iter = max_iter, check_every = check_every,
          stable_checks = stable_checks, backend = backend, workers = workers, kernels = kernels,
          max_device_mb = max_device_mb, log_format = log_format,
          docker = docker + "-gpu", cpu = cpu, memory_gb = memory_gb, disk_gb = disk_gb,
          preemptible = preemptible, max_retries = max_retries, zones = zones,
          gpu_type = gpu_type, gpu_count = gpu_count, nvidia_driver_version = nvidia_driver_version,
          accelerator_type = accelerator_type
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
    input_matrix: "Expression matrix: GCT 1.2/1.3, TSV or CSV (features x samples), optionally gzipped."
    annotations: "Optional TSV (header; columns: sample id, group) drawn as a strip beside the heatmaps."
    pdf: "Also write report.pdf (nmf-consensus report --pdf)."
    ks: "Ranks to test: a range such as 2-6 or a list such as 2,3,5."
    restarts: "Restarts per k (50 recommended for publication)."
    restarts_per_shard: "Restarts per factorize task; changes how the work is split, never the results."
    seed: "Master seed; restart (k, r) starts from a random stream keyed by (seed, k, r)."
    algorithm: "Update rule: brunet (KL divergence) or lee (Frobenius)."
    max_iter: "Iteration cap per restart."
    check_every: "Iterations between connectivity checks."
    stable_checks: "Stop a restart after more than this many unchanged checks in a row (0: always run max_iter)."
    backend: "Compute backend: auto, tensorflow, webgpu, wasm, cpu."
    workers: "factorize: threads over the restarts of its shard; 0 = the cores available to the task (results do not depend on it)."
    kernels: "Update kernels: auto (fused on wasm, else ops), fused or ops."
    max_device_mb: "Device memory budget for the data matrix in MiB; a larger matrix is streamed in row blocks (0: no limit)."
    negatives: "Negative input values: error, clamp (to 0) or shift (subtract the minimum)."
    min_samples_per_feature: "Preprocess: keep a feature only when it is nonzero in at least this many samples (0: off)."
    min_features_per_sample: "Preprocess: keep a sample only when it is nonzero in at least this many features (0: off)."
    normalize: "Preprocess: none, cp10k, tpm or log1p."
    top_features: "Preprocess: keep the N features with the highest top_features_by score (0: keep all)."
    top_features_by: "Preprocess: variance, cv or fano."
    scale_features: "Preprocess: divide each feature by its standard deviation, without centering (cNMF)."
    transpose: "Preprocess: the input holds samples x features (cells x genes): transpose it first."
    features_file: "Optional list of features to keep (one id per line, or the first column of a TSV/CSV)."
    max_consensus_n: "Largest number of samples for which consensus matrices are built and written."
    consensus_sample_n: "Above max_consensus_n: size of the seeded stratified subsample for tree, cophenetic and silhouette."
    log_format: "Log lines on stderr: text or json."
    docker: "Image for every task (containers/IMAGE); factorize_gpu uses this name with -gpu appended."
    preemptible: "Preemptible (spot) attempts on Google before a regular VM."
    max_retries: "Retries of a failed task."
    disk_gb: "Local disk per task, GB."
    memory_gb: "Memory for preprocess, factorize and consensus, GB."
    cpu: "CPUs for preprocess, factorize and consensus."
    zones: "Google zones (space-separated); pick zones that have gpu_type when use_gpu is true."
    use_gpu: "Run factorize with one GPU per shard (factorize_gpu: GPU image and GPU runtime attributes)."
    gpu_type: "Terra/Cromwell on Google: GPU type, e.g. nvidia-tesla-t4, nvidia-l4."
    gpu_count: "GPUs per factorize task (Google gpuCount, HealthOmics acceleratorCount)."
    nvidia_driver_version: "Terra/Cromwell on Google: NVIDIA driver version (CUDA 11.8 needs >= 520)."
    accelerator_type: "AWS HealthOmics: acceleratorType, e.g. nvidia-tesla-t4, nvidia-tesla-a10g."
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
    Int disk_gb
    Int preemptible
    Int max_retries
    String zones
  }

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
    disks: "local-disk ~{disk_gb} HDD"
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

# nmf-consensus plan: ks, restarts, restarts_per_shard -> shards.json: [[k, first, last], ...], one per shard.
# The CLI holds the one scatter rule (the Nextflow PLAN process and workflows/slurm/submit.sh call it too).
task plan_shards {
  input {
    String ks
    Int restarts
    Int restarts_per_shard
    String docker
    Int preemptible
    String zones
  }

  command <<<
    set -euo pipefail
    nmf-consensus plan --ks '~{ks}' --restarts ~{restarts} --restarts-per-shard ~{restarts_per_shard} --format json > shards.json
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
    Int seed
    String algorithm
    Int max_iter
    Int check_every
    Int stable_checks
    String backend
    Int workers
    String kernels
    Int max_device_mb
    String log_format
    String docker
    Int cpu
    Int memory_gb
    Int disk_gb
    Int preemptible
    Int max_retries
    String zones
  }

  command <<<
    set -euo pipefail
    tar -xf '~{prep_tar}'
    nmf-consensus factorize \
      --prep preprocess \
      -k ~{k} \
      --restarts ~{first}-~{last} \
      --seed ~{seed} \
      --algorithm ~{algorithm} \
      --max-iter ~{max_iter} \
      --check-every ~{check_every} \
      --stable-checks ~{stable_checks} \
      --backend ~{backend} \
      --workers ~{workers} \
      --kernels ~{kernels} \
      --max-device-mb ~{max_device_mb} \
      --log-format ~{log_format} \
      --outdir shards
    tar -cf k~{k}.r~{first}-~{last}.tar -C shards k~{k}.r~{first}-~{last}
  >>>

  output {
    File shard_tar = "k~{k}.r~{first}-~{last}.tar"
  }

  runtime {
    docker: docker
    cpu: cpu
    memory: "~{memory_gb} GiB"
    disks: "local-disk ~{disk_gb} HDD"
    preemptible: preemptible
    maxRetries: max_retries
    zones: zones
  }

  meta {
    description: "nmf-consensus factorize on CPU: one k, one range of restarts."
  }
}

# factorize with one GPU per task: the same command (a test checks), GPU runtime attributes for
# Terra/Cromwell on Google (gpuType, gpuCount, nvidiaDriverVersion, zones) and AWS HealthOmics
# (acceleratorType, acceleratorCount); miniwdl reads gpu.
task factorize_gpu {
  input {
    File prep_tar
    Int k
    Int first
    Int last
    Int seed
    String algorithm
    Int max_iter
    Int check_every
    Int stable_checks
    String backend
    Int workers
    String kernels
    Int max_device_mb
    String log_format
    String docker
    Int cpu
    Int memory_gb
    Int disk_gb
    Int preemptible
    Int max_retries
    String zones
    String gpu_type
    Int gpu_count
    String nvidia_driver_version
    String accelerator_type
  }

  command <<<
    set -euo pipefail
    tar -xf '~{prep_tar}'
    nmf-consensus factorize \
      --prep preprocess \
      -k ~{k} \
      --restarts ~{first}-~{last} \
      --seed ~{seed} \
      --algorithm ~{algorithm} \
      --max-iter ~{max_iter} \
      --check-every ~{check_every} \
      --stable-checks ~{stable_checks} \
      --backend ~{backend} \
      --workers ~{workers} \
      --kernels ~{kernels} \
      --max-device-mb ~{max_device_mb} \
      --log-format ~{log_format} \
      --outdir shards
    tar -cf k~{k}.r~{first}-~{last}.tar -C shards k~{k}.r~{first}-~{last}
  >>>

  output {
    File shard_tar = "k~{k}.r~{first}-~{last}.tar"
  }

  runtime {
    docker: docker
    cpu: cpu
    memory: "~{memory_gb} GiB"
    disks: "local-disk ~{disk_gb} HDD"
    preemptible: preemptible
    maxRetries: max_retries
    zones: zones
    gpu: true
    gpuType: gpu_type
    gpuCount: gpu_count
    nvidiaDriverVersion: nvidia_driver_version
    acceleratorType: accelerator_type
    acceleratorCount: gpu_count
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
    Int max_consensus_n
    Int consensus_sample_n
    String log_format
    String docker
    Int cpu
    Int memory_gb
    Int disk_gb
    Int preemptible
    Int max_retries
    String zones
  }

  command <<<
    set -euo pipefail
    tar -xf '~{prep_tar}'
    mkdir -p shards
    while read -r t; do tar -xf "$t" -C shards; done < '~{write_lines(shard_tars)}'
    nmf-consensus consensus \
      --prep preprocess \
      --shards shards \
      --restarts ~{restarts} \
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
    disks: "local-disk ~{disk_gb} HDD"
    preemptible: preemptible
    maxRetries: max_retries
    zones: zones
  }

  meta {
    description: "nmf-consensus consensus: merge all shards (--restarts makes a missing shard an error), per-k metrics."
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
    Int disk_gb
    Int preemptible
    Int max_retries
    String zones
  }

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
    disks: "local-disk ~{disk_gb} HDD"
    preemptible: preemptible
    maxRetries: max_retries
    zones: zones
  }

  meta {
    description: "nmf-consensus report: self-contained report.html, figures, summary.json (recommended k and why)."
  }
}
