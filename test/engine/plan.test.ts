/**
 * Mixed groups (fused/plan.ts, fused/lanes.ts LaneItem): the last R mod 4 restarts of every k share
 * SIMD groups, a restart of a smaller k riding in a group of a larger one with its extra components at
 * 0. Its numbers must be those it gets in a group of its own k, byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { laneRanks } from '../../tasks/lib/engine/fused/plan.js';
import { runLanes, type LaneItem, type LaneResult } from '../../tasks/lib/engine/fused/lanes.js';
import { meanOf } from '../../tasks/lib/engine/blocks.js';
import { plantedMatrix } from './helpers.js';

describe('laneRanks', () => {
  it('keeps whole groups of each k in the given order and packs the remainders, largest k first, four to a group', () => {
    const plan = laneRanks([{ k: 2, restarts: [0, 1, 2, 3, 4] }, { k: 5, restarts: [0, 1, 2, 3, 4, 5] }, { k: 3, restarts: [7] }, { k: 9, restarts: [0, 1, 2, 3, 4] }], true, 4);
    const show = plan.map((r) => `${r.k}:${r.items.map((i) => `${i.k}/${i.restart}`).join(',')}`);
    expect(show).toEqual([
      '2:2/0,2/1,2/2,2/3',
      '5:5/0,5/1,5/2,5/3',
      '5:5/4,5/5,3/7,2/4', // the remainders of 5, 3 and 2 in one group of k = 5, after k = 5's own
      '9:9/0,9/1,9/2,9/3,9/4', // k >= 9 (the generic loop) keeps all its restarts
    ]);
    expect(laneRanks([{ k: 4, restarts: [0, 1, 2, 3, 4] }], false, 4).map((r) => r.items.length)).toEqual([5]);
  });
});

describe('a restart in a group of a larger k', () => {
  const m = 41; // odd: the lee row-pair kernels' one-row tail too
  const n = 17;
  const { A } = plantedMatrix(m, n, 3, 5);
  const meanA = meanOf(A);
  const run = (algorithm: 'brunet' | 'lee' | 'hals', K: number, items: LaneItem[]): LaneResult[] => {
    const out: LaneResult[] = [];
    let next = 0;
    runLanes({
      A, m, n, k: K, meanA, params: { algorithm, seed: 8, eps: 1e-9, maxIter: 120, checkEvery: 10, stableChecks: 3 }, blockRows: null,
      capacity: items.length, initial: items.length, claim: () => (next < items.length ? items[next++]! : null), onResult: (r) => out.push(r),
    });
    return out.sort((a, b) => a.k - b.k || a.restart - b.restart);
  };

  it.each(['brunet', 'lee', 'hals'] as const)('%s: restarts of k = 2, 3 and 5 in a group of k = 8 give the numbers of their own k, byte for byte', (algorithm) => {
    const mixed = run(algorithm, 8, [{ k: 8, restart: 0 }, { k: 5, restart: 1 }, { k: 3, restart: 2 }, { k: 2, restart: 3 }]);
    expect(mixed.map((r) => `${r.k}/${r.restart}`)).toEqual(['2/3', '3/2', '5/1', '8/0']);
    for (const r of mixed) {
      const [own] = run(algorithm, r.k, [{ k: r.k, restart: r.restart }]);
      expect(r.W.length).toBe(m * r.k);
      expect(r.H.length).toBe(r.k * n);
      expect(r.iterations).toBe(own!.iterations);
      expect(r.objective).toBe(own!.objective);
      expect(Buffer.from(r.labels.buffer).equals(Buffer.from(own!.labels.buffer))).toBe(true);
      expect(Buffer.from(r.W.buffer).equals(Buffer.from(own!.W.buffer))).toBe(true);
      expect(Buffer.from(r.H.buffer).equals(Buffer.from(own!.H.buffer))).toBe(true);
    }
    // The stop rule ended them at different iterations: lanes finished while others ran on.
    expect(new Set(mixed.map((r) => r.iterations)).size).toBeGreaterThan(1);
  });
});
