/**
 * Restarts of one k over worker_threads (--workers N). Each thread has its own wasm instance (the fused
 * kernels or tfjs-wasm); A is shared, not copied, through a SharedArrayBuffer. Fused: threads claim
 * restarts one at a time from a shared counter as lanes free up. Ops: contiguous chunks. Either way a
 * restart's result depends only on (seed, k, r), so any N gives the same results (tested).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../paths.js';
import { abortBarrier, CHUNK_ROWS, LANES, slotFloats, type LaneParams, type LanePart, type LaneResult } from './lanes.js';
import { evaluateFit } from '../objective.js';

export interface PoolTask {
  mode: 'fused' | 'ops';
  /** tfjs backend for mode 'ops'. */
  backend: string;
  A: Float32Array;
  m: number;
  n: number;
  k: number;
  restarts: readonly number[];
  params: LaneParams & { maxDeviceMb?: number };
  blockRows: number | null;
  meanA: number;
  /** Fused only: split rows instead of restarts (every thread runs every restart on its chunks). */
  splitRows?: boolean;
  chunkRows?: number;
}

export interface WorkerInput extends Omit<PoolTask, 'A'> {
  A: SharedArrayBuffer;
  Aoffset: number;
  counter: SharedArrayBuffer;
  capacity: number;
  initial: number;
  /** ops: the restarts this worker runs. */
  chunk: number[];
  /** Row split: this worker's part and the shared control / chunk-sum buffers. */
  rows?: { part: number; parts: number; ctl: SharedArrayBuffer; slots: SharedArrayBuffer };
}

export type WorkerMessage =
  | { type: 'result'; result: LaneResult }
  | { type: 'part'; part: LanePart }
  | { type: 'check'; running: number; pass: number }
  | { type: 'error'; message: string; code?: number }
  | { type: 'done' };

function workerScript(): string {
  const sibling = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(sibling)) return sibling;
  // Under vitest this module runs from its .ts source; the compiled worker is in dist/.
  const built = join(packageRoot(), 'dist', 'tasks', 'lib', 'engine', 'fused', 'worker.js');
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

export async function runPool(task: PoolTask, workers: number, onResult: (r: LaneResult) => void, onCheck?: (pass: number) => void): Promise<void> {
  const A = sharedMatrix(task.A);
  const counter = new SharedArrayBuffer(4);
  const R = task.restarts.length;
  const chunkRows = task.chunkRows ?? CHUNK_ROWS;
  const chunks = Math.ceil(task.m / chunkRows);
  const splitRows = task.mode === 'fused' && task.splitRows === true;
  const N = Math.max(1, Math.min(workers, splitRows ? chunks : R));
  const share = splitRows ? R : Math.ceil(R / N);
  const capacity = Math.ceil(share / LANES) * LANES;
  const script = workerScript();
  let rows: { ctl: SharedArrayBuffer; slots: SharedArrayBuffer } | undefined;
  if (splitRows) {
    const floats = 2 * chunks * (capacity / LANES) * slotFloats(task.n, task.k);
    rows = { ctl: new SharedArrayBuffer(12), slots: new SharedArrayBuffer(floats * 4) };
  }
  // Row split: every part reports its rows of W for a finished restart; the restart is complete when
  // all parts have (part 0 also sends H and the labels).
  const parts = new Map<number, LanePart[]>();
  const onPart = (p: LanePart) => {
    const got = parts.get(p.restart) ?? [];
    got.push(p);
    parts.set(p.restart, got);
    if (got.length < N) return;
    parts.delete(p.restart);
    const W = new Float32Array(task.m * task.k);
    for (const q of got) {
      let off = 0;
      for (const [a0, a1] of q.ranges) {
        W.set(q.W.subarray(off, off + (a1 - a0) * task.k), a0 * task.k);
        off += (a1 - a0) * task.k;
      }
    }
    const head = got.find((q) => q.part === 0)!;
    const H = head.H!;
    const fit = evaluateFit(task.params.algorithm, A, W, H, task.m, task.n, task.k);
    onResult({ restart: p.restart, labels: head.labels, iterations: head.iterations, converged: head.converged, objective: fit.objective, relError: fit.relError, W, H });
  };
  const runs = Array.from({ length: N }, (_, w) => {
    const input: WorkerInput = {
      ...task,
      A: A.buffer as SharedArrayBuffer,
      Aoffset: A.byteOffset,
      counter,
      capacity,
      initial: share,
      chunk: task.restarts.slice(w * share, (w + 1) * share) as number[],
      ...(rows ? { rows: { part: w, parts: N, ...rows } } : {}),
    };
    return new Promise<void>((resolve, reject) => {
      const worker = new Worker(script, { workerData: input });
      let failed = false;
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'result') onResult(msg.result);
        else if (msg.type === 'part') onPart(msg.part);
        else if (msg.type === 'check') onCheck?.(msg.pass);
        // 'done' needs nothing: the exit event settles the promise
        else if (msg.type === 'error') {
          failed = true;
          if (rows) abortBarrier(new Int32Array(rows.ctl));
          const err = new Error(msg.message) as Error & { code?: number };
          if (msg.code !== undefined) err.code = msg.code;
          reject(err);
        }
      });
      worker.on('error', (err) => {
        failed = true;
        if (rows) abortBarrier(new Int32Array(rows.ctl));
        reject(err);
      });
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
