/**
 * `run`: the four stages chained on one machine, into DIR/preprocess, DIR/shards, DIR/consensus and
 * DIR/report (DESIGN section 6). Each k is one shard k<k>.r0-<R-1>; with --workers N and several k,
 * up to N k are factorized at once (worker threads on CPU backends, child processes on GPU ones);
 * with one k, its restarts are split over N threads. Stages that are already complete for the same input and
 * parameters are skipped, so a killed run resumes where it stopped.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, NmfError, inputError, type ExitCodeValue } from './lib/errors.js';
import { log } from './lib/log.js';
import type { Params } from './lib/params.js';
import { packageRoot } from './lib/paths.js';
import { useBackend } from './lib/engine/backend.js';
import { preprocessOptionsFromParams, runPreprocess } from './preprocess/command.js';
import { runFactorize, shardDirName } from './factorize/command.js';
import { factorizeInThread } from './factorize/thread.js';
import { largeN, runConsensus } from './consensus/command.js';
import { runReport } from './report/command.js';

export interface PipelineOptions {
  input: string;
  outdir: string;
  params: Params;
  annotations?: string;
  /** preprocess --features-file. */
  featuresFile?: string;
  pdf?: boolean;
  force?: boolean;
}

function cliScript(): string {
  const sibling = fileURLToPath(new URL('./cli.js', import.meta.url));
  return existsSync(sibling) ? sibling : join(packageRoot(), 'bin', 'nmf-consensus.js');
}

/** Run `factorize` for one k in a child process (used when workers > 1). */
function factorizeChild(prep: string, shards: string, k: number, p: Params, backend: string, force: boolean): Promise<void> {
  const args = [
    cliScript(), 'factorize', '--prep', prep, '--outdir', shards, '--k', String(k), '--restarts', `0-${p.restarts - 1}`,
    '--seed', String(p.seed), '--algorithm', p.algorithm, '--max-iter', String(p.max_iter), '--check-every', String(p.check_every),
    '--stable-checks', String(p.stable_checks), '--backend', backend, '--log-format', p.log_format,
    '--kernels', p.kernels, '--max-device-mb', String(p.max_device_mb), '--workers', '1',
    ...(force ? ['--force'] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new NmfError(`factorize for k=${k} failed (${signal ? `signal ${signal}` : `exit ${code}`}); see its message above.`, (code ?? ExitCode.internal) as ExitCodeValue));
    });
  });
}

/** Run tasks with at most `limit` in flight; after a failure no new task starts, and it is rethrown once the running ones settle. */
async function pool(limit: number, tasks: (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (next < tasks.length && failure === undefined) {
      const t = tasks[next++]!;
      try {
        await t();
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  if (failure) throw failure;
}

export async function runPipeline(opts: PipelineOptions): Promise<void> {
  const p = opts.params;
  const force = opts.force === true;
  const prepDir = join(opts.outdir, 'preprocess');
  const shardsDir = join(opts.outdir, 'shards');
  const prep = await runPreprocess({
    input: opts.input,
    outdir: prepDir,
    ...preprocessOptionsFromParams(p),
    ...(opts.featuresFile !== undefined ? { featuresFile: opts.featuresFile } : {}),
    force,
  });
  const { features: m, samples: n } = prep.shape;
  const tooBig = p.ks.filter((k) => k >= Math.min(m, n));
  if (tooBig.length > 0) {
    throw inputError(opts.input, `k = ${tooBig.join(', ')} is not below min(features, samples) = min(${m}, ${n})`, `choose ranks below ${Math.min(m, n)} with --ks`);
  }
  const backend = await useBackend(p.backend);
  for (const note of backend.notes) log.info(`backend auto: skipped ${note}`);
  log.info(`run: backend ${backend.name}, algorithm ${p.algorithm}, ks ${p.ks.join(',')}, ${p.restarts} restarts, seed ${p.seed}`);

  if (p.workers > 1 && p.ks.length > 1) {
    // Largest k first: the costliest shards start at once and the small ones fill in behind them.
    // CPU backends run each k in a worker thread (starts in milliseconds); GPU backends in a child process.
    const order = [...p.ks].sort((a, b) => b - a);
    const inThread = backend.name === 'wasm' || backend.name === 'cpu';
    await pool(p.workers, order.map((k) => () =>
      inThread
        ? factorizeInThread({
          prep: prepDir, outdir: shardsDir, k, first: 0, last: p.restarts - 1, algorithm: p.algorithm, seed: p.seed,
          max_iter: p.max_iter, check_every: p.check_every, stable_checks: p.stable_checks, backend: backend.name,
          kernels: p.kernels, workers: 1, max_device_mb: p.max_device_mb, force,
        }, p.log_format)
        : factorizeChild(prepDir, shardsDir, k, p, backend.name, force)));
  } else {
    for (const k of p.ks) {
      await runFactorize({
        prep: prepDir, outdir: shardsDir, k, first: 0, last: p.restarts - 1, algorithm: p.algorithm, seed: p.seed,
        max_iter: p.max_iter, check_every: p.check_every, stable_checks: p.stable_checks, backend: backend.name,
        kernels: p.kernels, workers: p.workers, max_device_mb: p.max_device_mb, force,
      });
    }
  }
  // Exactly this run's shards: others left in DIR/shards by earlier runs with other ks are not merged.
  const shardDirs = p.ks.map((k) => join(shardsDir, shardDirName(k, 0, p.restarts - 1)));
  await runConsensus({ shards: shardDirs, outdir: join(opts.outdir, 'consensus'), prep: prepDir, restarts: p.restarts, allowPartial: false, large: largeN(p) });
  await runReport({ consensus: join(opts.outdir, 'consensus'), outdir: join(opts.outdir, 'report'), pdf: opts.pdf === true, ...(opts.annotations ? { annotations: opts.annotations } : {}) });
  log.info(`run: done; open ${join(opts.outdir, 'report', 'report.html')}`);
}
