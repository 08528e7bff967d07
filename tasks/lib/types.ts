/**
 * Types at the stage boundaries. Each manifest type has a JSON Schema in `schemas/` of the same name;
 * manifests are validated with ajv on write and on read (tasks/lib/manifest).
 */

export type Algorithm = 'brunet' | 'lee';
export type BackendName = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** A dense matrix, row-major, features x samples. */
export interface Matrix {
  rows: number;
  cols: number;
  /** rows*cols values, row-major. */
  data: Float64Array | Float32Array;
}

/** A labelled expression matrix as read from GCT/TSV/CSV. */
export interface LabelledMatrix extends Matrix {
  rowIds: string[];
  /** GCT Description column (empty strings when absent). */
  rowDescriptions: string[];
  colIds: string[];
}

/** One row of metrics.tsv (DESIGN section 6). Column order is METRIC_COLUMNS. */
export interface MetricsRow {
  k: number;
  restarts: number;
  cophenetic: number;
  dispersion: number;
  silhouette: number;
  pac: number;
  error_best: number;
  error_median: number;
  rel_error_best: number;
  iterations_median: number;
  converged_fraction: number;
  stability_min: number;
  stability_mean: number;
}

export const METRIC_COLUMNS: readonly (keyof MetricsRow)[] = [
  'k',
  'restarts',
  'cophenetic',
  'dispersion',
  'silhouette',
  'pac',
  'error_best',
  'error_median',
  'rel_error_best',
  'iterations_median',
  'converged_fraction',
  'stability_min',
  'stability_mean',
];

/** Per-k entry of consensus.json. */
export interface ConsensusPerK {
  k: number;
  restarts: number;
  /** File name of the consensus GCT inside the consensus folder, or null when not materialized. */
  consensus_file: string | null;
  /** Leaf order of the average-linkage tree: 0-based sample indices. */
  order: number[];
  /** Cut of the tree into k clusters, 1..k, numbered in leaf order; indexed by sample (input order). */
  membership: number[];
  metrics: MetricsRow;
  /** Every restart's fit, ascending restart: for the convergence figure. */
  runs: { restart: number; iterations: number; converged: boolean; objective: number }[];
  /** The restart with the lowest objective; its W is in metagenes_file. */
  best_restart: number;
  /** metagenes.k<k>.tsv: W of the best restart, features x factors. */
  metagenes_file: string;
  /** Present when n was above max_consensus_n: how the metrics were sampled. */
  sampled?: SampledMetrics;
  /** Large n: block means of C along `order` (bins x bins float32 .npy), for the heatmap. */
  binned?: { file: string; bins: number; bin_size: number };
}

/** Above max_consensus_n, C is not built; this records what the metrics were computed on. */
export interface SampledMetrics {
  /** Samples in the subsample whose consensus gives the tree, cophenetic and silhouette. */
  subsample_n: number;
  stratified_by: string;
  /** Random pairs PAC was counted on (all pairs when there are fewer). */
  pac_pairs: number;
  seed: number;
  dispersion: string;
  order: string;
}

export interface ConsensusManifest {
  schema: 'nmf-consensus/consensus@1';
  tool_version: string;
  input_sha256: string;
  algorithm: Algorithm;
  seed: number;
  backend: string;
  objective: string;
  stop_rule: string;
  samples: string[];
  ks: number[];
  allow_partial: boolean;
  /** Restarts missing per k when --allow-partial was used (empty otherwise). */
  missing_restarts: Record<string, number[]>;
  per_k: ConsensusPerK[];
  files: { membership: string; metrics: string };
}

/** What the report stage needs: the manifest, the consensus matrices (n*n, row-major) by k. */
export interface ReportInput {
  manifest: ConsensusManifest;
  matrices: Map<number, Float64Array>;
  /** Optional sample annotations: sample id -> group label (the first annotation column, drawn as a strip). */
  annotations?: Map<string, string>;
  /** Every annotation column (name, sample id -> value), each compared with the clusters by ARI. */
  annotationColumns?: { name: string; values: Map<string, string> }[];
  /** Large n: block means of C along the order, by k (from consensus.k.<k>.binned.npy). */
  binned?: Map<number, { values: Float32Array; bins: number; binSize: number }>;
  /** W of the best restart by k (metagenes.k<k>.tsv): feature ids and features x k weights. */
  bases?: Map<number, { ids: string[]; W: Float64Array; k: number }>;
  /** Output files to link from the page, hrefs relative to the report folder. */
  links?: { label: string; href: string }[];
}

export interface Summary {
  schema: 'nmf-consensus/summary@1';
  recommended_k: number;
  rule: string;
  reasons: string[];
  ks: number[];
  metrics: MetricsRow[];
}
