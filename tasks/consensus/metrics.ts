/**
 * Per-k consensus metrics from the labels of R restarts (DESIGN section 3): consensus matrix, the
 * average-linkage tree on 1 - C (R's leaf order), its cut into k clusters, cophenetic correlation,
 * dispersion, silhouette on 1 - C, PAC, fit statistics and factor stability.
 */
import {
  averageLinkage,
  consensusFromLabels,
  copheneticCorrelation,
  consensusSilhouette,
  cutree,
  dispersion,
  factorStability,
  pac,
} from '../lib/metrics/index.js';
import type { MetricsRow } from '../lib/types.js';

export interface RunStats {
  objective: number;
  rel_error: number;
  iterations: number;
  converged: boolean;
}

export interface KResult {
  C: Float64Array;
  order: number[];
  membership: number[];
  metrics: MetricsRow;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

export function consensusForK(
  k: number,
  labels: Uint16Array,
  n: number,
  runs: readonly RunStats[],
  Ws: readonly Float32Array[],
  m: number,
): KResult {
  const R = runs.length;
  const C = consensusFromLabels(labels, R, n);
  const D = new Float64Array(n * n);
  for (let i = 0; i < D.length; i++) D[i] = 1 - C[i]!;
  const tree = averageLinkage(D, n);
  const membership = Array.from(cutree(tree, k));
  let best = 0;
  runs.forEach((r, i) => {
    if (r.objective < runs[best]!.objective) best = i;
  });
  const stability = factorStability(Ws, m, k);
  return {
    C,
    order: Array.from(tree.order),
    membership,
    metrics: {
      k,
      restarts: R,
      cophenetic: copheneticCorrelation(C, n),
      dispersion: dispersion(C, n),
      silhouette: consensusSilhouette(C, n, membership),
      pac: pac(C, n),
      error_best: runs[best]!.objective,
      error_median: median(runs.map((r) => r.objective)),
      rel_error_best: runs[best]!.rel_error,
      iterations_median: median(runs.map((r) => r.iterations)),
      converged_fraction: runs.filter((r) => r.converged).length / R,
      stability_min: stability.min,
      stability_mean: stability.mean,
    },
  };
}
