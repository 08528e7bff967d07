import { describe, expect, it } from 'vitest';
import { randomizeColumns } from '../../tasks/lib/randomize.js';

describe('randomizeColumns (R NMF randomize)', () => {
  const m = 50;
  const n = 7;
  const A = Float32Array.from({ length: m * n }, (_, x) => x); // all values distinct
  const column = (M: Float32Array, j: number) => Array.from({ length: m }, (_, i) => M[i * n + j]!);

  it('permutes each column within itself and leaves A unchanged', () => {
    const R = randomizeColumns(A, m, n, 42);
    for (let j = 0; j < n; j++) {
      expect([...column(R, j)].sort((a, b) => a - b)).toEqual(column(A, j));
      expect(column(R, j)).not.toEqual(column(A, j));
    }
    expect(A[0]).toBe(0);
    expect(A[m * n - 1]).toBe(m * n - 1);
  });

  it('columns are permuted independently (not one shared row permutation)', () => {
    const R = randomizeColumns(A, m, n, 42);
    const rowOf = (j: number) => column(R, j).map((v) => Math.floor(v / n));
    expect(rowOf(1)).not.toEqual(rowOf(0));
  });

  it('depends only on the seed', () => {
    expect(randomizeColumns(A, m, n, 42)).toEqual(randomizeColumns(A, m, n, 42));
    expect(randomizeColumns(A, m, n, 43)).not.toEqual(randomizeColumns(A, m, n, 42));
  });
});
