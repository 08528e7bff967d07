/**
 * Types shared across stages. Each manifest's type lives beside its reader and writer in
 * tasks/lib/manifest/, next to its JSON Schema in `schemas/`.
 */

/** Brunet KL and Lee Frobenius multiplicative updates, HALS coordinate descent (Frobenius). */
export type Algorithm = 'brunet' | 'lee' | 'hals';
/** When a restart stops (engine/stopping.ts): R NMF's connectivity rule, the objective's relative decrease, or both. */
export type StopRule = 'connectivity' | 'objective' | 'both';
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

/** One row of metrics.tsv (docs/design.md section 2). Column order is METRIC_COLUMNS. */
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
  /** ||A - WH||_F^2 of the best restart (residual sum of squares, R NMF rss()). */
  rss_best: number;
  /** 1 - rss / ||A||_F^2 of the best restart (explained variance, R NMF evar()). */
  evar_best: number;
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
  'rss_best',
  'evar_best',
];
