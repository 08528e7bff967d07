/**
 * The engine's one worker mechanism: worker_threads running the fused kernels (worker.ts), each with
 * its own kernel instance (native or wasm, the build the host picks: fused/kernel.ts), all reading
 * one A through a SharedArrayBuffer (not copied). A pool serves every restart of every rank of one
 * call, so `run` puts all restarts of all k on one pool and no thread idles while a restart is
 * unclaimed:
 * - restarts split (the default): ranks are taken largest k first (the costliest restarts start at
 *   once); for each rank, threads claim restarts one at a time from a shared counter as their lanes
 *   free up, and a thread moves to the next rank once the current one has no unclaimed restart;
 * - rows split (one rank, too few restarts to give every thread a group): every thread runs
 *   every restart on its own chunks of rows (fused/lanes.ts).
 * Either way a restart's result depends only on (seed, k, r), so any thread count gives the same
 * numbers (tested).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../paths.js';
import { abortBarrier, CHUNK_ROWS, slotFloats, type LaneItem, type LaneParams, type LanePart } from './fused/lanes.js';
import { laneRanks } from './fused/plan.js';
import { kernelBuild, kernelLanes, type KernelBuild } from './fused/kernel.js';
import { evaluateFit } from './objective.js';
import type { RankJob, RestartResult } from './types.js';

export interface PoolTask {
  A: Float32Array;
  m: number;
  n: number;
  ranks: readonly RankJob[];
  params: LaneParams;
  blockRows: number | null;
  meanA: number;
  /** One rank only: split rows instead of restarts (every thread runs every restart on its chunks). */
  splitRows?: boolean;
  chunkRows?: number;
}

/** What a worker thread is given: the ranks, largest k first, with a claim counter and a lane capacity each. */
export interface WorkerInput {
  A: SharedArrayBuffer;
  Aoffset: number;
  m: number;
  n: number;
  meanA: number;
  params: LaneParams;
  blockRows: number | null;
  chunkRows?: number;
  /** The kernel build every thread loads (the host's pick, so all threads group restarts alike). */
  build: KernelBuild;
  /** The lane drivers in order (fused/plan.ts): a k and its restarts, or a mixed group of smaller k. */
  ranks: { k: number; items: LaneItem[]; capacity: number; initial: number }[];
  /** Int32 per rank: the next unclaimed index into its restarts. */
  counters: SharedArrayBuffer;
  /** Row split: this worker's part and the shared control / chunk-sum buffers. */
  rows?: { part: number; parts: number; ctl: SharedArrayBuffer; slots: SharedArrayBuffer };
}

export type WorkerMessage =
  | { type: 'result'; k: number; result: RestartResult }
  | { type: 'part'; k: number; part: LanePart }
  | { type: 'check'; k: number; running: number; pass: number }
  | { type: 'error'; message: string; code?: number }
  | { type: 'done' };

function workerScript(): string {
  const sibling = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(sibling)) return sibling;
  // Under vitest this module runs from its .ts source; the compiled worker is in dist/.
  const built = join(packageRoot(), 'dist', 'tasks', 'lib', 'engine', 'worker.js');
  if (!existsSync(built)) throw new Error(`the worker script ${built} is missing; run npm run build`);
  return built;
}

/** A as a SharedArrayBuffer view (copied once when it is not already shared). */
export function sharedMatrix(A: Float32Array): Float32Array {
  if (A.buffer instanceof SharedArrayBuffer) return A;
  const s = new Float32Array(new SharedArrayBuffer(A.byteLength));
  s.set(A);
  return s;
}

/**
 * Restarts of a rank of R that a thread takes before its first iteration (restarts split over N
 * threads, `lanes` restarts per group): whole SIMD groups, enough groups that the threads together
 * hold every restart. Threads take them a group at a time (worker.ts), so a rank has at most one
 * part-filled group in all: with groups of 4, R = 20 on 2 threads is 12 + 8 (3 + 2 full groups), not
 * 10 + 10 (two groups of 4 + 2, a third of each thread's lanes empty), and the thread with fewer
 * groups moves on to the next k sooner.
 */
export function initialShare(R: number, N: number, lanes: number): number {
  return Math.min(R, lanes * Math.ceil(R / (lanes * N)));
}

