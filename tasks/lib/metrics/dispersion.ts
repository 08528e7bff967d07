/**
 * Dispersion coefficient of a consensus matrix (Kim & Park 2007; R NMF 0.25 `dispersion`):
 *   rho = sum_{i,j} 4 (C_ij - 1/2)^2 / n^2, over all i, j including the diagonal.
 * 1 for a perfectly crisp C (all entries 0 or 1), 0 for C = 1/2 everywhere.
 * The sum is compensated (Neumaier), so the result agrees with the exact-integer
 * `dispersionFromLabels` to ~1e-15 even for n = 10,000.
 */
export function dispersion(C: Float64Array, n: number): number {
  if (C.length !== n * n) throw new Error(`dispersion: expected ${n * n} values, got ${C.length}`);
  let s = 0;
  let comp = 0;
  for (let i = 0; i < C.length; i++) {
    const d = C[i]! - 0.5;
    const v = 4 * d * d;
    const t = s + v;
    comp += s >= v ? s - t + v : v - t + s; // both non-negative
    s = t;
  }
  return (s + comp) / (n * n);
}
