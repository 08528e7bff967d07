/**
 * W2: a seeded synthetic 5000 x 1000 matrix (planted k = 5) through the whole CLI, Lee, a fixed 500
 * iterations per restart (early stop off) so the work is the same on every machine and peers can run
 * the same iteration count; at the CLI's default workers (no --workers flag). Two restart counts:
 * 20 per k (`w2-ours`) and 5 per k (`w2-ours-r5`).
 */
import { join } from 'node:path';
import { num, str } from '../params.js';
import { writeSyntheticGct } from '../synthetic.js';
import type { Params, Workload } from '../types.js';
import { runCli, runFlags } from './cli-run.js';

/** The W2 matrix (parameters m, n, planted_k, data_seed, noise) as GCT in `tmp`; returns its path. */
export async function writeW2Gct(tmp: string, p: Params): Promise<string> {
  const path = join(tmp, 'synthetic.gct');
  await writeSyntheticGct(path, { m: num(p, 'm'), n: num(p, 'n'), k: num(p, 'planted_k'), seed: num(p, 'data_seed'), noise: num(p, 'noise') });
  return path;
}

function w2(name: string, restarts: number): Workload {
  return {
    name,
    description: `synthetic 5000 x 1000 A = WH + noise (planted k = 5, seeded, written as GCT in a temp dir), lee, ${restarts} restarts per k, 500 iterations per restart (--stable-checks 0), whole \`run\` CLI at the default workers (workers 0 = no --workers flag), no random-data baseline (null_restarts 0: the peers' work; -1 = the CLI default); wall_s = CLI process (not the matrix generation)`,
    params: {
      m: 5000, n: 1000, planted_k: 5, data_seed: 5000, noise: 0.1,
      ks: '2-5', restarts, seed: 123456, algorithm: 'lee', max_iter: 500, stable_checks: 0, backend: 'wasm', workers: 0, null_restarts: 0,
    },
    run: (p: Params) =>
      runCli({
        label: name,
        input: (tmp) => writeW2Gct(tmp, p),
        flags: runFlags({
          ks: str(p, 'ks'), restarts: num(p, 'restarts'), seed: num(p, 'seed'), algorithm: str(p, 'algorithm'), backend: str(p, 'backend'),
          workers: num(p, 'workers'), nullRestarts: num(p, 'null_restarts'), maxIter: num(p, 'max_iter'), stableChecks: num(p, 'stable_checks'),
        }),
      }),
  };
}

export const w2Ours = w2('w2-ours', 20);
export const w2OursR5 = w2('w2-ours-r5', 5);
