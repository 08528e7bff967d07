/**
 * Objectives, evaluated on the host in float64 from the float32 factors (DESIGN section 3: metrics
 * on the host in float64). A is m x n, W is m x k, H is k x n, all row-major.
 *
 *   kl(A, WH)        = sum_ij A_ij log(A_ij / (WH)_ij) - A_ij + (WH)_ij   (0 log 0 = 0)   [brunet]
 *   frobenius(A, WH) = 1/2 sum_ij (A_ij - (WH)_ij)^2                                       [lee, hals]
 *   relError         = ||A - WH||_F / ||A||_F
 */
import type { Algorithm } from '../types.js';

export interface Fit {
  objective: number;
  relError: number;
}

type Vec = ArrayLike<number>;

export function evaluateFit(
  algorithm: Algorithm,
  A: Vec,
  W: Vec,
  H: Vec,
  m: number,
  n: number,
  k: number,
): Fit {
  let kl = 0;
  let sq = 0;
  let normA = 0;
  // The KL sum (a log per element) only for brunet: for lee it was most of this function's time,
  // paid once per restart on the worker threads (W2: about 40 ms of 60 per restart).
  const withKl = algorithm === 'brunet';
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let c = 0; c < k; c++) {
      const w = W[i * k + c]!;
      if (w === 0) continue;
      const off = c * n;
      for (let j = 0; j < n; j++) row[j]! += w * H[off + j]!;
    }
    const aOff = i * n;
    for (let j = 0; j < n; j++) {
      const a = A[aOff + j]!;
      const wh = row[j]!;
      const d = a - wh;
      sq += d * d;
      normA += a * a;
      if (withKl) kl += (a > 0 ? a * Math.log(a / wh) : 0) - a + wh;
    }
  }
  const objective = algorithm === 'brunet' ? kl : 0.5 * sq;
  return { objective, relError: normA > 0 ? Math.sqrt(sq) / Math.sqrt(normA) : 0 };
}

export const OBJECTIVE_NAMES: Record<Algorithm, string> = {
  brunet: 'kl-divergence: sum A log(A/WH) - A + WH',
  lee: 'frobenius: 1/2 ||A - WH||_F^2',
  hals: 'frobenius: 1/2 ||A - WH||_F^2',
};
