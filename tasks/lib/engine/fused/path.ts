/**
 * The fused path: the fused kernels (lanes.ts; native AVX2 or wasm SIMD, kernel.ts), in this thread
 * for one worker, otherwise on the worker pool (../pool.ts). A is resident in the kernel's memory
 * or, above the device budget, copied a block of rows at a time; the numbers are the same either way.
 */
import { registerPath } from '../registry.js';
import { meanOf } from '../blocks.js';
import { runPool } from '../pool.js';
import { DEFAULT_EPS, type EngineJob } from '../types.js';
import { CHUNK_ROWS, runLanes } from './lanes.js';
import { Kernel, kernelLanes } from './kernel.js';
import { laneRanks } from './plan.js';
import { needsObjective } from '../stopping.js';

/** Largest block of A the fused kernels copy at once: bigger blocks gain nothing (rows are independent). */
export const FUSED_BLOCK_MB = 16;

async function runFused(job: EngineJob): Promise<void> {
  const { A, m, n, params } = job;
  const workers = Math.max(1, Math.floor(params.workers ?? 1));
  const meanA = meanOf(A);
  const lp = {
    algorithm: params.algorithm, seed: params.seed, eps: params.eps ?? DEFAULT_EPS, maxIter: params.maxIter, checkEvery: params.checkEvery, stableChecks: params.stableChecks,
    ...(params.stop !== undefined ? { stop: params.stop } : {}), ...(params.tol !== undefined ? { tol: params.tol } : {}),
  };
  const chunkRows = params.chunkRows !== undefined ? { chunkRows: params.chunkRows } : {};
  // Progress: `iteration` is the driver's pass count (the iteration of the restarts that started first).
  const done = new Map<number, number>(job.ranks.map((r) => [r.k, 0]));
  const pass = new Map<number, number>();
  const progress = (k: number, p?: number) => {
    if (p !== undefined) pass.set(k, Math.max(pass.get(k) ?? 0, p));
    const total = job.ranks.find((r) => r.k === k)!.restarts.length;
    job.onProgress?.({ k, iteration: pass.get(k) ?? 0, active: total - done.get(k)!, done: done.get(k)!, total });
  };
  const onResult = (k: number, r: Parameters<EngineJob['onResult']>[1]) => {
    done.set(k, done.get(k)! + 1);
    job.onResult(k, r);
  };
  if (workers === 1) {
    const kernel = new Kernel();
    for (const { k, items } of laneRanks(job.ranks, true, kernel.lanes)) {
      let next = 0;
      runLanes({
        A, m, n, k, meanA, params: lp, blockRows: job.blockRows, capacity: items.length, initial: items.length, kernel, ...chunkRows,
        claim: () => (next < items.length ? items[next++]! : null),
        onResult: ({ k: rk, ...r }) => onResult(rk, r),
        onCheck: (p) => progress(k, p),
      });
    }
    return;
  }
  const only = job.ranks.length === 1 ? job.ranks[0]! : null;
  const chunks = Math.ceil(m / (params.chunkRows ?? CHUNK_ROWS));
  // Rows split only for one rank with too few restarts to give every thread a group.
  // brunet's objective needs all of a restart's W on one thread (lanes.ts), so it never splits rows.
  const splitRows = only !== null && chunks >= 2 && !(params.algorithm === 'brunet' && needsObjective(params)) &&
    (params.split === 'rows' || ((params.split ?? 'auto') === 'auto' && Math.ceil(only.restarts.length / kernelLanes()) < workers));
  await runPool(
    { A, m, n, ranks: job.ranks, params: lp, blockRows: job.blockRows, meanA, splitRows, ...chunkRows },
    workers,
    (k, r) => {
      onResult(k, r);
      progress(k);
    },
    (k, p) => progress(k, p),
  );
}

registerPath({
  name: 'fused',
  blockCapMb: FUSED_BLOCK_MB,
  accepts: (req) => req.kernels === 'fused',
  run: runFused,
});
