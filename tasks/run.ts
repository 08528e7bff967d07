/**
 * `run`: the four stages chained on one machine, into DIR/preprocess, DIR/shards, DIR/consensus and
 * DIR/report (docs/design.md section 2). Each k is one shard k<k>.r0-<R-1> (and, with --null-restarts N, one
 * shard null.k<k>.r0-<N-1> of the random-data baseline); all restarts of all k are
 * factorized together on one pool of --workers threads (fused kernels; default: the cores available),
 * and each shard is written as its k completes. Stages that are already complete for the same input
 * and parameters are skipped, so a killed run resumes where it stopped.
 */
import { join } from 'node:path';
import { lockFolder } from './lib/io/outdir.js';
import { log } from './lib/log.js';
import { baselineRestarts, checkRanksFit, resolveStopRule, type Params } from './lib/params.js';
import { backendSelection, logBackendChoice, useBackend } from './lib/engine/backend.js';
import { preprocessOptionsFromParams, runPreprocess } from './preprocess/command.js';
import { runFactorizeRanks, shardDirName } from './factorize/command.js';
import { largeN, runConsensus } from './consensus/command.js';
import { checkAnnotationsPath, runReport } from './report/command.js';

export interface PipelineOptions {
  input: string;
  outdir: string;
  params: Params;
  annotations?: string;
  /** preprocess --features-file. */
  featuresFile?: string;
  /** preprocess --feature-names (.h5ad var column). */
  featureNames?: string;
  pdf?: boolean;
  force?: boolean;
}

export async function runPipeline(opts: PipelineOptions): Promise<void> {
  // run owns DIR/{preprocess,shards,consensus,report} only (each stage checks its own); DIR is locked, never replaced.
  if (opts.annotations) checkAnnotationsPath(opts.annotations);
  const release = lockFolder(opts.outdir);
  try {
    await runStages(opts);
  } finally {
    release();
  }
}

async function runStages(opts: PipelineOptions): Promise<void> {
  const p = opts.params;
  const force = opts.force === true;
  const prepDir = join(opts.outdir, 'preprocess');
  const shardsDir = join(opts.outdir, 'shards');
  const prep = await runPreprocess({
    input: opts.input,
    outdir: prepDir,
    ...preprocessOptionsFromParams(p),
    ...(opts.featuresFile !== undefined ? { featuresFile: opts.featuresFile } : {}),
    ...(opts.featureNames !== undefined ? { featureNames: opts.featureNames } : {}),
    force,
  });
  const { features: m, samples: n } = prep.shape;
  checkRanksFit(opts.input, p.ks, m, n, '--ks');
  const backend = await useBackend(p.backend);
  logBackendChoice(backend);
  // The random-data baseline: the same ks on A with each sample's column permuted (null.k<k>.r0-<N-1>).
  const nullRestarts = baselineRestarts(p.null_restarts, p.restarts);
  log.info(`run: backend ${backend.name}, algorithm ${p.algorithm}, ks ${p.ks.join(',')}, ${p.restarts} restarts (+ ${nullRestarts} on random data), seed ${p.seed}`);

  // All restarts of all k on one worker pool (largest k first), each shard written as its k completes.
  const factorize = {
    prep: prepDir, outdir: shardsDir, ks: p.ks, first: 0, algorithm: p.algorithm, seed: p.seed,
    max_iter: p.max_iter, check_every: p.check_every, stable_checks: p.stable_checks,
    stop: resolveStopRule(p.algorithm, p.stop), tol: p.tol, backend: backend.name,
    backend_selection: backendSelection(p.backend, backend),
    kernels: p.kernels, workers: p.workers, max_device_mb: p.max_device_mb, force,
  };
  await runFactorizeRanks({ ...factorize, last: p.restarts - 1 });
  if (nullRestarts > 0) await runFactorizeRanks({ ...factorize, last: nullRestarts - 1, randomized: true });
  // Exactly this run's shards: others left in DIR/shards by earlier runs with other ks are not merged.
  const shardDirs = p.ks.flatMap((k) => [
    join(shardsDir, shardDirName(k, 0, p.restarts - 1)),
    ...(nullRestarts > 0 ? [join(shardsDir, shardDirName(k, 0, nullRestarts - 1, true))] : []),
  ]);
  await runConsensus({
    shards: shardDirs, outdir: join(opts.outdir, 'consensus'), prep: prepDir, restarts: p.restarts,
    nullRestarts, allowPartial: false, large: largeN(p),
  });
  await runReport({ consensus: join(opts.outdir, 'consensus'), outdir: join(opts.outdir, 'report'), pdf: opts.pdf === true, ...(opts.annotations ? { annotations: opts.annotations } : {}) });
  log.info(`run: done; open ${join(opts.outdir, 'report', 'report.html')}`);
}
