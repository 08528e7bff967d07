/**
 * A plain float64 HALS (coordinate descent) written from the formulas of docs/method.md, for the
 * tests: one sweep is H's components in order, then W's, each using those already updated, clamped
 * at 0, with a zero Hessian leaving the component as it is; then W's columns rescaled to sum 1 (plus eps) and H's
 * rows multiplied by the same sums. Row-major W (m x k) and H (k x n); returns the objective
 * 1/2 ||A - WH||^2 after each of `iterations` sweeps.
 */
export function halsReference(A: ArrayLike<number>, m: number, n: number, k: number, W0: ArrayLike<number>, H0: ArrayLike<number>, iterations: number, eps = 1e-9): number[] {
  const W = Float64Array.from(W0);
  const H = Float64Array.from(H0);
  const out: number[] = [];
  for (let it = 0; it < iterations; it++) {
    // H: num = W^T A, G = W^T W
    const num = new Float64Array(k * n);
    const G = new Float64Array(k * k);
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < k; c++) {
        const w = W[i * k + c]!;
        for (let j = 0; j < n; j++) num[c * n + j]! += w * A[i * n + j]!;
        for (let d = 0; d < k; d++) G[c * k + d]! += w * W[i * k + d]!;
      }
    }
    for (let j = 0; j < n; j++) {
      for (let c = 0; c < k; c++) {
        const hess = G[c * k + c]!;
        if (hess === 0) continue;
        let g = 0;
        for (let d = 0; d < k; d++) g += G[c * k + d]! * H[d * n + j]!;
        H[c * n + j] = Math.max(0, H[c * n + j]! + (num[c * n + j]! - g) / hess);
      }
    }
    // W: row i needs (A H^T)[i, :] and HHt
    const HHt = new Float64Array(k * k);
    for (let c = 0; c < k; c++) for (let d = 0; d < k; d++) for (let j = 0; j < n; j++) HHt[c * k + d]! += H[c * n + j]! * H[d * n + j]!;
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < k; c++) {
        const hess = HHt[c * k + c]!;
        if (hess === 0) continue;
        let s = 0;
        for (let j = 0; j < n; j++) s += A[i * n + j]! * H[c * n + j]!;
        let g = 0;
        for (let d = 0; d < k; d++) g += W[i * k + d]! * HHt[d * k + c]!;
        W[i * k + c] = Math.max(0, W[i * k + c]! + (s - g) / hess);
      }
    }
    for (let c = 0; c < k; c++) {
      let sum = eps;
      for (let i = 0; i < m; i++) sum += W[i * k + c]!;
      for (let i = 0; i < m; i++) W[i * k + c]! /= sum;
      for (let j = 0; j < n; j++) H[c * n + j]! *= sum;
    }
    let sq = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let wh = 0;
        for (let c = 0; c < k; c++) wh += W[i * k + c]! * H[c * n + j]!;
        sq += (A[i * n + j]! - wh) ** 2;
      }
    }
    out.push(0.5 * sq);
  }
  return out;
}
