/*
 * PLAN: `nmf-consensus plan`, the scatter plan (the CLI holds the one rule; WDL and Slurm call it too)
 *   writes  shards.tsv: "k<TAB>first<TAB>last<TAB>baseline" per line (baseline 1: random-data shard), one FACTORIZE task each
 * One task per run.
 */
process PLAN {
    label 'process_low'
    container "${params.container}"

    output:
    path "shards.tsv"                                       , emit: shards
    path "versions.yml"                                     , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    """
    nmf-consensus plan \\
        --ks '${params.ks}' \\
        --restarts ${params.restarts} \\
        --null-restarts ${params.null_restarts} \\
        --restarts-per-shard ${params.restarts_per_shard} \\
        --format tsv \\
        > shards.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        nmf-consensus: \$(nmf-consensus --version)
    END_VERSIONS
    """

    stub:   // the real plan, so that -stub-run scatters as a run does (Nextflow 24.10 needs a stub block)
    """
    nmf-consensus plan \\
        --ks '${params.ks}' \\
        --restarts ${params.restarts} \\
        --null-restarts ${params.null_restarts} \\
        --restarts-per-shard ${params.restarts_per_shard} \\
        --format tsv \\
        > shards.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        nmf-consensus: \$(nmf-consensus --version)
    END_VERSIONS
    """
}
