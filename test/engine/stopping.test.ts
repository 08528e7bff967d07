import { describe, expect, it } from 'vitest';
import { ConnectivityStop, argmaxLabels, canonicalPartition } from '../../tasks/lib/engine/stopping.js';

/** Iteration at which the rule stops for a labels(iter) sequence, or null if it runs to maxIter. */
function stopIteration(rule: ConnectivityStop, labelsAt: (iter: number) => number[], maxIter: number): number | null {
  for (let iter = 1; iter <= maxIter; iter++) if (rule.isCheck(iter) && rule.update(labelsAt(iter))) return iter;
  return null;
}

describe('connectivity stopping rule (R NMF nmf.stop.connectivity)', () => {
  const params = { maxIter: 2000, checkEvery: 10, stableChecks: 40 };

  it('stops after more than 40 unchanged checks: 420 iterations when labels never change', () => {
    expect(stopIteration(new ConnectivityStop(params), () => [0, 0, 1, 1], 2000)).toBe(420);
  });

  it('treats a relabelling as no change (same connectivity)', () => {
    const seq = (iter: number) => ((iter / 10) % 2 === 0 ? [0, 0, 1, 1] : [1, 1, 0, 0]);
    expect(stopIteration(new ConnectivityStop(params), seq, 2000)).toBe(420);
  });

  it('restarts the count when the partition changes', () => {
    // Partition changes at iteration 100, then stays: 41 unchanged checks after 100 -> 510.
    const seq = (iter: number) => (iter < 100 ? [0, 0, 1, 1] : [0, 1, 1, 1]);
    expect(stopIteration(new ConnectivityStop(params), seq, 2000)).toBe(510);
  });

  it('never stops early with stableChecks = 0', () => {
    expect(stopIteration(new ConnectivityStop({ ...params, stableChecks: 0 }), () => [0, 1], 2000)).toBeNull();
  });

  it('labels are argmax of H columns, ties to the lowest index', () => {
    // H is 3 x 4: columns (1,2,0), (5,5,1), (0,0,0), (1,2,3)
    const H = [1, 5, 0, 1, 2, 5, 0, 2, 0, 1, 0, 3];
    expect(Array.from(argmaxLabels(H, 3, 4))).toEqual([1, 0, 0, 2]);
    expect(Array.from(canonicalPartition([2, 2, 0, 1]))).toEqual([0, 0, 1, 2]);
  });
});
