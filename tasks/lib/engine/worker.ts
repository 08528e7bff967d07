/** A factorize worker thread (see pool.ts): runs its share of the restarts and posts each result. */
import { parentPort, workerData } from 'node:worker_threads';
import { abortBarrier, runLanes } from './lanes.js';
import type { WorkerInput, WorkerMessage } from './pool.js';

const input = workerData as WorkerInput;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);

async function main(): Promise<void> {
  const A = new Float32Array(input.A, input.Aoffset, input.m * input.n);
  if (input.mode === 'fused') {
    const counter = new Int32Array(input.counter);
    const split = input.rows;
    let local = 0;
    runLanes({
      A, m: input.m, n: input.n, k: input.k, meanA: input.meanA, params: input.params,
      blockRows: input.blockRows, capacity: input.capacity, initial: input.initial,
      // Row split: every part runs every restart, in the same order (its own counter).
      claim: () => {
        const i = split ? local++ : Atomics.add(counter, 0, 1);
        return i < input.restarts.length ? input.restarts[i]! : null;
      },
      ...(split
        ? {
          rows: { part: split.part, parts: split.parts, ctl: new Int32Array(split.ctl), slots: new Float32Array(split.slots) },
          onPart: (p) => post({ type: 'part', part: p }, [p.W.buffer as ArrayBuffer, p.labels.buffer as ArrayBuffer, ...(p.H ? [p.H.buffer as ArrayBuffer] : [])]),
        }
        : {}),
      ...(input.chunkRows !== undefined ? { chunkRows: input.chunkRows } : {}),
      onResult: (r) => post({ type: 'result', result: r }, [r.W.buffer as ArrayBuffer, r.H.buffer as ArrayBuffer, r.labels.buffer as ArrayBuffer]),
      onCheck: (pass, running) => post({ type: 'check', running, pass }),
    });
  } else {
    const { useBackend } = await import('../backend.js');
    const { factorizeRestarts } = await import('../factorize.js');
    await useBackend(input.backend as Parameters<typeof useBackend>[0]);
    const results = await factorizeRestarts(input.A instanceof SharedArrayBuffer ? A : A, input.m, input.n, input.k, input.chunk, {
      ...input.params, kernels: 'ops', workers: 1,
    }, (e) => post({ type: 'check', running: e.active, pass: e.iteration }));
    for (const r of results) post({ type: 'result', result: r });
  }
}

main().then(
  () => post({ type: 'done' }),
  (err: unknown) => {
    if (input.rows) abortBarrier(new Int32Array(input.rows.ctl));
    const e = err as { message?: string; code?: number };
    post({ type: 'error', message: e?.message ?? String(err), ...(typeof e?.code === 'number' ? { code: e.code } : {}) });
  },
);
