/*
 * PREPROCESS: `nmf-consensus preprocess`
 *   reads   the expression matrix (GCT 1.2/1.3, TSV, CSV, 10x, AnnData; see preprocess --help)
 *           and, optionally, a list of features to keep (pass [] for none)
 *   writes  preprocess/  (matrix.npy, features.tsv, samples.tsv, preprocess.json)
 * One task per input matrix.
 */
process PREPROCESS {
    tag "${meta.id}"
    label 'process_medium'
    container "${params.container}"

    input:
    tuple val(meta), path(matrix)
    path features_file

    output:
    tuple val(meta), path("preprocess")                     , emit: prep
    tuple val(meta), path("preprocess/preprocess.json")     , emit: manifest
    path "versions.yml"                                     , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def features_arg = features_file ? "--features-file ${features_file}" : ''
    """
    nmf-consensus preprocess \\
        --input ${matrix} \\
        --negatives ${params.negatives} \\
        --min-samples-per-feature ${params.min_samples_per_feature} \\
        --min-features-per-sample ${params.min_features_per_sample} \\
        --normalize ${params.normalize} \\
        --top-features ${params.top_features} \\
        --top-features-by ${params.top_features_by} \\
        --scale-features=${params.scale_features} \\
        --transpose=${params.transpose} \\
        ${features_arg} \\
        --log-format ${params.log_format} \\
        --outdir preprocess \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        nmf-consensus: \$(nmf-consensus --version)
    END_VERSIONS
    """

    stub:
    """
    mkdir -p preprocess
    touch preprocess/matrix.npy preprocess/features.tsv preprocess/samples.tsv
    echo '{}' > preprocess/preprocess.json

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        nmf-consensus: \$(nmf-consensus --version)
    END_VERSIONS
    """
}
