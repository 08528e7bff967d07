/**
 * --algorithm hals against a plain float64 reference (hals-reference.ts, written from the formulas):
 * the objective after every sweep of the ops path and the fused kernels (1 and 2 workers, rows split)
 * follows the reference's on a small planted matrix. Both engine paths run in float32, so they drift
 * from float64 by rounding only: tolerance 1e-4 relative at every point (measured gaps are printed).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../tasks/lib/engine/backend.js';
import { factorizeRestarts, type FactorizeParams } from '../../tasks/lib/engine/factorize.js';
import { initialFactors } from '../../tasks/lib/engine/prng.js';
import { meanOf } from '../../tasks/lib/engine/blocks.js';
import { evaluateFit } from '../../tasks/lib/engine/objective.js';
import { halsReference } from './hals-reference.js';
import { plantedMatrix } from './helpers.js';

const m = 36;
const n = 22;
const { A } = plantedMatrix(m, n, 3, 12);
const ITER = 30;
const REL = 1e-4;

describe('hals against a float64 reference', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it.each([2, 3, 5])('k = %i: ops and fused objectives after every sweep within 1e-4 of the reference', async (k) => {
    const restarts = [0, 1];
    const refs = restarts.map((r) => {
      const init = initialFactors(4, k, r, m, n, meanOf(A));
      return { init: evaluateFit('hals', A, init.W, init.H, m, n, k).objective, after: halsReference(A, m, n, k, init.W, init.H, ITER) };
    });
    // The reference does descend: sweep 30 is well below the start, and it never rises by more than rounding.
    for (const ref of refs) {
      expect(ref.after[ITER - 1]!).toBeLessThan(0.5 * ref.init);
      for (let t = 1; t < ITER; t++) expect(ref.after[t]!).toBeLessThanOrEqual(ref.after[t - 1]! * (1 + 1e-12));
    }
    const variants: Partial<FactorizeParams>[] = [{ kernels: 'ops' }, { kernels: 'fused', workers: 1 }, { kernels: 'fused', workers: 2, split: 'rows', chunkRows: 8 }];
    let worst = 0;
    for (const v of variants) {
      for (const iters of [1, 2, 5, 10, 20, 30]) {
        const got = await factorizeRestarts(A, m, n, k, restarts, { algorithm: 'hals', seed: 4, maxIter: iters, checkEvery: 10, stableChecks: 0, ...v });
        got.forEach((r, i) => {
          expect(r.iterations).toBe(iters);
          const want = refs[i]!.after[iters - 1]!;
          const gap = Math.abs(r.objective - want) / want;
          worst = Math.max(worst, gap);
          expect(gap, `${JSON.stringify(v)} restart ${r.restart} after ${iters}`).toBeLessThan(REL);
        });
      }
    }
    console.log(`hals k = ${k}: largest relative objective gap to the float64 reference ${worst.toExponential(2)} (tolerance ${REL})`);
  });
});
