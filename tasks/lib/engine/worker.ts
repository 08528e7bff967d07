/**
 * A pool worker thread (see pool.ts): for each rank in turn (largest k first), runs the fused lane
 * driver on the restarts it claims, and posts each result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { abortBarrier, runLanes } from './fused/lanes.js';
import { Kernel } from './fused/kernel.js';
import type { WorkerInput, WorkerMessage } from './pool.js';

const input = workerData as WorkerInput;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);

function main(): void {
  const A = new Float32Array(input.A, input.Aoffset, input.m * input.n);
  const counters = new Int32Array(input.counters);
  const split = input.rows;
  const kernel = new Kernel(input.build);
  const LANES = kernel.lanes;
  input.ranks.forEach((rank, i) => {
    const R = rank.items.length;
    // Nothing left to claim in this rank: go on to the next one.
    if (!split && Atomics.load(counters, i) >= R) return;
    let local = 0;
    // Restarts split: the first `initial` restarts are taken in whole groups (LANES per atomic claim,
    // see initialShare); after that one per lane that frees up, so no claimed restart waits for a lane.
    // A block is always used up before anything else is claimed.
    let taken = 0;
    let block: number[] = [];
    const take = (): number => {
      taken++;
      if (block.length > 0) return block.shift()!;
      if (taken > rank.initial) return Atomics.add(counters, i, 1);
      const j = Atomics.add(counters, i, LANES);
      block = Array.from({ length: LANES - 1 }, (_, l) => j + 1 + l);
      return j;
    };
    const k = rank.k;
    runLanes({
      A, m: input.m, n: input.n, k, meanA: input.meanA, params: input.params,
      blockRows: input.blockRows, capacity: rank.capacity, initial: rank.initial, kernel,
      // Row split: every part runs every restart, in the same order (its own counter).
      claim: () => {
        const j = split ? local++ : take();
        return j < R ? rank.items[j]! : null;
      },
      ...(split
        ? {
          rows: { part: split.part, parts: split.parts, ctl: new Int32Array(split.ctl), slots: new Float32Array(split.slots) },
          onPart: (p) => post({ type: 'part', k, part: p }, [p.W.buffer as ArrayBuffer, p.labels.buffer as ArrayBuffer, ...(p.H ? [p.H.buffer as ArrayBuffer] : [])]),
        }
        : {}),
      ...(input.chunkRows !== undefined ? { chunkRows: input.chunkRows } : {}),
      // A mixed group's restarts are of several k: each result goes back under its own.
      onResult: ({ k: rk, ...r }) => post({ type: 'result', k: rk, result: r }, [r.W.buffer as ArrayBuffer, r.H.buffer as ArrayBuffer, r.labels.buffer as ArrayBuffer]),
      onCheck: (pass, running) => post({ type: 'check', k, running, pass }),
    });
  });
}

try {
  main();
  post({ type: 'done' });
} catch (err) {
  if (input.rows) abortBarrier(new Int32Array(input.rows.ctl));
  const e = err as { message?: string; code?: number };
  post({ type: 'error', message: e?.message ?? String(err), ...(typeof e?.code === 'number' ? { code: e.code } : {}) });
}
