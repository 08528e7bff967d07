/**
 * The engine's entry points: run restarts of one or several ranks on A through the path select.ts
 * chooses. Stages import the engine from here (and its types from types.ts).
 */
import { usageError } from '../errors.js';
import { selectPath } from './select.js';
import type { FactorizeParams, ProgressEvent, RankJob, RestartResult } from './types.js';

export { DEFAULT_EPS, FLOAT32_TINY } from './types.js';
export type { FactorizeParams, Kernels, ProgressEvent, RankJob, RestartResult } from './types.js';
export { selectPath, FUSED_BACKEND, WEBGPU_FUSED_BACKEND } from './select.js';

/**
 * Run every restart of every rank in `ranks` on A (m x n, row-major float32 on the host). The tfjs
 * backend must already be started for the ops paths (see backend.ts). `onRank` is called once per
 * rank as soon as all its restarts are done, with results in the order of its restarts.
 */
export async function factorizeRanks(
  A: Float32Array,
  m: number,
  n: number,
  ranks: readonly RankJob[],
  params: FactorizeParams,
  hooks: { onRank?: (k: number, results: RestartResult[]) => void; onProgress?: (e: ProgressEvent) => void } = {},
): Promise<Map<number, RestartResult[]>> {
  // Kernels are explicit here (stages resolve 'auto' against their backend, see selectPath).
  const { path, blockRows } = selectPath({ kernels: params.kernels ?? 'ops', m, n, threads: params.workers ?? 1, ...(params.maxDeviceMb !== undefined ? { maxDeviceMb: params.maxDeviceMb } : {}) });
  const refused = path.refuses?.(params) ?? null;
  if (refused !== null) throw usageError(refused);
  const got = new Map<number, Map<number, RestartResult>>(ranks.map((r) => [r.k, new Map()]));
  const out = new Map<number, RestartResult[]>();
  // An error in onRank (e.g. writing a shard) must not escape a worker's message handler: keep the first, rethrow after.
  let failure: unknown;
  await path.run({
    A, m, n, ranks, params, blockRows,
    onResult: (k, r) => {
      const mine = got.get(k)!;
      mine.set(r.restart, r);
      const rank = ranks.find((x) => x.k === k)!;
      if (mine.size === rank.restarts.length) {
        const results = rank.restarts.map((i) => mine.get(i)!);
        out.set(k, results);
        if (failure === undefined) {
          try {
            hooks.onRank?.(k, results);
          } catch (err) {
            failure = err;
          }
        }
      }
    },
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
  });
  if (failure !== undefined) throw failure;
  return out;
}

/** Run restarts `restarts` of rank k on A; results are in the order of `restarts`. */
export async function factorizeRestarts(
  A: Float32Array,
  m: number,
  n: number,
  k: number,
  restarts: readonly number[],
  params: FactorizeParams,
  onProgress?: (e: ProgressEvent) => void,
): Promise<RestartResult[]> {
  const out = await factorizeRanks(A, m, n, [{ k, restarts }], params, onProgress ? { onProgress } : {});
  return out.get(k)!;
}
