import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../tasks/lib/engine/backend.js';
import { UPDATE_RULES } from '../../tasks/lib/engine/updates/index.js';
import { initialFactors } from '../../tasks/lib/engine/prng.js';
import { evaluateFit } from '../../tasks/lib/engine/objective.js';
import { DEFAULT_EPS } from '../../tasks/lib/engine/factorize.js';
import { randomMatrix } from './helpers.js';

// Multiplicative updates never increase their objective (Lee & Seung 2001), nor does a HALS sweep
// (each coordinate step solves its own least-squares problem exactly). In float32 an
// iteration may move it up by rounding only: allowed rise 1e-6 relative per step.
const ROUNDING = 1e-6;

describe.each(['wasm', 'cpu'] as const)('objective never increases (%s backend)', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(['brunet', 'lee', 'hals'] as const)('%s on random non-negative data', (algorithm) => {
    const m = 40;
    const n = 15;
    const k = 3;
    const A = randomMatrix(m, n, 7);
    const mean = A.reduce((s, x) => s + x, 0) / A.length;
    for (const restart of [0, 1]) {
      const init = initialFactors(11, k, restart, m, n, mean);
      const At = tf.tensor2d(A, [m, n]);
      let W = tf.tensor2d(init.W, [m, k]);
      let H = tf.tensor2d(init.H, [k, n]);
      let prev = evaluateFit(algorithm, A, init.W, init.H, m, n, k).objective;
      const first = prev;
      let worstRise = 0;
      for (let it = 0; it < 200; it++) {
        const next = UPDATE_RULES[algorithm](At, W, H, DEFAULT_EPS);
        W.dispose();
        H.dispose();
        W = next.W;
        H = next.H;
        const obj = evaluateFit(algorithm, A, W.dataSync(), H.dataSync(), m, n, k).objective;
        worstRise = Math.max(worstRise, (obj - prev) / prev);
        prev = obj;
      }
      expect(worstRise).toBeLessThanOrEqual(ROUNDING);
      expect(prev).toBeLessThan(first * 0.9); // and it actually descends
      W.dispose();
      H.dispose();
      At.dispose();
    }
  });
});
