/**
 * The `factorize` stage: one k (run: every k on one worker pool, runFactorizeRanks), a restart range
 * a..b, one shard folder `k<k>.r<a>-<b>/` per k with
 * shard.json, labels.bin (restart-major labels), W.npy (every restart's W, R x m x k, for factor
 * stability) and best_W.npy / best_H.npy (lowest objective in the shard). A restart's result depends
 * only on (input, parameters, seed, k, r, backend), so any split of the restarts into shards gives
 * the same labels. The shard is written under a temporary name and renamed when complete.
 * With `randomized`, the shard `null.k<k>.r<a>-<b>/` factorizes the random-data baseline instead: A
 * with each sample's column permuted by a stream of the seed (tasks/lib/randomize.ts), the same copy
 * for every shard, so the baseline too is independent of how its restarts are split.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../lib/io/npy.js';
import { writeFileAtomic, commitDir, discardDir, stagingDir } from '../lib/io/atomic.js';
import { sha256File } from '../lib/io/hash.js';
import { claimOutput, markedKind, writeMarker } from '../lib/io/outdir.js';
import { LABEL_LAYOUT, SHARD_FILES, readShardFile, readShardManifest, writeShardManifest, type BackendSelection, type ShardManifest } from '../lib/manifest/shard.js';
import { outputError, usageError } from '../lib/errors.js';
import { checkRanksFit, describeStopRule, MAX_RESTARTS } from '../lib/params.js';
import { log, progress } from '../lib/log.js';
import { toolVersion } from '../lib/paths.js';
import { factorizeRanks, selectPath, DEFAULT_EPS, type FactorizeParams, type RestartResult } from '../lib/engine/factorize.js';
import { resolveWorkers } from '../lib/engine/cores.js';
import { BUILD_NAMES, kernelBuild } from '../lib/engine/fused/kernel.js';
import { readMatrixShared } from './matrix.js';
import { randomizeColumnsInPlace } from '../lib/randomize.js';
import { OBJECTIVE_NAMES } from '../lib/engine/objective.js';
import { readPreprocessManifest } from '../lib/manifest/preprocess.js';
import type { Algorithm, StopRule } from '../lib/types.js';


export interface FactorizeOptions {
  prep: string;
  outdir: string;
  k: number;
  first: number;
  last: number;
  algorithm: Algorithm;
  seed: number;
  max_iter: number;
  check_every: number;
  stable_checks: number;
  /** The stop rule, resolved (params.ts resolveStopRule), and the objective rule's tolerance. */
  stop: StopRule;
  tol: number;
  /** The backend already started by the caller (see engine/backend.ts). */
  backend: string;
  /** How the caller chose it, recorded in shard.json. */
  backend_selection?: BackendSelection;
  /** auto (default): fused on the wasm backend when built, else ops. */
  kernels?: 'auto' | 'fused' | 'ops';
  /** Fused kernels: threads over the restarts; 0 or undefined = the cores available (engine/cores.ts). */
  workers?: number;
  /** Device budget for A in MiB; above it A is streamed in row blocks (0 or undefined: no limit). */
  max_device_mb?: number;
  force?: boolean;
  /** Factorize the random-data baseline (A with each sample's column permuted) instead of A. */
  randomized?: boolean;
}

export function shardDirName(k: number, first: number, last: number, randomized = false): string {
  return `${randomized ? 'null.' : ''}k${k}.r${first}-${last}`;
}

