/**
 * Feature specificity in a basis matrix W (features x k), as R NMF 0.25 `featureScore(method =
 * "kim")` and `extractFeatures(method = "kim")` (Kim & Park 2007, Bioinformatics 23:1495):
 *   p(i, q) = W[i, q] / sum_q W[i, q];   score_i = 1 + sum_q p(i, q) log2 p(i, q) / log2 k,
 * in [0, 1]: 1 when feature i loads on a single factor, 0 when it loads equally on all. A feature is
 * selected when score_i >= median(score) + 3 MAD(score) (R's mad: constant 1.4826) and its largest
 * weight is >= the median of all of W; it belongs to the factor where its weight is largest.
 * Unlike R (where 0 * log2(0) is NaN), a zero weight contributes 0, and an all-zero row scores 0.
 */

export function kimScores(W: ArrayLike<number>, m: number, k: number): Float64Array {
  if (W.length !== m * k) throw new Error(`kimScores: expected ${m * k} weights, got ${W.length}`);
  const out = new Float64Array(m);
  if (k < 2) return out.fill(NaN);
  const lk = Math.log2(k);
  for (let i = 0; i < m; i++) {
    let sum = 0;
    for (let q = 0; q < k; q++) sum += Math.abs(W[i * k + q]!);
    if (!(sum > 0)) continue;
    let h = 0;
    for (let q = 0; q < k; q++) {
      const p = Math.abs(W[i * k + q]!) / sum;
      if (p > 0) h += p * Math.log2(p);
    }
    out[i] = 1 + h / lk;
  }
  return out;
}

function median(xs: ArrayLike<number>): number {
  const s = Float64Array.from(xs).sort();
  const h = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** R's mad(x): 1.4826 * median(|x - median(x)|). */
export function mad(xs: ArrayLike<number>): number {
  const med = median(xs);
  return 1.4826 * median(Float64Array.from(xs, (x) => Math.abs(x - med)));
}

export interface FeatureSelection {
  score: Float64Array;
  /** 0-based factor with the largest weight of each feature (first on ties, as which.max). */
  factor: Int32Array;
  /** Kim & Park's two criteria both hold. */
  selected: Uint8Array;
  /** The score threshold median + 3 MAD. */
  threshold: number;
}

export function extractFeatures(W: ArrayLike<number>, m: number, k: number): FeatureSelection {
  const score = kimScores(W, m, k);
  const threshold = median(score) + 3 * mad(score);
  const medW = median(Float64Array.from(W as ArrayLike<number>, Math.abs));
  const factor = new Int32Array(m);
  const selected = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    let best = 0;
    for (let q = 1; q < k; q++) if (Math.abs(W[i * k + q]!) > Math.abs(W[i * k + best]!)) best = q;
    factor[i] = best;
    selected[i] = score[i]! >= threshold && Math.abs(W[i * k + best]!) >= medW ? 1 : 0;
  }
  return { score, factor, selected, threshold };
}
