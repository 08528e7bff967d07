/**
 * What a fit is worth, measured the same way for us and every peer (W2-time workloads): the relative
 * error ||A - WH||_F / ||A||_F of each fit at the planted k, and the adjusted Rand index between the
 * planted groups and the consensus clustering of the planted k. Peers report per-fit labels (argmax of
 * each sample's column of H); the consensus is then built here with the project's own functions
 * (consensus matrix, average linkage on 1 - C, cut into k), exactly as the consensus stage does.
 */
import { adjustedRandIndex, consensusFromLabels, consensusTree, cutree } from '../tasks/lib/metrics/index.js';
import type { CaseRow } from './types.js';

/** One fit as a peer script reports it. */
export interface Fit {
  k: number;
  restart: number;
  iterations: number;
  rel_error: number;
  labels: number[];
}

/** The planted group of sample j in bench/synthetic.ts: j mod k. */
export function plantedGroups(n: number, k: number): Int32Array {
  return Int32Array.from({ length: n }, (_, j) => j % k);
}

/** Consensus of R restarts' labels (R x n, restart-major), cut into k clusters by average linkage. */
export function consensusClusters(labels: number[][], n: number, k: number): Int32Array {
  return cutree(consensusTree(consensusFromLabels(Uint16Array.from(labels.flat()), labels.length, n), n), k);
}

/** Mean and best relative error of the fits at rank k. */
export function errorsAt(fits: readonly Pick<Fit, 'k' | 'rel_error'>[], k: number): { mean: number; best: number } {
  const e = fits.filter((f) => f.k === k).map((f) => f.rel_error);
  if (e.length === 0) throw new Error(`no fit at k = ${k}`);
  return { mean: e.reduce((a, b) => a + b, 0) / e.length, best: Math.min(...e) };
}

/** The quality row every W2-time result carries (ours and peers alike). */
export function qualityRow(errors: { mean: number; best: number }, ari: number, capped: number): CaseRow {
  return {
    rel_error_planted_k_mean: Number(errors.mean.toFixed(6)),
    rel_error_planted_k_best: Number(errors.best.toFixed(6)),
    consensus_ari_planted_k: Number(ari.toFixed(4)),
    fits_at_iteration_cap: capped,
  };
}

/** Quality of a peer's fits: ARI of the planted-k consensus against the planted groups, errors at k. */
export function peerQuality(fits: readonly Fit[], n: number, plantedK: number, maxIter: number | null): CaseRow {
  const atK = fits.filter((f) => f.k === plantedK).sort((a, b) => a.restart - b.restart);
  const clusters = consensusClusters(atK.map((f) => f.labels), n, plantedK);
  const capped = maxIter === null ? 0 : fits.filter((f) => f.iterations >= maxIter).length;
  return qualityRow(errorsAt(fits, plantedK), adjustedRandIndex(clusters, plantedGroups(n, plantedK)), capped);
}