/** "0-19" -> [0, 19]; a single "7" -> [7, 7]. */
export function parseRestartRange(text: string): [number, number] {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  if (!m) throw usageError(`--restarts '${text}' is not a range; factorize takes an inclusive range such as --restarts 0-19.`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (b < a) throw usageError(`--restarts '${text}' runs backwards; write it as ${b}-${a}.`);
  if (b >= MAX_RESTARTS) throw usageError(`--restarts '${text}': restarts are numbered below ${MAX_RESTARTS}; use a smaller range (50 restarts per k is the usual count).`);
  return [a, b];
}

/**
 * The shard in `dir` if it can be trusted as complete: a manifest that passes its schema, a labels
 * file of the recorded size and the factor files it names. Otherwise the reason, and it is redone.
 */
function completeShard(dir: string, n: number): ShardManifest | string {
  let m: ShardManifest;
  try {
    m = readShardManifest(dir);
  } catch (err) {
    return (err as Error).message;
  }
  const R = m.restarts.last - m.restarts.first + 1;
  const labels = join(dir, m.labels.file);
  const want = R * n * (m.labels.dtype === 'uint8' ? 1 : 2);
  if (!existsSync(labels) || statSync(labels).size !== want) return `${labels} is missing or not ${want} bytes`;
  const missing = Object.values(m.factors).filter((f) => typeof f === 'string' && !existsSync(join(dir, f)));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  // Re-verify every file before trusting the folder: a changed file means the shard is redone.
  try {
    for (const f of SHARD_FILES) readShardFile(dir, m, f);
  } catch (err) {
    return (err as Error).message;
  }
  return m;
}

function sameRun(prev: ShardManifest, want: Omit<ShardManifest, 'runs' | 'elapsed_s' | 'created' | 'factors' | 'tool_version' | 'labels' | 'sha256'>): boolean {
  return (
    prev.matrix_sha256 === want.matrix_sha256 &&
    prev.input_sha256 === want.input_sha256 &&
    prev.algorithm === want.algorithm &&
    prev.k === want.k &&
    prev.seed === want.seed &&
    prev.backend === want.backend &&
    (prev.randomized ?? false) === (want.randomized ?? false) &&
    JSON.stringify(prev.params) === JSON.stringify(want.params)
  );
}

export async function runFactorize(opts: FactorizeOptions): Promise<ShardManifest> {
  const { k, ...rest } = opts;
  return (await runFactorizeRanks({ ...rest, ks: [k] }))[0]!;
}

/** Options of a factorize call over several ranks: the same restart range for each k in `ks`. */
export type FactorizeRanksOptions = Omit<FactorizeOptions, 'k'> & { ks: readonly number[] };

/**
 * One shard per k in `ks`, all restarts of all k computed together on one worker pool (so no core
 * idles while a restart is waiting); each shard is written as soon as its k is done, so a killed
 * call keeps the finished ones. Shards already complete for the same input and parameters are skipped.
 */
export async function runFactorizeRanks(opts: FactorizeRanksOptions): Promise<ShardManifest[]> {
  const releases = claimShards(opts);
  try {
    return await factorizeClaimed(opts);
  } finally {
    for (const release of releases) release();
  }
}

/**
 * The folder of shards gets only new shard folders (it is marked when the tool creates it); each
 * shard folder must be new or a shard this tool wrote, and is locked for this process.
 */
function claimShards(opts: FactorizeRanksOptions): (() => void)[] {
  const fresh = !existsSync(opts.outdir) || (statSync(opts.outdir).isDirectory() && readdirSync(opts.outdir).length === 0);
  if (!fresh && !statSync(opts.outdir).isDirectory()) {
    throw outputError(opts.outdir, 'this is a file, not a folder', 'choose a folder for --outdir (the file is left as it is)');
  }
  const kind = fresh ? undefined : markedKind(opts.outdir);
  if (kind !== undefined && kind !== 'shards') throw outputError(opts.outdir, `this folder holds the output of ${kind}, not shards`, 'choose a new or empty folder for --outdir');
  const releases: (() => void)[] = [];
  try {
    for (const k of opts.ks) releases.push(claimOutput(join(opts.outdir, shardDirName(k, opts.first, opts.last, opts.randomized)), 'shard', [opts.prep]));
    if (fresh) writeMarker(opts.outdir, 'shards');
  } catch (err) {
    for (const release of releases) release();
    throw err;
  }
  return releases;
}

async function factorizeClaimed(opts: FactorizeRanksOptions): Promise<ShardManifest[]> {
  const prep = readPreprocessManifest(opts.prep);
  const m = prep.shape.features;
  const n = prep.shape.samples;
  checkRanksFit(join(opts.prep, 'preprocess.json'), opts.ks, m, n, opts.ks.length === 1 ? '--k' : '--ks');
  const maxDeviceMb = opts.max_device_mb && opts.max_device_mb > 0 ? opts.max_device_mb : undefined;
  const threads = resolveWorkers(opts.workers);
  const engine = selectPath({ kernels: opts.kernels ?? 'auto', backend: opts.backend, m, n, threads, ...(maxDeviceMb !== undefined ? { maxDeviceMb } : {}) });
  const engineParams: FactorizeParams = {
    algorithm: opts.algorithm, seed: opts.seed, maxIter: opts.max_iter, checkEvery: opts.check_every, stableChecks: opts.stable_checks,
    stop: opts.stop, tol: opts.tol, kernels: engine.kernels, workers: engine.kernels === 'fused' ? threads : 1, ...(maxDeviceMb !== undefined ? { maxDeviceMb } : {}),
  };
  // A path that does not implement the algorithm or stop rule says so before the matrix is read.
  const refused = engine.path.refuses?.(engineParams) ?? null;
  if (refused !== null) throw usageError(refused);
  const baseFor = (k: number) => ({
    schema: 'nmf-consensus/shard@1' as const,
    input_sha256: prep.input.sha256,
    matrix_sha256: prep.matrix_sha256,
    shape: { features: m, samples: n },
    algorithm: opts.algorithm,
    k,
    restarts: { first: opts.first, last: opts.last },
    seed: opts.seed,
    params: { max_iter: opts.max_iter, check_every: opts.check_every, stable_checks: opts.stable_checks, eps: DEFAULT_EPS, stop: opts.stop, tol: opts.tol },
    backend: engine.label,
    ...(opts.backend_selection ? { backend_selection: opts.backend_selection } : {}),
    objective: OBJECTIVE_NAMES[opts.algorithm],
    stop_rule: describeStopRule(opts.stop, opts),
    ...(opts.randomized ? { randomized: true } : {}),
  });
  const dirOf = (k: number) => join(opts.outdir, shardDirName(k, opts.first, opts.last, opts.randomized));
  const done = new Map<number, ShardManifest>();
  for (const k of opts.ks) {
    const dir = dirOf(k);
    if (opts.force || !existsSync(dir)) continue;
    const prev = completeShard(dir, n);
    if (typeof prev === 'string') log.info(`factorize: ${dir} is not a complete shard (${prev}); recomputing`);
    else if (sameRun(prev, baseFor(k))) {
      log.info(`factorize: ${dir} is already complete; skipping`);
      done.set(k, prev);
    } else log.info(`factorize: ${dir} was made with other inputs or parameters; recomputing`);
  }
  const todo = opts.ks.filter((k) => !done.has(k));
  if (todo.length > 0) {
    const A = readMatrixShared(join(opts.prep, 'matrix.npy'), m, n, prep.matrix_sha256);
    if (opts.randomized) randomizeColumnsInPlace(A, m, n, opts.seed);
    // The ops path runs in this thread (its tfjs backend owns the device); threads are for the fused kernels.
    const workers = engineParams.workers!;
    const blocks = engine.blockRows;
    const ks = `${todo.join(',')}${opts.randomized ? ' (random-data baseline)' : ''}`;
    log.info(
      `factorize: k=${ks}, ${engine.kernels} kernels (${engine.label}${engine.kernels === 'fused' ? ` arithmetic, ${BUILD_NAMES[kernelBuild()]}` : ''}), ${workers} thread${workers > 1 ? 's' : ''}` +
        (blocks === null ? '' : `, A (${((m * n * 4) / 2 ** 20).toFixed(0)} MiB) streamed in blocks of ${blocks} rows (--max-device-mb ${maxDeviceMb})`),
    );
    const restarts = Array.from({ length: opts.last - opts.first + 1 }, (_, i) => opts.first + i);
    const bar = progress(`factorize k=${ks} restarts ${opts.first}-${opts.last}`, restarts.length * todo.length);
    const finished = new Map<number, number>();
    const t0 = Date.now();
    await factorizeRanks(
      A,
      m,
      n,
      todo.map((k) => ({ k, restarts })),
      engineParams,
      {
        onRank: (k, results) => {
          done.set(k, writeShard(dirOf(k), baseFor(k), results, m, n, (Date.now() - t0) / 1000));
          log.info(`factorize: k=${k}${opts.randomized ? ' random-data baseline' : ''} restarts ${opts.first}-${opts.last} -> ${dirOf(k)}`);
        },
        onProgress: (e) => {
          finished.set(e.k, e.done);
          let sum = 0;
          for (const d of finished.values()) sum += d;
          bar.update(sum, `k=${e.k} iteration ${e.iteration}, ${e.active} running`);
        },
      },
    );
    bar.finish();
  }
  return opts.ks.map((k) => done.get(k)!);
}

function writeShard(
  dir: string,
  base: Omit<ShardManifest, 'runs' | 'elapsed_s' | 'created' | 'factors' | 'tool_version' | 'labels' | 'sha256'>,
  results: RestartResult[],
  m: number,
  n: number,
  elapsed: number,
): ShardManifest {
  const k = base.k;
  const R = results.length;
  const labels = k <= 256 ? new Uint8Array(R * n) : new Uint16Array(R * n);
  const W = new Float32Array(R * m * k);
  let best = 0;
  results.forEach((r, i) => {
    labels.set(r.labels, i * n);
    W.set(r.W, i * m * k);
    if (r.objective < results[best]!.objective) best = i;
  });
  const stage = stagingDir(dir, 'shard');
  try {
    writeFileAtomic(join(stage, 'labels.bin'), new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
    writeNpy(join(stage, 'W.npy'), W, [R, m, k]);
    writeNpy(join(stage, 'best_W.npy'), results[best]!.W, [m, k]);
    writeNpy(join(stage, 'best_H.npy'), results[best]!.H, [k, n]);
    const manifest: ShardManifest = {
      ...base,
      tool_version: toolVersion(),
      labels: { file: 'labels.bin', dtype: k <= 256 ? 'uint8' : 'uint16', layout: LABEL_LAYOUT },
      factors: { W: 'W.npy', best_W: 'best_W.npy', best_H: 'best_H.npy', best_restart: results[best]!.restart },
      sha256: Object.fromEntries(SHARD_FILES.map((f) => [f, sha256File(join(stage, f))])) as ShardManifest['sha256'],
      runs: results.map((r) => ({ restart: r.restart, iterations: r.iterations, converged: r.converged, objective: r.objective, rel_error: r.relError })),
      elapsed_s: elapsed,
      created: new Date().toISOString(),
    };
    writeShardManifest(stage, manifest);
    commitDir(stage, dir, 'shard');
    return manifest;
  } catch (err) {
    discardDir(stage);
    throw err;
  }
}
