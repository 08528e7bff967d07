/**
 * The tfjs-ops path with the restarts of a k as one batch (the tensorflow backend's form of ops.ts):
 * W is R x m x k and H is R x k x n on the device, and one step of updates/batched.ts advances all
 * of them with batched matMul against the one device copy of A, so a step costs the same number of op
 * launches whatever R is. The stop rule, the clamp at checks and the order of operations are those of
 * ops.ts. At a check only the labels (argmax of H, R x n int32) are read back; a restart that stops
 * is read back once and gathered out of the batch, the others go on. Under the objective rule W and
 * H are read back at every check too, and each restart's objective is evaluated on the host (float64).
 * HALS has no batched rule (ops.ts runs it per restart).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initialFactors } from './prng.js';
import { BATCHED_RULES } from './updates/batched.js';
import { RestartStop, argmaxLabels, needsObjective, restartStopFrom } from './stopping.js';
import { evaluateFit } from './objective.js';
import { DEFAULT_EPS, FLOAT32_TINY, type EngineJob, type RankJob } from './types.js';

interface Batch {
  restarts: number[];
  stops: RestartStop[];
  W: tf.Tensor3D;
  H: tf.Tensor3D;
}

function replace(b: Batch, W: tf.Tensor3D, H: tf.Tensor3D): void {
  b.W.dispose();
  b.H.dispose();
  b.W = W;
  b.H = H;
}

/** All restarts of one rank of `job` as one batch, on At (A on the device). */
export async function factorizeBatched(job: EngineJob, rank: RankJob, At: tf.Tensor2D, meanA: number): Promise<void> {
  const { A, m, n, params } = job;
  const { k } = rank;
  const eps = params.eps ?? DEFAULT_EPS;
  const step = BATCHED_RULES[params.algorithm];
  if (step === undefined) throw new Error(`no batched update for ${params.algorithm} (ops.ts runs it per restart)`);
  const withObjective = needsObjective(params);
  const stops: RestartStop[] = [];
  const R = rank.restarts.length;
  const W0 = new Float32Array(R * m * k);
  const H0 = new Float32Array(R * k * n);
  rank.restarts.forEach((restart, r) => {
    const init = initialFactors(params.seed, k, restart, m, n, meanA);
    W0.set(init.W, r * m * k);
    H0.set(init.H, r * k * n);
    stops.push(restartStopFrom(params, A, init.W, init.H, m, n, k));
  });
  const b: Batch = {
    restarts: [...rank.restarts],
    stops,
    W: tf.tensor3d(W0, [R, m, k]),
    H: tf.tensor3d(H0, [R, k, n]),
  };
  let done = 0;
  try {
    for (let iter = 1; b.restarts.length > 0; iter++) {
      const next = step(At, b.W, b.H, eps);
      replace(b, next.W, next.H);
      const last = iter >= params.maxIter;
      if (iter % params.checkEvery !== 0 && !last) continue;
      replace(b, tf.maximum(b.W, FLOAT32_TINY) as tf.Tensor3D, tf.maximum(b.H, FLOAT32_TINY) as tf.Tensor3D);
      let labels: Int32Array | null = null;
      let factors: { W: Float32Array; H: Float32Array } | null = null;
      if (iter % params.checkEvery === 0) {
        const am = tf.argMax(b.H, 1);
        labels = (await am.data()) as Int32Array;
        am.dispose();
        if (withObjective) factors = { W: (await b.W.data()) as Float32Array, H: (await b.H.data()) as Float32Array };
      }
      const objectiveOf = (r: number) =>
        factors === null ? undefined : evaluateFit(params.algorithm, A, factors.W.subarray(r * m * k, (r + 1) * m * k), factors.H.subarray(r * k * n, (r + 1) * k * n), m, n, k).objective;
      const keep: number[] = [];
      for (let r = 0; r < b.restarts.length; r++) {
        const converged = labels !== null && b.stops[r]!.update(labels.subarray(r * n, (r + 1) * n), objectiveOf(r));
        if (!converged && !last) {
          keep.push(r);
          continue;
        }
        // Async reads: the webgpu backend cannot read synchronously in Node.
        const [Ws, Hs] = [tf.slice(b.W, [r, 0, 0], [1, m, k]), tf.slice(b.H, [r, 0, 0], [1, k, n])];
        const W = new Float32Array((await Ws.data()) as Float32Array);
        const H = new Float32Array((await Hs.data()) as Float32Array);
        Ws.dispose();
        Hs.dispose();
        const fit = evaluateFit(params.algorithm, A, W, H, m, n, k);
        done++;
        job.onResult(k, { restart: b.restarts[r]!, labels: argmaxLabels(H, k, n), iterations: iter, converged, objective: fit.objective, relError: fit.relError, W, H });
      }
      if (keep.length < b.restarts.length) {
        if (keep.length > 0) {
          const idx = tf.tensor1d(keep, 'int32');
          replace(b, tf.gather(b.W, idx) as tf.Tensor3D, tf.gather(b.H, idx) as tf.Tensor3D);
          idx.dispose();
        }
        b.restarts = keep.map((r) => b.restarts[r]!);
        b.stops = keep.map((r) => b.stops[r]!);
      }
      job.onProgress?.({ k, iteration: iter, active: b.restarts.length, done, total: R });
    }
  } finally {
    b.W.dispose();
    b.H.dispose();
  }
}
