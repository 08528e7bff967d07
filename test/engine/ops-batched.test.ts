/**
 * The batched tfjs-ops update (updates/batched.ts, ops-batched.ts: the tensorflow backend's form of
 * the ops path) against the per-restart reference (updates/brunet.ts, lee.ts, ops.ts), on the cpu
 * backend (tfjs-node, the tensorflow backend, cannot be installed here; nothing ran on it or on a GPU).
 *
 * Tolerance: factors within 1e-5 relative (largest |difference| over the largest |value| of each
 * factor), labels and iteration counts equal. The batched and 2-D matMuls may sum in different
 * orders; on the cpu backend they do not (the largest gap measured, printed by the last test, is 0:
 * tfjs-cpu runs a 2-D matMul as a batch of one through the same kernel). The tolerance is for
 * backends whose batched kernels sum differently (tfjs-node, untested).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../tasks/lib/engine/backend.js';
import { factorizeRestarts, type FactorizeParams } from '../../tasks/lib/engine/factorize.js';
import { initialFactors } from '../../tasks/lib/engine/prng.js';
import { meanOf } from '../../tasks/lib/engine/blocks.js';
import { UPDATE_RULES } from '../../tasks/lib/engine/updates/index.js';
import { BATCHED_RULES } from '../../tasks/lib/engine/updates/batched.js';
import { plantedMatrix } from './helpers.js';

const m = 60;
const n = 26;
const { A } = plantedMatrix(m, n, 3, 5);
const REL = 1e-5;
let worst = 0;

/** Largest |a - b| over the largest |b|. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / s;
}

/** relDiff of a batched result to the reference, kept for the report. */
function gap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const g = relDiff(a, b);
  worst = Math.max(worst, g);
  return g;
}

describe('batched tfjs-ops update against the per-restart reference (cpu backend)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  for (const algorithm of ['brunet', 'lee'] as const) {
    it(`${algorithm}: 30 batched steps of 4 restarts equal 30 per-restart steps of each`, () => {
      const k = 4;
      const restarts = [0, 1, 2, 3];
      const inits = restarts.map((r) => initialFactors(3, k, r, m, n, meanOf(A)));
      const At = tf.tensor2d(A, [m, n]);
      let W = tf.tensor3d(Float32Array.from(inits.flatMap((f) => Array.from(f.W))), [4, m, k]);
      let H = tf.tensor3d(Float32Array.from(inits.flatMap((f) => Array.from(f.H))), [4, k, n]);
      const W0 = W.dataSync().slice();
      for (let t = 0; t < 30; t++) {
        const next = BATCHED_RULES[algorithm](At, W, H, 1e-9);
        W.dispose();
        H.dispose();
        ({ W, H } = next);
      }
      const Wb = W.dataSync();
      const Hb = H.dataSync();
      // The factors moved (the comparison below is not of two copies of the start).
      expect(relDiff(Wb, W0)).toBeGreaterThan(1e-2);
      inits.forEach((f, r) => {
        let w = tf.tensor2d(f.W, [m, k]);
        let h = tf.tensor2d(f.H, [k, n]);
        for (let t = 0; t < 30; t++) {
          const next = UPDATE_RULES[algorithm](At, w, h, 1e-9);
          w.dispose();
          h.dispose();
          ({ W: w, H: h } = next);
        }
        expect(gap(Wb.subarray(r * m * k, (r + 1) * m * k), w.dataSync())).toBeLessThan(REL);
        expect(gap(Hb.subarray(r * k * n, (r + 1) * k * n), h.dataSync())).toBeLessThan(REL);
        w.dispose();
        h.dispose();
      });
      tf.dispose([At, W, H]);
    });

    it.each(['connectivity', 'objective', 'both'] as const)(`${algorithm}, --stop %s: the batched path stops each restart where the reference does (restarts leaving the batch at different iterations)`, async (stop) => {
      const params: FactorizeParams = { algorithm, seed: 11, maxIter: 300, checkEvery: 10, stableChecks: 2, kernels: 'ops', stop, tol: 1e-3 };
      const restarts = [0, 1, 2, 3, 4, 5];
      const ref = await factorizeRestarts(A, m, n, 4, restarts, { ...params, batched: false });
      const got = await factorizeRestarts(A, m, n, 4, restarts, { ...params, batched: true });
      expect(new Set(ref.map((r) => r.iterations)).size).toBeGreaterThan(1);
      got.forEach((r, i) => {
        const o = ref[i]!;
        expect([r.restart, r.iterations, r.converged]).toEqual([o.restart, o.iterations, o.converged]);
        expect(Array.from(r.labels)).toEqual(Array.from(o.labels));
        expect(gap(r.W, o.W)).toBeLessThan(REL);
        expect(gap(r.H, o.H)).toBeLessThan(REL);
      });
    });
  }

  it('states the largest gap measured', () => {
    console.log(`batched vs per-restart ops (cpu backend): largest relative factor gap ${worst.toExponential(2)} (tolerance ${REL})`);
    expect(worst).toBeLessThan(REL);
  });
});
