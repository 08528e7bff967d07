/**
 * The GPU check's workloads, each run through the built CLI's `run` on one backend, and the labels
 * of every restart of every k read back from its shards so they can be compared with wasm's.
 * Restart counts and fixed iteration counts are cut to what one GPU finishes in the 5-minute budget
 * on the tfjs-ops path (one restart at a time, about twenty ops per iteration).
 */
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { round, timeIt } from '../measure.js';
import { CLI_BIN, ROOT } from '../paths.js';
import { shardTotals } from '../shards.js';
import { writeSyntheticGct, type SyntheticSpec } from '../synthetic.js';

export interface GpuWorkload {
  name: string;
  description: string;
  algorithm: 'brunet' | 'lee';
  ks: string;
  restarts: number;
  /** Fixed iterations (stop rule off) where set; else the CLI's default stop rule. */
  fixed_iterations: number | null;
  shape: { features: number; samples: number };
  /** The input file, written into `dir` when synthetic. */
  input(dir: string): Promise<string>;
}

const SEED = 123456;

function synthetic(spec: SyntheticSpec): (dir: string) => Promise<string> {
  return async (dir) => {
    const path = join(dir, `synthetic-${spec.m}x${spec.n}-s${spec.seed}.gct`);
    if (!existsSync(path)) await writeSyntheticGct(path, spec);
    return path;
  };
}

/** W1, W2 and the nmf-gpu paper's 5000 x 1000 brunet case; `quick` shrinks them for a self-check. */
export function gpuWorkloads(quick: boolean): GpuWorkload[] {
  const big: SyntheticSpec = quick ? { m: 400, n: 60, k: 5, seed: 5000, noise: 0.1 } : { m: 5000, n: 1000, k: 5, seed: 5000, noise: 0.1 };
  const iters = quick ? 40 : 500;
  const restarts = quick ? 2 : 5;
  const ks = quick ? '2-3' : '2-5';
  return [
    {
      name: 'w1',
      description: `ALL_AML 5000 x 38, brunet, ks ${ks}, ${restarts} restarts per k, ${quick ? `${iters} fixed iterations` : 'the default stop rule'} (bench W1 at ${restarts} restarts)`,
      algorithm: 'brunet', ks, restarts, fixed_iterations: quick ? iters : null,
      shape: { features: 5000, samples: 38 },
      input: async () => join(ROOT, 'examples', 'ALL_AML_data.gct'),
    },
    {
      name: 'w2',
      description: `synthetic ${big.m} x ${big.n} (planted k = 5, seed ${big.seed}), lee, ks ${ks}, ${restarts} restarts per k, ${iters} fixed iterations (bench W2 at ${restarts} restarts)`,
      algorithm: 'lee', ks, restarts, fixed_iterations: iters,
      shape: { features: big.m, samples: big.n },
      input: synthetic(big),
    },
    {
      name: 'paper',
      description: `the nmf-gpu paper's size: synthetic ${big.m} x ${big.n} (as W2), brunet, ks ${ks}, ${restarts} restarts per k, ${iters} fixed iterations`,
      algorithm: 'brunet', ks, restarts, fixed_iterations: iters,
      shape: { features: big.m, samples: big.n },
      input: synthetic(big),
    },
  ];
}

export interface BackendRun {
  /** What the CLI's shards record: the path label (e.g. wasm-fused, webgpu) and how it was chosen. */
  backend_label: string | null;
  backend_selection: unknown;
  wall_s: number;
  factorize_s: number | null;
  iterations: number;
  /** labels.bin of each k, restart-major. */
  labels: Map<number, Buffer>;
}

/** One `run` of workload w on `backend` into outdir; throws with the CLI's last lines on failure. */
export async function runBackend(w: GpuWorkload, input: string, backend: string, outdir: string, timeoutS: number): Promise<BackendRun> {
  const args = [
    CLI_BIN, 'run', '--input', input, '--outdir', outdir, '--ks', w.ks, '--restarts', String(w.restarts), '--seed', String(SEED),
    '--algorithm', w.algorithm, '--backend', backend, '--null-restarts', '0',
    ...(w.fixed_iterations !== null ? ['--max-iter', String(w.fixed_iterations), '--stable-checks', '0'] : []),
  ];
  const { seconds, value: r } = await timeIt(() =>
    execa(process.execPath, args, { reject: false, all: true, timeout: timeoutS * 1000, env: { NMF_PROGRESS_SECONDS: '60' } }),
  );
  if (r.timedOut) throw new Error(`did not finish within its ${Math.round(timeoutS)} s share of the time budget`);
  if (r.exitCode !== 0) {
    const tail = String(r.all ?? '').trim().split('\n').slice(-3).join(' | ');
    throw new Error(`the CLI exited ${r.exitCode ?? r.signal}: ${tail}`);
  }
  const shards = join(outdir, 'shards');
  const totals = shardTotals(shards);
  const labels = new Map<number, Buffer>();
  let label: string | null = null;
  let selection: unknown = null;
  for (const d of readdirSync(shards).sort()) {
    const m = /^k(\d+)\.r/.exec(d);
    if (!m) continue;
    labels.set(Number(m[1]), readFileSync(join(shards, d, 'labels.bin')));
    const shard = JSON.parse(readFileSync(join(shards, d, 'shard.json'), 'utf8')) as { backend: string; backend_selection?: unknown };
    label = shard.backend;
    selection = shard.backend_selection ?? null;
  }
  return { backend_label: label, backend_selection: selection, wall_s: round(seconds, 3), factorize_s: totals.factorizeS, iterations: totals.iterations, labels };
}

/** Per k, the fraction of (restart, sample) labels equal to the reference's. */
export function labelAgreement(run: Map<number, Buffer>, ref: Map<number, Buffer>): { k: number; agreement: number }[] {
  return [...ref.entries()].map(([k, want]) => {
    const got = run.get(k);
    if (!got || got.length !== want.length) return { k, agreement: 0 };
    let same = 0;
    for (let i = 0; i < want.length; i++) if (got[i] === want[i]) same++;
    return { k, agreement: round(same / want.length, 6) };
  });
}
