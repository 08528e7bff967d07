import { describe, expect, it } from 'vitest';
import { matchFactorsToClusters, minCostAssignment, overlapTable } from '../../tasks/lib/metrics/assignment.js';
import { mulberry32 } from './random.js';

/** Every permutation of 0..n-1. */
function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

describe('minCostAssignment', () => {
  it('finds the minimum total cost of brute force on 300 random matrices (sizes 1-6, with ties)', () => {
    const rnd = mulberry32(7);
    for (let t = 0; t < 300; t++) {
      const size = 1 + (t % 6);
      const cost = Float64Array.from({ length: size * size }, () => Math.floor(rnd() * 5)); // small integers: many ties
      const col = minCostAssignment(cost, size);
      expect(new Set(col).size).toBe(size);
      const total = (p: ArrayLike<number>) => Array.from(p).reduce((s, c, r) => s + cost[r * size + c]!, 0);
      const best = Math.min(...permutations(size).map(total));
      expect(total(col)).toBe(best);
    }
  });

  it('rejects a cost matrix of the wrong size', () => {
    expect(() => minCostAssignment([1, 2, 3], 2)).toThrow(/4 costs/);
  });
});

describe('matchFactorsToClusters', () => {
  it('recovers a relabelling of the factors, and the overlap table counts samples', () => {
    // consensus clusters 1..3; the best fit calls cluster 1 factor 2, cluster 2 factor 0, cluster 3 factor 1
    const clusters = [1, 1, 1, 2, 2, 3, 3, 3, 3];
    const factors = [2, 2, 0, 0, 0, 1, 1, 1, 2];
    expect(matchFactorsToClusters(factors, clusters, 3)).toEqual([2, 0, 1]);
    expect(Array.from(overlapTable(factors, clusters, 3))).toEqual([1, 0, 2, 2, 0, 0, 0, 3, 1]);
  });

  it('is one-to-one even when one factor dominates two clusters', () => {
    const clusters = [1, 1, 2, 2, 2];
    const factors = [0, 0, 0, 0, 1];
    expect(matchFactorsToClusters(factors, clusters, 2)).toEqual([0, 1]);
  });

  it('names a label out of range', () => {
    expect(() => overlapTable([0, 3], [1, 1], 2)).toThrow(/sample 1/);
  });
});
