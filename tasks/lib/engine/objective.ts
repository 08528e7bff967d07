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

/** sum (A - WH)^2, sum A^2 and (brunet) the KL sum, over all elements. */
type Sums = (A: Vec, W: Vec, Ht: Float64Array, m: number, n: number) => [sq: number, normA: number, kl: number];

/** Ranks up to this get a loop compiled for their k (below); larger ones run the generic loop. */
const SPECIALIZED_MAX_K = 16;
const compiled = new Map<string, Sums>();

/**
 * The element loop for one k, compiled once per (k, KL or not): (WH)_ij = 0 + W_i0 Ht_j0 + W_i1 Ht_j1
 * + ..., left to right, with the row of W in locals. The same operations in the same order as the
 * generic loop, so the same float64 result, three times faster at k = 5 (W2: 11 against 33 ms per
 * restart; a restart's final objective is on the worker threads' critical path).
 */
function sumsFor(k: number, withKl: boolean): Sums {
  const key = `${k}:${withKl}`;
  let f = compiled.get(key);
  if (f) return f;
  const ws = Array.from({ length: k }, (_, c) => `const w${c} = W[o + ${c}];`).join(' ');
  const dot = ['0', ...Array.from({ length: k }, (_, c) => `w${c} * Ht[h + ${c}]`)].join(' + ');
  const kl = withKl ? 'kl += (a > 0 ? a * Math.log(a / wh) : 0) - a + wh;' : '';
  f = new Function('A', 'W', 'Ht', 'm', 'n', `
    let sq = 0, normA = 0, kl = 0;
    for (let i = 0; i < m; i++) {
      const o = i * ${k}; ${ws}
      const aOff = i * n;
      for (let j = 0, h = 0; j < n; j++, h += ${k}) {
        const wh = ${dot};
        const a = A[aOff + j];
        const d = a - wh;
        sq += d * d;
        normA += a * a;
        ${kl}
      }
    }
    return [sq, normA, kl];`) as Sums;
  compiled.set(key, f);
  return f;
}

/** The same sums for any k. */
function genericSums(withKl: boolean, k: number): Sums {
  return (A, W, Ht, m, n) => {
    let sq = 0;
    let normA = 0;
    let kl = 0;
    for (let i = 0; i < m; i++) {
      const aOff = i * n;
      for (let j = 0, h = 0; j < n; j++, h += k) {
        let wh = 0;
        for (let c = 0; c < k; c++) wh += W[i * k + c]! * Ht[h + c]!;
        const a = A[aOff + j]!;
        const d = a - wh;
        sq += d * d;
        normA += a * a;
        if (withKl) kl += (a > 0 ? a * Math.log(a / wh) : 0) - a + wh;
      }
    }
    return [sq, normA, kl];
  };
}

export function evaluateFit(
  algorithm: Algorithm,
  A: Vec,
  W: Vec,
  H: Vec,
  m: number,
  n: number,
  k: number,
): Fit {
  // H transposed (n x k, float64), so each element's k products are adjacent.
  const Ht = new Float64Array(n * k);
  for (let c = 0; c < k; c++) for (let j = 0; j < n; j++) Ht[j * k + c] = H[c * n + j]!;
  // The KL sum (a log per element) only for brunet: for lee and hals it would be most of the time.
  const withKl = algorithm === 'brunet';
  const sums = k <= SPECIALIZED_MAX_K ? sumsFor(k, withKl) : genericSums(withKl, k);
  const [sq, normA, kl] = sums(A, W, Ht, m, n);
  const objective = algorithm === 'brunet' ? kl : 0.5 * sq;
  return { objective, relError: normA > 0 ? Math.sqrt(sq) / Math.sqrt(normA) : 0 };
}

export const OBJECTIVE_NAMES: Record<Algorithm, string> = {
  brunet: 'kl-divergence: sum A log(A/WH) - A + WH',
  lee: 'frobenius: 1/2 ||A - WH||_F^2',
  hals: 'frobenius: 1/2 ||A - WH||_F^2',
};
