/**
 * `plan`: the scatter plan, every (k, first restart, last restart, baseline) shard a workflow runs
 * as one `factorize` task. This is the only place the rule is written: the Nextflow PLAN process,
 * the WDL plan_shards task and workflows/slurm/submit.sh all print it with this command.
 * Rule: every k of --ks (sorted, unique) x restarts 0..R-1 cut in order into ranges of at most
 * --restarts-per-shard; then the same for the random-data baseline (`factorize --null`), restarts
 * 0..min(null_restarts, R)-1, as `run` does. Results never depend on the cut (restart (k, r) has its
 * own random stream).
 */
import { usageError } from '../lib/errors.js';
import { baselineRestarts } from '../lib/params.js';

/** baseline: 1 for a random-data shard (`factorize --null`, folder null.k<k>.r<a>-<b>), else 0. */
export type Shard = readonly [k: number, first: number, last: number, baseline: 0 | 1];
export type PlanFormat = 'tsv' | 'json';

/** "10" -> 10; anything but a positive integer is a usage error. */
export function parsePerShard(text: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1)) throw usageError(`--restarts-per-shard '${text}' must be a positive integer; e.g. --restarts-per-shard 10.`);
  return n;
}

/** Most shards in a plan: far more tasks than any scheduler takes in one workflow (Slurm's default array limit is 1001). */
export const MAX_SHARDS = 100_000;

/** Every k x every restart range, k ascending, ranges in order; then the baseline's. `ks` is already parsed (parseKs). */
export function planShards(ks: readonly number[], restarts: number, perShard: number, nullRestarts = 0): Shard[] {
  if (!Number.isInteger(perShard) || perShard < 1) throw usageError(`--restarts-per-shard ${perShard} must be a positive integer.`);
  const count = ks.length * (Math.ceil(restarts / perShard) + Math.ceil(baselineRestarts(nullRestarts, restarts) / perShard));
  if (count > MAX_SHARDS) {
    throw usageError(`--ks, --restarts, --null-restarts and --restarts-per-shard ${perShard} make ${count} shards, more than ${MAX_SHARDS} tasks; raise --restarts-per-shard or test fewer ranks.`);
  }
  const shards: Shard[] = [];
  const cut = (count: number, baseline: 0 | 1) => {
    for (const k of ks) {
      for (let a = 0; a < count; a += perShard) shards.push([k, a, Math.min(a + perShard, count) - 1, baseline]);
    }
  };
  cut(restarts, 0);
  cut(baselineRestarts(nullRestarts, restarts), 1);
  return shards;
}

/** TSV: one "k<TAB>first<TAB>last<TAB>baseline" line per shard, no header (line i+1 is Slurm array task i). JSON: [[k, first, last, baseline], ...]. */
export function formatPlan(shards: readonly Shard[], format: PlanFormat): string {
  if (format === 'json') return `${JSON.stringify(shards)}\n`;
  return shards.map((s) => `${s.join('\t')}\n`).join('');
}