/** Threads a pool starts: never more than there are restarts (restarts split) or chunks (rows split). */
export function poolSize(task: Pick<PoolTask, 'm' | 'ranks' | 'splitRows' | 'chunkRows'>, workers: number): number {
  const units = task.splitRows ? Math.ceil(task.m / (task.chunkRows ?? CHUNK_ROWS)) : task.ranks.reduce((s, r) => s + r.restarts.length, 0);
  return Math.max(1, Math.min(workers, units));
}

export async function runPool(
  task: PoolTask,
  workers: number,
  onResult: (k: number, r: RestartResult) => void,
  onCheck?: (k: number, pass: number, running: number) => void,
): Promise<void> {
  if (task.splitRows && task.ranks.length !== 1) throw new Error('a rows split serves one rank');
  const A = sharedMatrix(task.A);
  const N = poolSize(task, workers);
  const splitRows = task.splitRows === true;
  const build = kernelBuild();
  const LANES = kernelLanes(build);
  const ranks = laneRanks([...task.ranks].sort((a, b) => b.k - a.k), !splitRows, LANES).map((r) => {
    // Each thread starts with its share of a rank's restarts, so the first thread does not claim them all.
    const share = splitRows ? r.items.length : initialShare(r.items.length, N, LANES);
    return { k: r.k, items: r.items, capacity: Math.max(LANES, Math.ceil(share / LANES) * LANES), initial: share };
  });
  const counters = new SharedArrayBuffer(4 * ranks.length);
  const script = workerScript();
  let rows: { ctl: SharedArrayBuffer; slots: SharedArrayBuffer } | undefined;
  if (splitRows) {
    const chunks = Math.ceil(task.m / (task.chunkRows ?? CHUNK_ROWS));
    const floats = 2 * chunks * (ranks[0]!.capacity / LANES) * slotFloats(task.n, ranks[0]!.k, LANES);
    rows = { ctl: new SharedArrayBuffer(12), slots: new SharedArrayBuffer(floats * 4) };
  }
  // Row split: every part reports its rows of W for a finished restart; the restart is complete when
  // all parts have (part 0 also sends H and the labels).
  const parts = new Map<number, LanePart[]>();
  const onPart = (k: number, p: LanePart) => {
    const got = parts.get(p.restart) ?? [];
    got.push(p);
    parts.set(p.restart, got);
    if (got.length < N) return;
    parts.delete(p.restart);
    const W = new Float32Array(task.m * k);
    for (const q of got) {
      let off = 0;
      for (const [a0, a1] of q.ranges) {
        W.set(q.W.subarray(off, off + (a1 - a0) * k), a0 * k);
        off += (a1 - a0) * k;
      }
    }
    const head = got.find((q) => q.part === 0)!;
    const H = head.H!;
    const fit = evaluateFit(task.params.algorithm, A, W, H, task.m, task.n, k);
    onResult(k, { restart: p.restart, labels: head.labels, iterations: head.iterations, converged: head.converged, objective: fit.objective, relError: fit.relError, W, H });
  };
  const runs = Array.from({ length: N }, (_, w) => {
    const input: WorkerInput = {
      A: A.buffer as SharedArrayBuffer,
      Aoffset: A.byteOffset,
      m: task.m,
      n: task.n,
      meanA: task.meanA,
      params: task.params,
      blockRows: task.blockRows,
      ...(task.chunkRows !== undefined ? { chunkRows: task.chunkRows } : {}),
      build,
      ranks,
      counters,
      ...(rows ? { rows: { part: w, parts: N, ...rows } } : {}),
    };
    return new Promise<void>((resolve, reject) => {
      const worker = new Worker(script, { workerData: input });
      let failed = false;
      const fail = (err: Error) => {
        failed = true;
        if (rows) abortBarrier(new Int32Array(rows.ctl));
        reject(err);
      };
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'result') onResult(msg.k, msg.result);
        else if (msg.type === 'part') onPart(msg.k, msg.part);
        else if (msg.type === 'check') onCheck?.(msg.k, msg.pass, msg.running);
        // 'done' needs nothing: the exit event settles the promise
        else if (msg.type === 'error') {
          const err = new Error(msg.message) as Error & { code?: number };
          if (msg.code !== undefined) err.code = msg.code;
          fail(err);
        }
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (failed) return;
        if (code === 0) resolve();
        else reject(new Error(`factorize worker ${w} exited with code ${code}`));
      });
    });
  });
  const settled = await Promise.allSettled(runs);
  const bad = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (bad) throw bad.reason;
}
