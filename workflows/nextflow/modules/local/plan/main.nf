/*
 * PLAN: `nmf-consensus plan`, the scatter plan (the CLI holds the one rule; WDL and Slurm call it too)
 *   writes  shards.tsv: "k<TAB>first<TAB>last" per line, one FACTORIZE task each
 * One task per run. No stub block: -stub-run runs this script, so the stub run scatters the real plan.
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
        --restarts-per-shard ${params.restarts_per_shard} \\
        --format tsv \\
        > shards.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        nmf-consensus: \$(nmf-consensus --version)
    END_VERSIONS
    """
}
