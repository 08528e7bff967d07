import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../tasks/lib/engine/backend.js';
import { factorizeRestarts, type FactorizeParams } from '../../tasks/lib/engine/factorize.js';
import { adjustedRandIndex } from '../../tasks/lib/metrics/index.js';
import { plantedMatrix } from './helpers.js';

const m = 60;
const n = 24;
const { A, truth } = plantedMatrix(m, n, 3, 5);
const params: FactorizeParams = { algorithm: 'brunet', seed: 2024, maxIter: 600, checkEvery: 10, stableChecks: 20 };

describe('factorizeRestarts (wasm)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('finds planted clusters, records iterations, convergence and the fit', async () => {
    const [r] = await factorizeRestarts(A, m, n, 3, [0], params);
    expect(adjustedRandIndex(Array.from(r!.labels), truth)).toBe(1);
    expect(r!.converged).toBe(true);
    expect(r!.iterations % 10).toBe(0);
    expect(r!.iterations).toBeGreaterThanOrEqual(220); // first check + more than 20 unchanged checks
    expect(r!.relError).toBeGreaterThan(0);
    expect(r!.relError).toBeLessThan(0.5);
  });

  it('gives the same result for the same seed, and does not depend on the batch (shard layout)', async () => {
    const all = await factorizeRestarts(A, m, n, 4, [0, 1, 2, 3, 4, 5], params);
    const again = await factorizeRestarts(A, m, n, 4, [0, 1, 2, 3, 4, 5], params);
    const split = [
      ...(await factorizeRestarts(A, m, n, 4, [3, 4, 5], params)),
      ...(await factorizeRestarts(A, m, n, 4, [0, 1, 2], params)),
    ].sort((a, b) => a.restart - b.restart);
    for (const other of [again, split]) {
      other.forEach((r, i) => {
        expect(r.restart).toBe(all[i]!.restart);
        expect(Array.from(r.labels)).toEqual(Array.from(all[i]!.labels));
        expect(r.iterations).toBe(all[i]!.iterations);
        expect(r.objective).toBe(all[i]!.objective);
      });
    }
    // Different restarts start differently: with k = 4 on 3 planted groups they do not all agree.
    expect(new Set(all.map((r) => r.objective)).size).toBeGreaterThan(1);
  });

  it('runs to maxIter with stableChecks = 0 and marks the run unconverged', async () => {
    const [r] = await factorizeRestarts(A, m, n, 2, [0], { ...params, maxIter: 35, stableChecks: 0 });
    expect(r!.iterations).toBe(35);
    expect(r!.converged).toBe(false);
  });

  it('disposes every tensor: no growth of tf.memory().numTensors across restarts', async () => {
    await factorizeRestarts(A, m, n, 3, [0], { ...params, maxIter: 50 });
    const before = tf.memory().numTensors;
    await factorizeRestarts(A, m, n, 3, [0, 1, 2, 3], { ...params, maxIter: 50 });
    await factorizeRestarts(A, m, n, 3, [4, 5], { ...params, algorithm: 'lee', maxIter: 50 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('no tensor leak over 3 consecutive fits, in memory and row-block streamed, on every kernel path', async () => {
    const start = tf.memory().numTensors;
    const streamed = (5 * n * 4) / 2 ** 20;
    for (const algorithm of ['brunet', 'lee', 'hals'] as const) {
      // hals has no streamed or batched ops form (refused before any tensor is made: conformance.test.ts).
      const ops = algorithm === 'hals' ? [{}] : [{}, { maxDeviceMb: streamed }, { batched: true }];
      for (const variant of [...ops, { kernels: 'fused' as const }, { kernels: 'fused' as const, maxDeviceMb: streamed }]) {
        for (let fit = 0; fit < 3; fit++) {
          await factorizeRestarts(A, m, n, 3, [fit, fit + 1], { ...params, algorithm, maxIter: 43, ...variant });
          expect(tf.memory().numTensors).toBe(start);
        }
      }
    }
  });
});

describe('backends agree (same host-side initial factors)', () => {
  it('cpu and wasm give the same labels on a clear problem, objectives within float32 noise', async () => {
    await useBackend('cpu');
    const cpu = await factorizeRestarts(A, m, n, 3, [0, 1], params);
    await useBackend('wasm');
    const wasm = await factorizeRestarts(A, m, n, 3, [0, 1], params);
    cpu.forEach((r, i) => {
      expect(Array.from(r.labels)).toEqual(Array.from(wasm[i]!.labels));
      expect(Math.abs(r.objective - wasm[i]!.objective) / r.objective).toBeLessThan(1e-3);
    });
  });
});
