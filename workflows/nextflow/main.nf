#!/usr/bin/env nextflow
/*
 * nmf-consensus: consensus NMF clustering, four CLI stages wired as a scatter/gather.
 *
 *   PLAN        nmf-consensus plan         ks, restarts, per shard   -> shards.tsv (k, first, last, baseline)
 *   PREPROCESS  nmf-consensus preprocess   matrix (+features file)   -> preprocess/
 *   FACTORIZE   nmf-consensus factorize    preprocess/, k, a-b        -> shards/k<k>.r<a>-<b>/   one task per shard
 *   CONSENSUS   nmf-consensus consensus    preprocess/, every shard   -> consensus/              gather
 *   REPORT      nmf-consensus report       consensus/ (+annotations)  -> report/
 *
 * Shards are every (k, restart range) that `nmf-consensus plan` prints for --ks, --restarts and
 * --restarts_per_shard (the PLAN process; the one scatter rule, shared with the WDL and Slurm).
 * The gathered consensus/ is byte-identical to `nmf-consensus run` with the same parameters and backend.
 *
 *   nextflow run workflows/nextflow -profile test,docker
 *   nextflow run workflows/nextflow --input data.gct --outdir results -profile slurm,apptainer,gpu
 */
nextflow.enable.dsl = 2

include { PLAN       } from './modules/local/plan/main'
include { PREPROCESS } from './modules/local/preprocess/main'
include { FACTORIZE  } from './modules/local/factorize/main'
include { CONSENSUS  } from './modules/local/consensus/main'
include { REPORT     } from './modules/local/report/main'
// nf-schema (from the plugin registry) unless --validate_params false: see nextflow.config
if (params.validate_params) {
    include { validateParameters } from 'plugin/nf-schema'
}

workflow NMF_CONSENSUS {
    take:
    ch_input        // channel: [ val(meta), path(matrix) ]
    ch_features     // channel: path(features file), or [] for none
    ch_annotations  // channel: path(annotations TSV), or [] for none

    main:
    ch_versions = Channel.empty()

    // preprocess: matrix -> preprocess/
    PREPROCESS ( ch_input, ch_features )
    ch_versions = ch_versions.mix(PREPROCESS.out.versions)

    // scatter: one FACTORIZE task per (k, first, last) line of `nmf-consensus plan`
    PLAN ()
    ch_versions = ch_versions.mix(PLAN.out.versions)
    ch_plan = PLAN.out.shards.splitCsv(sep: '\t').map { row -> row.collect { it as int } }
    FACTORIZE ( PREPROCESS.out.prep.combine(ch_plan) )     // [ meta, preprocess/, k, first, last, baseline ]
    ch_versions = ch_versions.mix(FACTORIZE.out.versions.first())

    // gather: preprocess/ and all shards of this input -> one CONSENSUS task
    ch_gathered = PREPROCESS.out.prep.join(FACTORIZE.out.shard.groupTuple())   // [ meta, preprocess/, [ shards ] ]
    CONSENSUS ( ch_gathered )
    ch_versions = ch_versions.mix(CONSENSUS.out.versions)

    // report: consensus/ -> report/
    REPORT ( CONSENSUS.out.consensus, ch_annotations )
    ch_versions = ch_versions.mix(REPORT.out.versions)

    emit:
    consensus = CONSENSUS.out.consensus
    report    = REPORT.out.report
    summary   = REPORT.out.summary
    versions  = ch_versions
}

workflow {
    if (params.validate_params) {
        validateParameters()    // against nextflow_schema.json (generated from schemas/params.schema.json)
    }
    if (!params.input) {
        error "--input is required: an expression matrix (GCT, TSV or CSV, optionally .gz); try -profile test"
    }
    def matrix = file(params.input, checkIfExists: true)
    def ch_input = Channel.of([ [ id: matrix.simpleName ], matrix ])
    def ch_features = params.features_file ? Channel.value(file(params.features_file, checkIfExists: true)) : Channel.value([])
    def ch_annotations = params.annotations ? Channel.value(file(params.annotations, checkIfExists: true)) : Channel.value([])

    NMF_CONSENSUS ( ch_input, ch_features, ch_annotations )

    NMF_CONSENSUS.out.versions
        .unique()
        .collectFile(name: 'software_versions.yml', storeDir: "${params.outdir}/pipeline_info", sort: true)
}
