/**
 * Row-block streaming for the tfjs-ops path (DESIGN section 2; pyDNMF-GPU Algorithm 5, co-linear
 * batching): A stays on the host and each iteration uploads it block by block of rows; only one block
 * of A, the blocks of W and the k x n sums are on the device at once. Per block b:
 *
 *   brunet: W_b <- W_b * ((A_b / W_b H) H^T) / rowSums(H), then with the new W_b
 *           sum_b W_b^T (A_b / W_b H) and colSums(W_b) are accumulated for the next H update;
 *   lee:    W_b <- W_b * (A_b H^T) / (W_b (H H^T) + eps), then W_b^T A_b and W_b^T W_b are accumulated;
 *           after the pass W's columns are rescaled to sum 1 (and the sums with them).
 *
 * So A is read once per iteration: the H update of iteration t+1 uses the sums gathered while W was
 * updated in iteration t (the first iteration has a pass that only gathers). The sequence of updates
 * is the in-memory one (H then W with the new H); only float summation order differs (tested: same
 * labels, objectives within 1e-5 relative).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initialFactors } from './prng.js';
import { RestartStop, argmaxLabels, needsObjective, restartStopFrom } from './stopping.js';
import { evaluateFit } from './objective.js';
import { meanOf } from './blocks.js';
import { registerPath } from './registry.js';
import { DEFAULT_EPS, FLOAT32_TINY as TINY, type FactorizeParams, type ProgressEvent, type RestartResult } from './types.js';

interface Run {
  restart: number;
  Wb: tf.Tensor2D[];
  H: tf.Tensor2D;
  num: tf.Tensor2D | null; // brunet: sum W_b^T Q_b; lee: sum W_b^T A_b
  den: tf.Tensor | null; // brunet: colSums(W) (1 x k); lee: W^T W (k x k)
  iter: number;
  stop: RestartStop;
}

export async function factorizeStreamed(
  A: Float32Array,
  m: number,
  n: number,
  k: number,
  restarts: readonly number[],
  params: FactorizeParams,
  blockRows: number,
  eps: number,
  onProgress?: (e: ProgressEvent) => void,
): Promise<RestartResult[]> {
  const lee = params.algorithm === 'lee';
  const meanA = meanOf(A);
  const blocks: [number, number][] = [];
  for (let r0 = 0; r0 < m; r0 += blockRows) blocks.push([r0, Math.min(m, r0 + blockRows)]);
  const results = new Map<number, RestartResult>();
  const keep = <T extends tf.Tensor>(t: T) => tf.keep(t);
  // tf.tidy's types do not allow null members in the returned object; tidy itself does.
  const tidy = <T>(fn: () => T): T => tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;

  // The objective rule: the objective on the host in float64 from the factors read back at a check.
  const withObjective = needsObjective(params);
  let runs: Run[] = restarts.map((restart) => {
    const init = initialFactors(params.seed, k, restart, m, n, meanA);
    return {
      restart,
      Wb: blocks.map(([a, b]) => tf.tensor2d(init.W.subarray(a * k, b * k), [b - a, k])),
      H: tf.tensor2d(init.H, [k, n]),
      num: null,
      den: null,
      iter: 0,
      stop: restartStopFrom(params, A, init.W, init.H, m, n, k),
    };
  });
  const isCheck = (it: number) => it % params.checkEvery === 0 || it >= params.maxIter;

  /**
   * One pass over the blocks. `update`: W update of this iteration (H already updated); `gather`:
   * sums for the next H update (with the clamped factors when `clamp`).
   */
  const pass = (update: boolean, gather: boolean, clamp: boolean) => {
    const prep = runs.map((r) =>
      tidy(() => ({
        Ht: keep(tf.transpose(r.H)),
        rs: update && !lee ? keep(tf.add(tf.reshape(tf.sum(r.H, 1), [1, -1]), eps)) : null,
        HHt: update && lee ? keep(tf.matMul(r.H, tf.transpose(r.H))) : null,
        Hc: !lee && clamp ? keep(tf.maximum(r.H, TINY) as tf.Tensor2D) : null,
      })),
    );
    // per run: num (k x n), wtw (k x k, lee), cs (1 x k: brunet colSums(W) for the H update; lee for the rescale)
    const sums = runs.map(() => ({ num: null as tf.Tensor | null, wtw: null as tf.Tensor | null, cs: null as tf.Tensor | null }));
    const add = (prev: tf.Tensor | null, x: tf.Tensor) => (prev ? tf.add(prev, x) : x);
    for (let b = 0; b < blocks.length; b++) {
      const [a0, a1] = blocks[b]!;
      const Ab = tf.tensor2d(A.subarray(a0 * n, a1 * n), [a1 - a0, n]);
      runs.forEach((r, i) => {
        const p = prep[i]!;
        const s = sums[i]!;
        const next = tidy(() => {
          let W = r.Wb[b]!;
          if (update) {
            if (lee) {
              W = tf.div(tf.mul(W, tf.matMul(Ab, p.Ht)), tf.add(tf.matMul(W, p.HHt!), eps)) as tf.Tensor2D;
            } else {
              const Q = tf.div(Ab, tf.add(tf.matMul(W, r.H), eps));
              W = tf.div(tf.mul(W, tf.matMul(Q, p.Ht)), p.rs!) as tf.Tensor2D;
              if (clamp) W = tf.maximum(W, TINY) as tf.Tensor2D;
            }
          }
          const cs = (lee && update) || (!lee && gather) ? add(s.cs, tf.reshape(tf.sum(W, 0), [1, -1])) : null;
          let num: tf.Tensor | null = null;
          let wtw: tf.Tensor | null = null;
          if (gather) {
            const Wt = tf.transpose(W);
            if (lee) {
              num = add(s.num, tf.matMul(Wt, Ab));
              wtw = add(s.wtw, tf.matMul(Wt, W));
            } else {
              num = add(s.num, tf.matMul(Wt, tf.div(Ab, tf.add(tf.matMul(W, p.Hc ?? r.H), eps))));
            }
          }
          return { W, num, wtw, cs };
        });
        if (next.W !== r.Wb[b]) {
          r.Wb[b]!.dispose();
          r.Wb[b] = next.W;
        }
        for (const key of ['num', 'wtw', 'cs'] as const) {
          if (next[key]) {
            s[key]?.dispose();
            s[key] = next[key];
          }
        }
      });
      Ab.dispose();
    }
    runs.forEach((r, i) => {
      const p = prep[i]!;
      const s = sums[i]!;
      p.Ht.dispose();
      p.rs?.dispose();
      p.HHt?.dispose();
      if (p.Hc) {
        r.H.dispose();
        r.H = p.Hc;
      }
      r.num?.dispose();
      r.den?.dispose();
      if (lee && update) {
        // rescale: c = colSums + eps; W_b /= c; H *= c (then clamp at checks); the sums follow W
        const out = tidy(() => {
          const c = tf.add(s.cs!, eps);
          const ct = tf.reshape(c, [k, 1]);
          const Wb = r.Wb.map((W) => {
            const x = tf.div(W, c);
            return keep((clamp ? tf.maximum(x, TINY) : x) as tf.Tensor2D);
          });
          const hx = tf.mul(r.H, ct);
          return {
            Wb,
            H: keep((clamp ? tf.maximum(hx, TINY) : hx) as tf.Tensor2D),
            num: s.num ? keep(tf.div(s.num, ct)) : null,
            den: s.wtw ? keep(tf.div(tf.div(s.wtw, ct), c)) : null,
          };
        });
        r.Wb.forEach((W) => W.dispose());
        r.Wb = out.Wb;
        r.H.dispose();
        r.H = out.H;
        r.num = out.num as tf.Tensor2D | null;
        r.den = out.den;
        s.num?.dispose();
        s.wtw?.dispose();
        s.cs?.dispose();
      } else {
        r.num = s.num as tf.Tensor2D | null;
        r.den = lee ? s.wtw : s.cs;
        if (lee) s.cs?.dispose();
      }
    });
  };

  const readW = async (r: Run) => {
    const W = new Float32Array(m * k);
    for (let b = 0; b < blocks.length; b++) W.set((await r.Wb[b]!.data()) as Float32Array, blocks[b]![0] * k);
    return W;
  };
  const finish = async (r: Run, converged: boolean) => {
    const W = await readW(r);
    const H = new Float32Array((await r.H.data()) as Float32Array);
    const fit = evaluateFit(params.algorithm, A, W, H, m, n, k);
    results.set(r.restart, { restart: r.restart, labels: argmaxLabels(H, k, n), iterations: r.iter, converged, objective: fit.objective, relError: fit.relError, W, H });
    dispose(r);
  };
  const dispose = (r: Run) => {
    r.Wb.forEach((W) => W.dispose());
    r.H.dispose();
    r.num?.dispose();
    r.den?.dispose();
  };

  try {
    pass(false, true, false); // sums with the initial factors
    for (let iter = 1; runs.length > 0; iter++) {
      for (const r of runs) {
        const H = tf.tidy(() =>
          lee
            ? tf.div(tf.mul(r.H, r.num!), tf.add(tf.matMul(r.den!, r.H), eps))
            : tf.div(tf.mul(r.H, r.num!), tf.add(tf.reshape(r.den!, [-1, 1]), eps)),
        ) as tf.Tensor2D;
        r.H.dispose();
        r.H = H;
      }
      const check = isCheck(iter);
      pass(true, iter < params.maxIter, check);
      const still: Run[] = [];
      for (const r of runs) {
        r.iter = iter;
        let converged = false;
        if (iter % params.checkEvery === 0) {
          const H = await r.H.data();
          const objective = withObjective ? evaluateFit(params.algorithm, A, await readW(r), H, m, n, k).objective : undefined;
          converged = r.stop.update(argmaxLabels(H, k, n), objective);
        }
        if (converged || iter >= params.maxIter) await finish(r, converged);
        else still.push(r);
      }
      runs = still;
      if (check) onProgress?.({ k, iteration: iter, active: runs.length, done: results.size, total: restarts.length });
    }
  } finally {
    runs.forEach(dispose);
  }
  return restarts.map((r) => results.get(r)!);
}

registerPath({
  name: 'ops-streamed',
  blockCapMb: Infinity,
  accepts: (req) => req.kernels === 'ops' && req.streamed,
  refuses: (p) =>
    p.algorithm === 'hals'
      ? '--algorithm hals: the streamed ops path (A above --max-device-mb) has no HALS update; pass --kernels fused (it streams A too) or a larger --max-device-mb.'
      : null,
  async run(job) {
    for (const rank of job.ranks) {
      const results = await factorizeStreamed(job.A, job.m, job.n, rank.k, rank.restarts, job.params, job.blockRows!, job.params.eps ?? DEFAULT_EPS, job.onProgress);
      for (const r of results) job.onResult(rank.k, r);
    }
  },
});
