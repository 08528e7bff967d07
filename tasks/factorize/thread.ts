/**
 * `run --workers N` with several k: each k's factorize in a worker_thread of this process instead of a
 * child process, so a k starts in milliseconds rather than re-loading the whole CLI. Used for the CPU
 * backends (wasm, cpu); GPU backends keep one child process per k. The thread runs exactly the
 * factorize stage (same shard, same results); an error keeps its exit code.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, NmfError, type ExitCodeValue } from '../lib/errors.js';
import { packageRoot } from '../lib/paths.js';
import type { FactorizeOptions } from './command.js';

interface ThreadInput {
  opts: FactorizeOptions;
  logFormat: 'text' | 'json';
}

type ThreadMessage = { type: 'ok' } | { type: 'error'; message: string; code: number };

function script(): string {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.js')) return self;
  return join(packageRoot(), 'dist', 'tasks', 'factorize', 'thread.js');
}

/** Run the factorize stage for one k in a worker thread; resolves when its shard is written. */
export function factorizeInThread(opts: FactorizeOptions, logFormat: 'text' | 'json'): Promise<void> {
  const file = script();
  if (!existsSync(file)) return Promise.reject(new Error(`${file} is missing; run npm run build`));
  return new Promise((resolve, reject) => {
    const input: ThreadInput = { opts, logFormat };
    const worker = new Worker(file, { workerData: input });
    let settled = false;
    worker.on('message', (msg: ThreadMessage) => {
      settled = true;
      if (msg.type === 'ok') resolve();
      else reject(new NmfError(msg.message, msg.code as ExitCodeValue));
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new NmfError(`factorize for k=${opts.k} stopped (thread exit ${code}) before writing its shard.`, ExitCode.internal));
    });
  });
}

async function threadMain(input: ThreadInput): Promise<void> {
  const { configureLog } = await import('../lib/log.js');
  configureLog({ format: input.logFormat });
  const { resolveKernels, runFactorize } = await import('./command.js');
  if (resolveKernels(input.opts.kernels, input.opts.backend).kernels === 'ops') {
    const { useBackend } = await import('../lib/engine/backend.js');
    await useBackend(input.opts.backend as Parameters<typeof useBackend>[0]);
  }
  await runFactorize(input.opts);
}

if (!isMainThread && parentPort && (workerData as ThreadInput | undefined)?.opts) {
  threadMain(workerData as ThreadInput).then(
    () => parentPort!.postMessage({ type: 'ok' } satisfies ThreadMessage),
    (err: unknown) => {
      const e = err as { message?: string; code?: unknown };
      const code = err instanceof NmfError ? e.code as number : ExitCode.internal;
      const message = err instanceof NmfError ? (e.message ?? String(err)) : `internal error in factorize: ${e?.message ?? String(err)}`;
      parentPort!.postMessage({ type: 'error', message, code } satisfies ThreadMessage);
    },
  );
}
