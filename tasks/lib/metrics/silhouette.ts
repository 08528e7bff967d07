/**
 * Silhouette widths (Rousseeuw 1987), exactly as R `cluster::silhouette(x, dmatrix = D)` (C routine
 * `sildist`): for sample i in cluster A,
 *   a_i = mean d(i, j) over j in A, j != i;  b_i = min over clusters B != A of mean d(i, j), j in B;
 *   s_i = (b_i - a_i) / max(a_i, b_i), and s_i = 0 when A is a singleton or a_i == b_i.
 * For a consensus matrix, D = 1 - C (R NMF 0.25 `silhouette(fit, what = "consensus")`, summarized as
 * the mean width). Like `sildist` with a matrix, only the lower triangle is read: d(i, j) = D[j][i],
 * i < j. The clustering is undefined (R returns NA) with fewer than 2 or with n clusters: NaN then.
 */

/** Silhouette width of every sample for dissimilarity d(i, j) (called with i < j only). */
export function silhouetteWidthsBy(n: number, labels: ArrayLike<number | string>, d: (i: number, j: number) => number): Float64Array {
  if (labels.length !== n) throw new Error(`silhouette: expected ${n} labels, got ${labels.length}`);
  // Recode to 0..k-1 in increasing label order (R: factor levels); the code only affects ties in
  // the choice of neighbour, never a width.
  const uniq = Array.from(new Set(Array.from(labels))).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const k = uniq.length;
  if (k <= 1 || k >= n) return new Float64Array(n).fill(NaN);
  const index = new Map<number | string, number>(uniq.map((v, c) => [v, c]));
  const cl = new Int32Array(n);
  for (let i = 0; i < n; i++) cl[i] = index.get(labels[i]!)!;
  const counts = new Float64Array(k);
  const diC = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const ci = cl[i]!;
    counts[ci]!++;
    for (let j = i + 1; j < n; j++) {
      const v = d(i, j);
      diC[k * i + cl[j]!] += v;
      diC[k * j + ci] += v;
    }
  }
  const si = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ki = k * i;
    const ci = cl[i]!;
    let computeSi = true;
    for (let c = 0; c < k; c++) {
      if (c === ci) {
        if (counts[c] === 1) computeSi = false;
        else diC[ki + c] /= counts[c]! - 1;
      } else {
        diC[ki + c] /= counts[c]!;
      }
    }
    const ai = diC[ki + ci]!;
    let bi = ci === 0 ? diC[ki + 1]! : diC[ki]!;
    for (let c = 1; c < k; c++) if (c !== ci && bi > diC[ki + c]!) bi = diC[ki + c]!;
    si[i] = computeSi && bi !== ai ? (bi - ai) / Math.max(ai, bi) : 0;
  }
  return si;
}

/** Silhouette widths for a full n*n dissimilarity matrix D (row-major). */
export function silhouetteWidths(D: Float64Array, n: number, labels: ArrayLike<number | string>): Float64Array {
  if (D.length !== n * n) throw new Error(`silhouette: expected ${n * n} values, got ${D.length}`);
  return silhouetteWidthsBy(n, labels, (i, j) => D[j * n + i]!);
}

/** Mean silhouette width of `labels` with dissimilarity 1 - C (C: consensus matrix, n*n row-major). */
export function consensusSilhouette(C: Float64Array, n: number, labels: ArrayLike<number | string>): number {
  if (C.length !== n * n) throw new Error(`silhouette: expected ${n * n} values, got ${C.length}`);
  const si = silhouetteWidthsBy(n, labels, (i, j) => 1 - C[j * n + i]!);
  let s = 0;
  for (let i = 0; i < n; i++) s += si[i]!;
  return s / n;
}
