/**
 * The `factorize` stage: one k, a restart range a..b, one shard folder `k<k>.r<a>-<b>/` with
 * shard.json, labels.bin (restart-major labels), W.npy (every restart's W, R x m x k, for factor
 * stability) and best_W.npy / best_H.npy (lowest objective in the shard). A restart's result depends
 * only on (input, parameters, seed, k, r, backend), so any split of the restarts into shards gives
 * the same labels. The shard is written under a temporary name and renamed when complete.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../lib/io/npy.js';
import { writeFileAtomic, commitDir, discardDir, stagingDir } from '../lib/io/atomic.js';
import { readManifest, writeManifest } from '../lib/manifest/validate.js';
import { ExitCode, NmfError, inputError, usageError } from '../lib/errors.js';
import { log, progress } from '../lib/log.js';
import { toolVersion } from '../lib/paths.js';
import { factorizeRestarts, blockRowsFor, FUSED_BLOCK_MB, DEFAULT_EPS, type Kernels, type RestartResult } from '../lib/engine/factorize.js';
import { fusedAvailable, kernelPath } from '../lib/engine/fused/kernel.js';
import { readMatrixShared } from './matrix.js';
import { OBJECTIVE_NAMES } from '../lib/engine/objective.js';
import { STOP_RULE_NAME } from '../lib/engine/stopping.js';
import { readPreprocessManifest } from '../preprocess/command.js';
import type { Algorithm } from '../lib/types.js';

export interface ShardManifest {
  schema: 'nmf-consensus/shard@1';
  tool_version: string;
  input_sha256: string;
  matrix_sha256: string;
  shape: { features: number; samples: number };
  algorithm: Algorithm;
  k: number;
  restarts: { first: number; last: number };
  seed: number;
  params: { max_iter: number; check_every: number; stable_checks: number; eps: number };
  backend: string;
  objective: string;
  stop_rule: string;
  labels: { file: 'labels.bin'; dtype: 'uint8' | 'uint16'; layout: typeof LABEL_LAYOUT };
  factors: { W: 'W.npy'; best_W: 'best_W.npy'; best_H: 'best_H.npy'; best_restart: number };
  runs: { restart: number; iterations: number; converged: boolean; objective: number; rel_error: number }[];
  elapsed_s: number;
  created: string;
}

export const LABEL_LAYOUT = 'restart-major: for each restart first..last, one label 0..k-1 per sample' as const;

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
  /** The backend already started by the caller (see engine/backend.ts). */
  backend: string;
  /** auto (default): fused on the wasm backend when built, else ops. */
  kernels?: 'auto' | 'fused' | 'ops';
  /** Threads over the restarts (default 1). */
  workers?: number;
  /** Device budget for A in MiB; above it A is streamed in row blocks (0 or undefined: no limit). */
  max_device_mb?: number;
  force?: boolean;
}

/** The kernels a factorize call uses, and the backend label its shard records. */
export function resolveKernels(requested: 'auto' | 'fused' | 'ops' | undefined, backend: string): { kernels: Kernels; label: string } {
  const req = requested ?? 'auto';
  if (req === 'fused' && !fusedAvailable()) {
    throw new NmfError(`--kernels fused: the fused kernels are not built (${kernelPath()} is missing); run npm run build, or pass --kernels ops.`, ExitCode.backendUnavailable);
  }
  const fused = req === 'fused' || (req === 'auto' && backend === 'wasm' && fusedAvailable());
  // The fused kernels run on the CPU whatever tfjs backend is active; their float rounding differs
  // from tfjs ops, so shards say which was used (consensus refuses to mix backends).
  return fused ? { kernels: 'fused', label: FUSED_BACKEND } : { kernels: 'ops', label: backend };
}

export const FUSED_BACKEND = 'wasm-fused';

export function shardDirName(k: number, first: number, last: number): string {
  return `k${k}.r${first}-${last}`;
}

