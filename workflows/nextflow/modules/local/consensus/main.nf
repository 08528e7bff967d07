/*
 * CONSENSUS: `nmf-consensus consensus`, one task gathering every shard of every k
 *   reads   preprocess/ (from PREPROCESS) and all shards/[null.]k<k>.r<a>-<b>/ (from FACTORIZE),
 *           staged side by side under shards/
 *   writes  consensus/  (consensus.k.<k>.gct, membership.gct, metrics.tsv, consensus.json, ...)
 * --restarts and --null-restarts are the planned counts per k, so a missing shard of the data or of
 * the random-data baseline (null.k<k>.*) is an error (exit 4), not a gap.
 */
process CONSENSUS {
    tag "${meta.id}"
    label 'process_medium'
    container "${params.container}"

    input:
    tuple val(meta), path(prep), path(shards, stageAs: 'shards/*')

    output:
    tuple val(meta), path("consensus")                      , emit: consensus
    tuple val(meta), path("consensus/metrics.tsv")          , emit: metrics
    tuple val(meta), path("consensus/membership.gct")       , emit: membership
    path "versions.yml"                                     , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    """
    nmf-consensus consensus \\
        --prep ${prep} \\
        --shards shards \\
        --restarts ${params.restarts} \\
        --null-restarts ${params.null_restarts} \\
        --max-consensus-n ${params.max_consensus_n} \\
        --consensus-sample-n ${params.consensus_sample_n} \\
        --log-format ${params.log_format} \\
        --outdir consensus \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        nmf-consensus: \$(nmf-consensus --version)
    END_VERSIONS
    """

    stub:
    """
    mkdir -p consensus
    touch consensus/membership.gct consensus/metrics.tsv
    echo '{}' > consensus/consensus.json

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        nmf-consensus: \$(nmf-consensus --version)
    END_VERSIONS
    """
}
