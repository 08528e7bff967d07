/*
 * FACTORIZE: `nmf-consensus factorize`, one task per shard (k, restarts first..last, baseline 0|1)
 *   reads   preprocess/  (from PREPROCESS)
 *   writes  shards/k<k>.r<first>-<last>/ or, for the random-data baseline (--null), shards/null.k<k>.r<first>-<last>/ (shard.json, labels.bin, W.npy, best_W.npy, best_H.npy)
 * The shard's result depends only on (matrix, parameters, seed, k, restart), never on how the
 * restarts were split, so CONSENSUS gives the same bytes as `nmf-consensus run`.
 * label process_gpu: runs on a GPU when the `gpu` profile is on (see conf/base.config), with an
 * explicit GPU backend (ext.backend). --workers 0 (the default) becomes the task's cpus. The JIT
 * cache of CUDA goes to the task folder (the image's home may not be writable).
 */
process FACTORIZE {
    tag "${meta.id} k=${k} r${first}-${last}${baseline ? ' baseline' : ''}"
    label 'process_gpu'
    container "${params.container}"

    input:
    tuple val(meta), path(prep), val(k), val(first), val(last), val(baseline)

    output:
    tuple val(meta), path("shards/${baseline ? 'null.' : ''}k${k}.r${first}-${last}"), emit: shard
    path "versions.yml"                                     , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def backend = task.ext.backend ?: params.backend
    def workers = params.workers ?: task.cpus
    """
    export CUDA_CACHE_PATH="\${CUDA_CACHE_PATH:-\$PWD/.cuda-cache}"
    nmf-consensus factorize \\
        --prep ${prep} \\
        -k ${k} \\
        --restarts ${first}-${last} \\
        --seed ${params.seed} \\
        --algorithm ${params.algorithm} \\
        --max-iter ${params.max_iter} \\
        --check-every ${params.check_every} \\
        --stable-checks ${params.stable_checks} \\
        --stop ${params.stop} \\
        --tol ${params.tol} \\
        --backend ${backend} \\
        --workers ${workers} \\
        --kernels ${params.kernels} \\
        --max-device-mb ${params.max_device_mb} \\
        --log-format ${params.log_format} \\
        ${baseline ? '--null' : ''} \\
        --outdir shards \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        nmf-consensus: \$(nmf-consensus --version)
    END_VERSIONS
    """

    stub:
    """
    mkdir -p shards/${baseline ? 'null.' : ''}k${k}.r${first}-${last}
    echo '{}' > shards/${baseline ? 'null.' : ''}k${k}.r${first}-${last}/shard.json
    touch shards/${baseline ? 'null.' : ''}k${k}.r${first}-${last}/labels.bin

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        nmf-consensus: \$(nmf-consensus --version)
    END_VERSIONS
    """
}
