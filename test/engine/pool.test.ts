/**
 * One pool for all restarts of all k (what `run` does): the numbers of every restart equal those of
 * one k at a time in one thread, whatever the thread count; each rank is reported once, complete.
 */
import { describe, expect, it } from 'vitest';
import { factorizeRanks, factorizeRestarts, type FactorizeParams, type RestartResult } from '../../tasks/lib/engine/factorize.js';
import { plantedMatrix } from './helpers.js';
import { initialShare, runPool } from '../../tasks/lib/engine/pool.js';
import { meanOf } from '../../tasks/lib/engine/blocks.js';

const m = 50;
const n = 19;
const { A } = plantedMatrix(m, n, 3, 23);
const KS = [2, 3, 5, 9];
// 6 restarts per k: not a multiple of four, so groups finish with empty lanes and threads move on.
const RESTARTS = [0, 1, 2, 3, 4, 5];

function same(a: RestartResult[], b: RestartResult[]): void {
  expect(a.map((r) => r.restart)).toEqual(b.map((r) => r.restart));
  a.forEach((r, i) => {
    const o = b[i]!;
    expect(r.iterations).toBe(o.iterations);
    expect(r.converged).toBe(o.converged);
    expect(r.objective).toBe(o.objective);
    expect(Buffer.from(r.labels.buffer).equals(Buffer.from(o.labels.buffer))).toBe(true);
    expect(Buffer.from(r.W.buffer).equals(Buffer.from(o.W.buffer))).toBe(true);
    expect(Buffer.from(r.H.buffer).equals(Buffer.from(o.H.buffer))).toBe(true);
  });
}

describe('fused pool over several ranks', () => {
  it.each(['brunet', 'lee', 'hals'] as const)('%s: all k on 1, 2 and 3 threads give the numbers of each k alone in one thread', async (algorithm) => {
    // hals under the objective rule: its labels settle at the same check for every restart here, and
    // at tol 1e-6 the objective stops them at 40 and 50 iterations.
    const params: FactorizeParams = { algorithm, seed: 11, maxIter: 200, checkEvery: 10, stableChecks: 4, kernels: 'fused', ...(algorithm === 'hals' ? { stop: 'objective' as const, tol: 1e-6 } : {}) };
    const alone = new Map<number, RestartResult[]>();
    for (const k of KS) alone.set(k, await factorizeRestarts(A, m, n, k, RESTARTS, { ...params, workers: 1 }));
    // Restarts converge at different iterations, so lanes free up unevenly (the case refill covers).
    expect(new Set(alone.get(3)!.map((r) => r.iterations)).size).toBeGreaterThan(1);
    for (const workers of [1, 2, 3]) {
      const order: number[] = [];
      const out = await factorizeRanks(A, m, n, KS.map((k) => ({ k, restarts: RESTARTS })), { ...params, workers }, {
        onRank: (k, results) => {
          order.push(k);
          same(results, alone.get(k)!);
        },
      });
      expect([...order].sort((a, b) => a - b)).toEqual(KS);
      for (const k of KS) same(out.get(k)!, alone.get(k)!);
    }
  });

  it('threads start a rank with whole SIMD groups: 12 restarts on 2 threads run in groups of 4, not 6 + 6', async () => {
    expect([initialShare(12, 2, 4), initialShare(20, 2, 4), initialShare(5, 2, 4), initialShare(3, 2, 4), initialShare(20, 3, 4)]).toEqual([8, 12, 4, 3, 8]);
    const restarts = Array.from({ length: 12 }, (_, r) => r);
    const running: number[] = [];
    const done: number[] = [];
    await runPool(
      { A, m, n, ranks: [{ k: 2, restarts }], params: { algorithm: 'lee', seed: 3, eps: 1e-9, maxIter: 20, checkEvery: 10, stableChecks: 0 }, blockRows: null, meanA: meanOf(A) },
      2,
      (_k, r) => done.push(r.restart),
      (_k, _pass, live) => running.push(live),
    );
    // Fixed iterations: a thread's lanes all finish together, so every check sees whole groups
    // running (8 + 4, or 8 then 4 on one thread when the other starts late; 0 once done), never 6.
    expect(running.some((live) => live > 0)).toBe(true);
    for (const live of running) expect([0, 4, 8]).toContain(live);
    expect(done.sort((a, b) => a - b)).toEqual(restarts); // each restart once
  });

  it('an error thrown while a rank is handed over is raised once the pool is done', async () => {
    const params: FactorizeParams = { algorithm: 'brunet', seed: 1, maxIter: 20, checkEvery: 10, stableChecks: 0, kernels: 'fused', workers: 2 };
    await expect(factorizeRanks(A, m, n, [{ k: 2, restarts: [0, 1] }, { k: 3, restarts: [0, 1] }], params, {
      onRank: () => {
        throw new Error('disk full');
      },
    })).rejects.toThrow('disk full');
  });
});