/** "0-19" -> [0, 19]; a single "7" -> [7, 7]. */
export function parseRestartRange(text: string): [number, number] {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  if (!m) throw usageError(`--restarts '${text}' is not a range; factorize takes an inclusive range such as --restarts 0-19.`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (b < a) throw usageError(`--restarts '${text}' runs backwards; write it as ${b}-${a}.`);
  return [a, b];
}

export function readShardManifest(dir: string): ShardManifest {
  return readManifest<ShardManifest>(join(dir, 'shard.json'), 'shard', 4);
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
  return missing.length > 0 ? `missing ${missing.join(', ')}` : m;
}

function sameRun(prev: ShardManifest, want: Omit<ShardManifest, 'runs' | 'elapsed_s' | 'created' | 'factors' | 'tool_version' | 'labels'>): boolean {
  return (
    prev.matrix_sha256 === want.matrix_sha256 &&
    prev.algorithm === want.algorithm &&
    prev.k === want.k &&
    prev.seed === want.seed &&
    prev.backend === want.backend &&
    JSON.stringify(prev.params) === JSON.stringify(want.params)
  );
}

export async function runFactorize(opts: FactorizeOptions): Promise<ShardManifest> {
  const prep = readPreprocessManifest(opts.prep);
  const m = prep.shape.features;
  const n = prep.shape.samples;
  if (opts.k >= Math.min(m, n)) {
    throw inputError(
      join(opts.prep, 'preprocess.json'),
      `k = ${opts.k} is not below min(features, samples) = min(${m}, ${n})`,
      `choose ranks below ${Math.min(m, n)} with --ks`,
    );
  }
  const dir = join(opts.outdir, shardDirName(opts.k, opts.first, opts.last));
  const engine = resolveKernels(opts.kernels, opts.backend);
  const base = {
    schema: 'nmf-consensus/shard@1' as const,
    input_sha256: prep.input.sha256,
    matrix_sha256: prep.matrix_sha256,
    shape: { features: m, samples: n },
    algorithm: opts.algorithm,
    k: opts.k,
    restarts: { first: opts.first, last: opts.last },
    seed: opts.seed,
    params: { max_iter: opts.max_iter, check_every: opts.check_every, stable_checks: opts.stable_checks, eps: DEFAULT_EPS },
    backend: engine.label,
    objective: OBJECTIVE_NAMES[opts.algorithm],
    stop_rule: STOP_RULE_NAME,
  };
  if (!opts.force && existsSync(dir)) {
    const prev = completeShard(dir, n);
    if (typeof prev === 'string') log.info(`factorize: ${dir} is not a complete shard (${prev}); recomputing`);
    else if (sameRun(prev, base)) {
      log.info(`factorize: ${dir} is already complete; skipping`);
      return prev;
    } else log.info(`factorize: ${dir} was made with other inputs or parameters; recomputing`);
  }

  const A = readMatrixShared(join(opts.prep, 'matrix.npy'), m, n);
  const workers = Math.max(1, opts.workers ?? 1);
  const maxDeviceMb = opts.max_device_mb && opts.max_device_mb > 0 ? opts.max_device_mb : undefined;
  const blocks = blockRowsFor(m, n, maxDeviceMb, engine.kernels === 'fused' ? FUSED_BLOCK_MB : Infinity);
  log.info(
    `factorize: k=${opts.k}, ${engine.kernels} kernels (${engine.label}), ${workers} thread${workers > 1 ? 's' : ''}` +
      (blocks === null ? '' : `, A (${((m * n * 4) / 2 ** 20).toFixed(0)} MiB) streamed in blocks of ${blocks} rows (--max-device-mb ${maxDeviceMb})`),
  );
  const restarts = Array.from({ length: opts.last - opts.first + 1 }, (_, i) => opts.first + i);
  const bar = progress(`factorize k=${opts.k} restarts ${opts.first}-${opts.last}`, restarts.length);
  const t0 = Date.now();
  const results = await factorizeRestarts(
    A,
    m,
    n,
    opts.k,
    restarts,
    {
      algorithm: opts.algorithm, seed: opts.seed, maxIter: opts.max_iter, checkEvery: opts.check_every, stableChecks: opts.stable_checks,
      kernels: engine.kernels, workers, ...(maxDeviceMb !== undefined ? { maxDeviceMb } : {}),
    },
    (e) => bar.update(e.done, `iteration ${e.iteration}, ${e.active} running`),
  );
  bar.finish();
  const manifest = writeShard(dir, base, results, m, n, (Date.now() - t0) / 1000);
  log.info(`factorize: k=${opts.k} restarts ${opts.first}-${opts.last} -> ${dir}`);
  return manifest;
}

function writeShard(
  dir: string,
  base: Omit<ShardManifest, 'runs' | 'elapsed_s' | 'created' | 'factors' | 'tool_version' | 'labels'>,
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
  const stage = stagingDir(dir);
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
      runs: results.map((r) => ({ restart: r.restart, iterations: r.iterations, converged: r.converged, objective: r.objective, rel_error: r.relError })),
      elapsed_s: elapsed,
      created: new Date().toISOString(),
    };
    writeManifest(join(stage, 'shard.json'), 'shard', manifest);
    commitDir(stage, dir);
    return manifest;
  } catch (err) {
    discardDir(stage);
    throw err;
  }
}
