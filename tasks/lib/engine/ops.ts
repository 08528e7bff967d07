/**
 * The tfjs-ops path, the reference: the update rules of updates/ as tfjs-core ops on the active
 * backend, in the calling thread, A resident on the device. All restarts of a k advance together,
 * one update step each per iteration, on one device copy of A. A restart that converges is taken off
 * the batch (its factors are read back and its tensors disposed); the others go on. Each restart's
 * arithmetic involves only its own tensors, so its result does not depend on which other restarts
 * share the batch (shard layout).
 *
 * Why per-restart 2D ops and not one 3D batched matMul: in tfjs-wasm 4.22 a batched matMul
 * (batch > 1) bypasses XNNPACK and measured ~15x slower than a loop of 2D matMuls, and
 * stack/unstack copies cost more than the update itself (measured on ALL_AML, k = 5, 20 restarts:
 * 132 ms vs 27 ms per iteration). On the tensorflow backend, where a launch costs more than a small
 * matMul, the restarts run as one batch instead (ops-batched.ts; params.batched overrides, for tests).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initialFactors } from './prng.js';
import { UPDATE_RULES } from './updates/index.js';
import { RestartStop, argmaxLabels, needsObjective, restartStopFrom } from './stopping.js';
import { evaluateFit } from './objective.js';
import { meanOf } from './blocks.js';
import { factorizeBatched } from './ops-batched.js';
import { registerPath } from './registry.js';
import { DEFAULT_EPS, FLOAT32_TINY, type EngineJob, type RankJob, type RestartResult } from './types.js';

interface Active {
  restart: number;
  W: tf.Tensor2D;
  H: tf.Tensor2D;
  stop: RestartStop;
  labels: Uint16Array;
}

/** All restarts of one rank of `job`, on At (A on the device). */
async function factorizeOps(job: EngineJob, rank: RankJob, At: tf.Tensor2D, meanA: number): Promise<void> {
  const { A, m, n, params } = job;
  const { k, restarts } = rank;
  const onResult = (r: RestartResult) => job.onResult(k, r);
  const eps = params.eps ?? DEFAULT_EPS;
  const update = UPDATE_RULES[params.algorithm];
  // The objective rule: the objective on the host in float64 from the factors read back at a check.
  const withObjective = needsObjective(params);
  let done = 0;
  let active: Active[] = restarts.map((restart) => {
    const init = initialFactors(params.seed, k, restart, m, n, meanA);
    return {
      restart,
      W: tf.tensor2d(init.W, [m, k]),
      H: tf.tensor2d(init.H, [k, n]),
      stop: restartStopFrom(params, A, init.W, init.H, m, n, k),
      labels: argmaxLabels(init.H, k, n),
    };
  });

  // Async reads: the webgpu backend cannot read synchronously in Node (no OffscreenCanvas).
  const finish = async (a: Active, iterations: number, converged: boolean) => {
    const W = (await a.W.data()) as Float32Array;
    const H = (await a.H.data()) as Float32Array;
    a.W.dispose();
    a.H.dispose();
    const fit = evaluateFit(params.algorithm, A, W, H, m, n, k);
    done++;
    onResult({
      restart: a.restart,
      labels: argmaxLabels(H, k, n),
      iterations,
      converged,
      objective: fit.objective,
      relError: fit.relError,
      W: new Float32Array(W),
      H: new Float32Array(H),
    });
  };

  try {
    for (let iter = 1; active.length > 0; iter++) {
      for (const a of active) {
        const next = update(At, a.W, a.H, eps);
        a.W.dispose();
        a.H.dispose();
        a.W = next.W;
        a.H = next.H;
      }
      const last = iter >= params.maxIter;
      if (iter % params.checkEvery === 0 || last) {
        const still: Active[] = [];
        for (const a of active) {
          // HALS clamps at 0 in every update; the multiplicative rules clamp up to tiny at checks.
          if (params.algorithm !== 'hals') clampTiny(a);
          let converged = false;
          if (iter % params.checkEvery === 0) {
            const H = await a.H.data();
            a.labels = argmaxLabels(H, k, n);
            const objective = withObjective ? evaluateFit(params.algorithm, A, await a.W.data(), H, m, n, k).objective : undefined;
            converged = a.stop.update(a.labels, objective);
          }
          if (converged || last) await finish(a, iter, converged);
          else still.push(a);
        }
        active = still;
        job.onProgress?.({ k, iteration: iter, active: active.length, done, total: restarts.length });
      }
    }
  } finally {
    for (const a of active) {
      a.W.dispose();
      a.H.dispose();
    }
  }
}

function clampTiny(a: Active): void {
  const W = tf.maximum(a.W, FLOAT32_TINY) as tf.Tensor2D;
  const H = tf.maximum(a.H, FLOAT32_TINY) as tf.Tensor2D;
  a.W.dispose();
  a.H.dispose();
  a.W = W;
  a.H = H;
}

registerPath({
  name: 'ops',
  blockCapMb: Infinity,
  accepts: (req) => req.kernels === 'ops' && !req.streamed,
  // Only a test forces the batched path; the stage never asks it for hals.
  refuses: (p) => (p.batched === true && p.algorithm === 'hals' ? '--algorithm hals: the batched ops path has no HALS update; leave batched unset (HALS runs per restart).' : null),
  async run(job: EngineJob) {
    const At = tf.tensor2d(job.A, [job.m, job.n], 'float32');
    const meanA = meanOf(job.A);
    // HALS has no batched rule: it runs per restart on every backend.
    const batched = job.params.batched ?? (tf.getBackend() === 'tensorflow' && job.params.algorithm !== 'hals');
    try {
      for (const rank of job.ranks) {
        if (batched) await factorizeBatched(job, rank, At, meanA);
        else await factorizeOps(job, rank, At, meanA);
      }
    } finally {
      At.dispose();
    }
  },
});
