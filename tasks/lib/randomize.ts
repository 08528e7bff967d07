/**
 * The random-data baseline's matrix: a copy of A (features x samples, row-major) with each sample's
 * column permuted independently, as R NMF's `randomize(x)`. Every sample keeps its own values (so
 * its total and distribution), while any structure shared across samples is destroyed. The
 * permutations come from one seeded stream (Fisher-Yates, column by column), so the copy depends
 * only on A and the seed: every shard of the baseline, on any machine, factorizes the same matrix.
 */
import { restartStream } from './engine/prng.js';

/** The stream's key: k = 0 is never a rank, so it cannot coincide with a restart's stream. */
const RANDOMIZE_K = 0;
const RANDOMIZE_RESTART = 0x6e756c6c; // "null"

/** A randomized copy of A (A is left as it is). */
export function randomizeColumns(A: ArrayLike<number>, m: number, n: number, seed: number): Float32Array {
  if (A.length !== m * n) throw new Error(`randomizeColumns: expected ${m * n} values, got ${A.length}`);
  return randomizeColumnsInPlace(Float32Array.from(A), m, n, seed);
}

/** Permute each column of `out` (m x n, row-major) in place; returns it. */
export function randomizeColumnsInPlace(out: Float32Array, m: number, n: number, seed: number): Float32Array {
  if (out.length !== m * n) throw new Error(`randomizeColumns: expected ${m * n} values, got ${out.length}`);
  const next = restartStream(seed, RANDOMIZE_K, RANDOMIZE_RESTART);
  for (let j = 0; j < n; j++) {
    for (let i = m - 1; i > 0; i--) {
      // next() is in (0, 1]: r in 0..i
      const r = Math.min(i, Math.floor((1 - next()) * (i + 1)));
      const a = i * n + j;
      const b = r * n + j;
      const t = out[a]!;
      out[a] = out[b]!;
      out[b] = t;
    }
  }
  return out;
}
