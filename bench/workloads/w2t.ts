/**
 * W2-time (issue 16): time to a result, not per-iteration speed. The W2 matrix (seeded synthetic
 * 5000 x 1000, planted k = 5) through the whole `run` CLI at our defaults for one algorithm (its
 * default stop rule unless `stop` names one), ks 2-5, at the default workers, against RcppML and
 * scikit-learn with their default stop rules in the same bench run. Besides wall time each result
 * reports the relative error of the fits at the planted k and the ARI of the planted-k consensus
 * against the planted groups (bench/fit-quality.ts), so a fast result that is a worse fit shows.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { adjustedRandIndex } from '../../tasks/lib/metrics/index.js';
import { errorsAt, plantedGroups, qualityRow } from '../fit-quality.js';
import { num, str } from '../params.js';
import type { CaseRow, Params, Workload } from '../types.js';
import { runCli, runFlags } from './cli-run.js';
import { writeW2Gct } from './w2.js';

/** The quality row of our run, from its shard.json (per-fit rel_error) and consensus.json (membership). */
function ourQuality(outdir: string, n: number, k: number, maxIter: number): CaseRow {
  const fits: { k: number; rel_error: number; iterations: number }[] = [];
  const shards = join(outdir, 'shards');
  for (const d of readdirSync(shards).sort()) {
    const file = join(shards, d, 'shard.json');
    if (!existsSync(file)) continue;
    const s = JSON.parse(readFileSync(file, 'utf8')) as { k: number; randomized?: boolean; runs: { rel_error: number; iterations: number }[] };
    if (!s.randomized) for (const r of s.runs) fits.push({ k: s.k, rel_error: r.rel_error, iterations: r.iterations });
  }
  const c = JSON.parse(readFileSync(join(outdir, 'consensus', 'consensus.json'), 'utf8')) as { per_k: { k: number; membership: number[] }[] };
  const membership = c.per_k.find((p) => p.k === k)?.membership;
  if (!membership) throw new Error(`consensus.json has no k = ${k}`);
  return qualityRow(errorsAt(fits, k), adjustedRandIndex(membership, plantedGroups(n, k)), fits.filter((f) => f.iterations >= maxIter).length);
}

function w2t(name: string, algorithm: string, restarts: number, stop: string): Workload {
  return {
    name,
    description: `W2-time: synthetic 5000 x 1000 (planted k = 5, as W2), --algorithm ${algorithm}${stop ? ` --stop ${stop}` : ' (its default stop rule)'}, ${restarts} restarts per k, ks 2-5, default workers, no random-data baseline; wall_s = CLI process; cases add the relative error at the planted k and the planted-k consensus ARI against the planted groups`,
    params: {
      m: 5000, n: 1000, planted_k: 5, data_seed: 5000, noise: 0.1,
      ks: '2-5', restarts, seed: 123456, algorithm, stop, max_iter: 2000, backend: 'wasm', workers: 0, null_restarts: 0,
    },
    run: (p: Params) =>
      runCli({
        label: name,
        input: (tmp) => writeW2Gct(tmp, p),
        flags: [
          ...runFlags({ ks: str(p, 'ks'), restarts: num(p, 'restarts'), seed: num(p, 'seed'), algorithm: str(p, 'algorithm'), backend: str(p, 'backend'), workers: num(p, 'workers'), nullRestarts: num(p, 'null_restarts') }),
          ...(str(p, 'stop') ? ['--stop', str(p, 'stop')] : []),
        ],
        inspect: (outdir) => ourQuality(outdir, num(p, 'n'), num(p, 'planted_k'), num(p, 'max_iter')),
      }),
  };
}

export const w2tHals = w2t('w2t-hals', 'hals', 5, '');
export const w2tHalsR20 = w2t('w2t-hals-r20', 'hals', 20, '');
export const w2tLee = w2t('w2t-lee', 'lee', 5, '');
// lee's default is the objective rule; the same fits under R NMF's connectivity rule show what it costs.
export const w2tLeeConnectivity = w2t('w2t-lee-connectivity', 'lee', 5, 'connectivity');
