/** Row-block streaming: how many rows of A a block holds under a device memory budget. */

/**
 * Rows of A per block under a budget of `mb` MiB, or null when the whole of A fits. `capMb` bounds
 * the block further (the fused path uses FUSED_BLOCK_MB).
 */
export function blockRowsFor(m: number, n: number, mb: number | undefined, capMb = Infinity): number | null {
  if (mb === undefined || !(mb > 0)) return null;
  const budget = mb * 2 ** 20;
  if (m * n * 4 <= budget) return null;
  return Math.max(1, Math.floor(Math.min(budget, capMb * 2 ** 20) / (n * 4)));
}

export function meanOf(A: Float32Array): number {
  let s = 0;
  for (let i = 0; i < A.length; i++) s += A[i]!;
  return s / A.length;
}
