/**
 * Proportion of ambiguous clustering (Senbabaoglu et al. 2014):
 *   PAC = #{ i < j : lower < C_ij < upper } / (n (n - 1) / 2),   defaults lower = 0.1, upper = 0.9.
 * Both bounds are strict. Lower is better. Reads the upper triangle of C.
 */
export function pac(C: Float64Array, n: number, lower = 0.1, upper = 0.9): number {
  if (C.length !== n * n) throw new Error(`pac: expected ${n * n} values, got ${C.length}`);
  if (n < 2) return 0;
  let count = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = C[i * n + j]!;
      if (v > lower && v < upper) count++;
    }
  }
  return count / ((n * (n - 1)) / 2);
}
