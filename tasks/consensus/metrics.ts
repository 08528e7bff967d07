/**
 * Per-k consensus metrics from the labels of R restarts (docs/design.md section 5).
 *   - n <= max_consensus_n: the consensus matrix C, the average-linkage tree on 1 - C (R's leaf
 *     order), its cut into k clusters, cophenetic correlation, dispersion, silhouette on 1 - C, PAC.
 *   - larger n ("Large n"): C is never built. Dispersion is exact from contingency tables; PAC is
 *     counted on a seeded sample of pairs; the tree, cophenetic and silhouette come from the consensus
 *     of a seeded subsample stratified by the best restart's labels; every other sample joins the
 *     subsample cluster it shares labels with most (tasks/lib/metrics/sampled.ts).
 * Both add the fit statistics and factor stability.
 */
import {
  consensusTree,
  consensusFromLabels,
  copheneticCorrelation,
  consensusSilhouette,
  cutree,
  dispersion,
  dispersionFromLabels,
  factorStability,
  pac,
} from '../lib/metrics/index.js';
import { binnedConsensus, extendMembership, orderByCluster, pacFromLabels, samplingStream, stratifiedSample, subsetLabels } from '../lib/metrics/sampled.js';
import type { MetricsRow } from '../lib/types.js';
import type { SampledMetrics } from '../lib/manifest/consensus.js';

export interface RunStats {
  objective: number;
  rel_error: number;
  iterations: number;
  converged: boolean;
}

export interface KResult {
  /** The n x n consensus matrix, or null when it was not materialized (large n). */
  C: Float64Array | null;
  order: number[];
  membership: number[];
  metrics: MetricsRow;
  /** Index (into runs) of the restart with the lowest objective. */
  best: number;
  /** How the metrics were sampled (large n only). */
  sampled?: SampledMetrics;
  /** Large n only: block means of C along `order`, for the report's heatmap. */
  binned?: { values: Float32Array; bins: number; binSize: number };
}

/** Blocks per side of the large-n heatmap (a 500 x 500 image). */
export const HEATMAP_BINS = 500;

/** How large n is handled (see the file comment). */
export interface LargeNOptions {
  /** Largest n for which C is materialized. */
  maxConsensusN: number;
  /** Subsample size for tree, cophenetic and silhouette above the limit. */
  sampleN: number;
  /** Random pairs for PAC above the limit. */
  pacPairs: number;
  seed: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

function bestRun(runs: readonly RunStats[]): number {
  let best = 0;
  runs.forEach((r, i) => {
    if (r.objective < runs[best]!.objective) best = i;
  });
  return best;
}

/** A metrics.tsv row: the consensus metrics given, then fit statistics and factor stability. */
function metricsRow(
  k: number,
  runs: readonly RunStats[],
  Ws: readonly Float32Array[],
  m: number,
  c: Pick<MetricsRow, 'cophenetic' | 'dispersion' | 'silhouette' | 'pac'>,
  sumSquares: number,
): MetricsRow {
  const best = bestRun(runs);
  const stability = factorStability(Ws, m, k);
  return {
    k,
    restarts: runs.length,
    ...c,
    error_best: runs[best]!.objective,
    error_median: median(runs.map((r) => r.objective)),
    rel_error_best: runs[best]!.rel_error,
    iterations_median: median(runs.map((r) => r.iterations)),
    converged_fraction: runs.filter((r) => r.converged).length / runs.length,
    stability_min: stability.min,
    stability_mean: stability.mean,
    // rel_error = ||A - WH|| / ||A||, so RSS and explained variance follow from ||A||^2.
    rss_best: runs[best]!.rel_error ** 2 * sumSquares,
    evar_best: 1 - runs[best]!.rel_error ** 2,
  };
}

/** The tree of 1 - C, its cut and the metrics that need C (C: s x s). */
function treeMetrics(C: Float64Array, s: number, k: number) {
  const tree = consensusTree(C, s);
  const membership = cutree(tree, k);
  return {
    order: Array.from(tree.order),
    membership,
    cophenetic: copheneticCorrelation(C, s),
    silhouette: consensusSilhouette(C, s, membership),
  };
}

export function consensusForK(
  k: number,
  labels: Uint16Array,
  n: number,
  runs: readonly RunStats[],
  Ws: readonly Float32Array[],
  m: number,
  large: LargeNOptions,
  /** ||A||_F^2 of the factorized matrix, for the RSS column (NaN: unknown). */
  sumSquares = NaN,
): KResult {
  const R = runs.length;
  if (n > large.maxConsensusN) return sampledConsensus(k, labels, n, runs, Ws, m, large, sumSquares);
  const C = consensusFromLabels(labels, R, n);
  const t = treeMetrics(C, n, k);
  return {
    C,
    best: bestRun(runs),
    order: t.order,
    membership: Array.from(t.membership),
    metrics: metricsRow(k, runs, Ws, m, { cophenetic: t.cophenetic, dispersion: dispersion(C, n), silhouette: t.silhouette, pac: pac(C, n) }, sumSquares),
  };
}

function sampledConsensus(
  k: number,
  labels: Uint16Array,
  n: number,
  runs: readonly RunStats[],
  Ws: readonly Float32Array[],
  m: number,
  large: LargeNOptions,
  sumSquares: number,
): KResult {
  const R = runs.length;
  const best = bestRun(runs);
  const idx = stratifiedSample(labels.subarray(best * n, (best + 1) * n), Math.min(large.sampleN, n), samplingStream(large.seed, k, 'subsample'));
  const s = idx.length;
  const t = treeMetrics(consensusFromLabels(subsetLabels(labels, R, n, idx), R, s), s, k);
  const { membership, score } = extendMembership(labels, R, n, idx, t.membership, k);
  const p = pacFromLabels(labels, R, n, large.pacPairs, samplingStream(large.seed, k, 'pairs'));
  const order = orderByCluster(membership, score);
  return {
    C: null,
    best,
    binned: binnedConsensus(labels, R, n, order, HEATMAP_BINS),
    order,
    membership: Array.from(membership),
    metrics: metricsRow(k, runs, Ws, m, { cophenetic: t.cophenetic, dispersion: dispersionFromLabels(labels, R, n), silhouette: t.silhouette, pac: p.pac }, sumSquares),
    sampled: {
      subsample_n: s,
      stratified_by: 'labels of the restart with the lowest objective',
      pac_pairs: p.pairs,
      seed: large.seed,
      dispersion: 'exact (contingency tables)',
      order: 'clusters in subsample leaf order; within a cluster by decreasing mean consensus to it',
    },
  };
}
