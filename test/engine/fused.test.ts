/**
 * The fused wasm-SIMD kernels against the tfjs-ops reference path, and the guarantees that make
 * --workers and --max-device-mb safe: a restart's result depends only on (seed, k, r).
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { useBackend } from '../../tasks/lib/engine/backend.js';
import { factorizeRestarts, type FactorizeParams, type RestartResult } from '../../tasks/lib/engine/factorize.js';
import { fusedAvailable } from '../../tasks/lib/engine/fused/kernel.js';
import { plantedMatrix, randomMatrix } from './helpers.js';

const m = 70;
const n = 23; // not a multiple of 4
const { A } = plantedMatrix(m, n, 3, 17);
const base: FactorizeParams = { algorithm: 'brunet', seed: 99, maxIter: 300, checkEvery: 10, stableChecks: 8 };

function expectSame(a: RestartResult[], b: RestartResult[], rel: number): void {
  expect(a.map((r) => r.restart)).toEqual(b.map((r) => r.restart));
  a.forEach((r, i) => {
    const o = b[i]!;
    expect(Array.from(r.labels)).toEqual(Array.from(o.labels));
    expect(r.iterations).toBe(o.iterations);
    expect(r.converged).toBe(o.converged);
    if (rel === 0) {
      expect(r.objective).toBe(o.objective);
      expect(Array.from(r.W)).toEqual(Array.from(o.W));
      expect(Array.from(r.H)).toEqual(Array.from(o.H));
    } else expect(Math.abs(r.objective - o.objective) / Math.abs(o.objective)).toBeLessThan(rel);
  });
}

describe('fused kernels', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('are built', () => {
    expect(fusedAvailable()).toBe(true);
  });

  it.each(['brunet', 'lee', 'hals'] as const)('%s: same labels, iterations and objectives (1e-5 relative) as the ops path', async (algorithm) => {
    const params = { ...base, algorithm };
    for (const k of [2, 3, 5]) {
      const restarts = [0, 1, 2, 3, 4, 5];
      const ops = await factorizeRestarts(A, m, n, k, restarts, { ...params, kernels: 'ops' });
      const fused = await factorizeRestarts(A, m, n, k, restarts, { ...params, kernels: 'fused' });
      expectSame(fused, ops, 1e-5);
    }
  });

  it.each(['brunet', 'lee', 'hals'] as const)('%s on random data, fixed iterations: objectives within 1e-5 of ops', async (algorithm) => {
    const R = randomMatrix(40, 13, 5);
    const params: FactorizeParams = { algorithm, seed: 3, maxIter: 57, checkEvery: 10, stableChecks: 0 };
    const ops = await factorizeRestarts(R, 40, 13, 3, [0, 1, 2], { ...params, kernels: 'ops' });
    const fused = await factorizeRestarts(R, 40, 13, 3, [0, 1, 2], { ...params, kernels: 'fused' });
    fused.forEach((r, i) => {
      expect(r.iterations).toBe(57);
      expect(Math.abs(r.objective - ops[i]!.objective) / ops[i]!.objective).toBeLessThan(1e-5);
    });
  });

  it.each(['brunet', 'lee', 'hals'] as const)('%s: a restart gives identical numbers whatever its batch, lane or thread count', async (algorithm) => {
    const params: FactorizeParams = { ...base, algorithm, kernels: 'fused' };
    const restarts = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const all = await factorizeRestarts(A, m, n, 4, restarts, params);
    const split = [
      ...(await factorizeRestarts(A, m, n, 4, [5, 6, 7, 8], params)),
      ...(await factorizeRestarts(A, m, n, 4, [2, 0, 1, 3, 4], params)),
    ].sort((a, b) => a.restart - b.restart);
    expectSame(split, all, 0);
    const two = await factorizeRestarts(A, m, n, 4, restarts, { ...params, workers: 2 });
    expectSame(two, all, 0);
    const three = await factorizeRestarts(A, m, n, 4, restarts, { ...params, workers: 3 });
    expectSame(three, all, 0);
  });

  it.each(['brunet', 'lee', 'hals'] as const)('%s: row-block streaming (--max-device-mb) gives identical numbers', async (algorithm) => {
    const params: FactorizeParams = { ...base, algorithm, kernels: 'fused' };
    const inMemory = await factorizeRestarts(A, m, n, 3, [0, 1, 2, 3, 4], params);
    // 7 rows of 23 floats per block: blocks of uneven size over 70 rows.
    const tiny = (7 * n * 4) / 2 ** 20;
    const streamed = await factorizeRestarts(A, m, n, 3, [0, 1, 2, 3, 4], { ...params, maxDeviceMb: tiny });
    expectSame(streamed, inMemory, 0);
    const both = await factorizeRestarts(A, m, n, 3, [0, 1, 2, 3, 4], { ...params, maxDeviceMb: tiny, workers: 2 });
    expectSame(both, inMemory, 0);
  });
});

describe('fused lee: rows in pairs against one row at a time', () => {
  // In memory the unrolled lee kernels (k = 2..8) sweep two rows of A at once, k = 5..8 in blocks of
  // components; blocks of one row send every row through the one-row kernel. Both add the same terms
  // in the same order: identical numbers.
  it.each([2, 3, 4, 5, 8])('k = %i: blocks of one row give the numbers of rows in pairs, byte for byte', async (k) => {
    const params: FactorizeParams = { ...base, algorithm: 'lee', kernels: 'fused', maxIter: 60, stableChecks: 0 };
    const pairs = await factorizeRestarts(A, m, n, k, [0, 1, 2, 3, 4], params);
    const single = await factorizeRestarts(A, m, n, k, [0, 1, 2, 3, 4], { ...params, maxDeviceMb: (1 * n * 4) / 2 ** 20 });
    expectSame(single, pairs, 0);
  });
});

describe('fused: row split over threads (few restarts, many rows)', () => {
  it.each(['brunet', 'lee', 'hals'] as const)('%s: every thread on its chunks of rows gives the numbers of one thread', async (algorithm) => {
    // 70 rows in chunks of 16: 5 chunks, so 2 or 3 threads own 2-3 chunks each.
    const params: FactorizeParams = { ...base, algorithm, kernels: 'fused', chunkRows: 16 };
    const one = await factorizeRestarts(A, m, n, 3, [0, 1, 2], params);
    for (const workers of [2, 3]) {
      const rows = await factorizeRestarts(A, m, n, 3, [0, 1, 2], { ...params, workers, split: 'rows' });
      expectSame(rows, one, 0);
    }
    const streamed = await factorizeRestarts(A, m, n, 3, [0, 1, 2], { ...params, workers: 2, split: 'rows', maxDeviceMb: (5 * n * 4) / 2 ** 20 });
    expectSame(streamed, one, 0);
    const restartSplit = await factorizeRestarts(A, m, n, 3, [0, 1, 2], { ...params, workers: 2, split: 'restarts' });
    expectSame(restartSplit, one, 0);
    // Chunked sums change only float summation order.
    const unchunked = await factorizeRestarts(A, m, n, 3, [0, 1, 2], { ...params, chunkRows: undefined });
    expectSame(one, unchunked, 1e-5);
  });
});

describe('row-block streaming on the tfjs-ops path', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  // hals has no streamed ops form (refused: test/engine/conformance.test.ts).
  it.each(['brunet', 'lee'] as const)('%s: same labels and iterations as in memory, objectives within 1e-5 relative', async (algorithm) => {
    const params: FactorizeParams = { ...base, algorithm, kernels: 'ops' };
    for (const k of [2, 4]) {
      const inMemory = await factorizeRestarts(A, m, n, k, [0, 1, 2], params);
      const streamed = await factorizeRestarts(A, m, n, k, [0, 1, 2], { ...params, maxDeviceMb: (9 * n * 4) / 2 ** 20 });
      expectSame(streamed, inMemory, 1e-5);
    }
  });
});
