/*
 * REPORT: `nmf-consensus report`
 *   reads   consensus/ (from CONSENSUS) and, optionally, a sample annotation TSV
 *   writes  report/  (report.html, figures/, summary.json; report.pdf with params.pdf)
 * Pass [] as annotations when there are none.
 */
process REPORT {
    tag "${meta.id}"
    label 'process_low'
    container "${params.container}"

    input:
    tuple val(meta), path(consensus)
    path annotations

    output:
    tuple val(meta), path("report")                         , emit: report
    tuple val(meta), path("report/report.html")             , emit: html
    tuple val(meta), path("report/summary.json")            , emit: summary
    path "versions.yml"                                     , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def annotations_arg = annotations ? "--annotations ${annotations}" : ''
    def pdf_arg = params.pdf ? '--pdf' : ''
    """
    nmf-consensus report \\
        --consensus ${consensus} \\
        ${annotations_arg} \\
        ${pdf_arg} \\
        --log-format ${params.log_format} \\
        --outdir report \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        nmf-consensus: \$(nmf-consensus --version)
    END_VERSIONS
    """

    stub:
    """
    mkdir -p report/figures
    echo '<html></html>' > report/report.html
    echo '{"recommended_k": 2, "rule": "stub", "reasons": []}' > report/summary.json

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        nmf-consensus: \$(nmf-consensus --version)
    END_VERSIONS
    """
}
