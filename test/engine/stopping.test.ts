import { describe, expect, it } from 'vitest';
import { ConnectivityStop, RestartStop, argmaxLabels, canonicalPartition, needsObjective } from '../../tasks/lib/engine/stopping.js';

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

describe('objective and both stop rules (scikit-learn _fit_multiplicative_update)', () => {
  const params = { maxIter: 2000, checkEvery: 10, stableChecks: 2, tol: 1e-2 };
  // Objectives 1/2 ||A - WH||^2 with f = sqrt(2 objective) = 100 at the start, then 50, 40, 39.5, 39.2:
  // decreases relative to f(start) 0.5, 0.1, 0.005 (< tol), 0.003.
  const f = [50, 40, 39.5, 39.2, 39.1, 39.05];
  const objective = (x: number) => (x * x) / 2;

  /** Check (1-based) at which the rule stops, labels unchanged from the second check on. */
  function stopsAt(stop: 'objective' | 'both' | 'connectivity', tol = params.tol): number | null {
    const rule = new RestartStop({ ...params, stop, tol });
    if (needsObjective({ stop, stableChecks: params.stableChecks })) rule.start(objective(100));
    for (let c = 0; c < f.length; c++) if (rule.update(c === 0 ? [0, 1, 0] : [0, 0, 1], objective(f[c]!))) return c + 1;
    return null;
  }

  it('objective: stops at the first check whose decrease since the previous check, over f at the start, is below tol', () => {
    expect(stopsAt('objective')).toBe(3);
    expect(stopsAt('objective', 0.2)).toBe(2);
  });

  it('objective: tol 0 never stops (scikit-learn skips the test)', () => {
    expect(stopsAt('objective', 0)).toBeNull();
  });

  it('both: stops only at a check where both rules say stop', () => {
    // connectivity with stableChecks 2: labels unchanged from check 2, so checks 5 onwards say stop.
    expect(stopsAt('connectivity')).toBe(5);
    expect(stopsAt('both')).toBe(5);
  });

  it('the objective rule needs the objective at the start', () => {
    const rule = new RestartStop({ ...params, stop: 'objective' });
    expect(() => rule.update([0, 1], 1)).toThrow(/objective was not given/);
    expect(needsObjective({ stop: 'connectivity', stableChecks: 2 })).toBe(false);
    expect(needsObjective({ stableChecks: 2 })).toBe(false);
  });

  it('stableChecks 0 turns off early stopping under every rule (a fixed iteration count), without objectives', () => {
    for (const stop of ['connectivity', 'objective', 'both'] as const) {
      expect(needsObjective({ stop, stableChecks: 0 })).toBe(false);
      const rule = new RestartStop({ ...params, stableChecks: 0, stop, tol: 0.5 });
      for (let c = 0; c < 50; c++) expect(rule.update([0, 0, 1])).toBe(false);
    }
    expect(needsObjective({ stop: 'objective', stableChecks: 1 })).toBe(true);
  });
});
