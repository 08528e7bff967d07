/**
 * `plan`: the scatter plan, every (k, first restart, last restart) shard a workflow runs as one
 * `factorize` task. This is the only place the rule is written: the Nextflow PLAN process, the WDL
 * plan_shards task and workflows/slurm/submit.sh all print it with this command.
 * Rule: every k of --ks (sorted, unique) x restarts 0..R-1 cut in order into ranges of at most
 * --restarts-per-shard. Results never depend on the cut (restart (k, r) has its own random stream).
 */
import { usageError } from '../lib/errors.js';

export type Shard = readonly [k: number, first: number, last: number];
export type PlanFormat = 'tsv' | 'json';

/** "10" -> 10; anything but a positive integer is a usage error. */
export function parsePerShard(text: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1)) throw usageError(`--restarts-per-shard '${text}' must be a positive integer; e.g. --restarts-per-shard 10.`);
  return n;
}

/** Every k x every restart range, k ascending, ranges in order. `ks` is already parsed (parseKs). */
export function planShards(ks: readonly number[], restarts: number, perShard: number): Shard[] {
  if (!Number.isInteger(perShard) || perShard < 1) throw usageError(`--restarts-per-shard ${perShard} must be a positive integer.`);
  const shards: Shard[] = [];
  for (const k of ks) {
    for (let a = 0; a < restarts; a += perShard) shards.push([k, a, Math.min(a + perShard, restarts) - 1]);
  }
  return shards;
}

/** TSV: one "k<TAB>first<TAB>last" line per shard, no header (line i+1 is Slurm array task i). JSON: [[k, first, last], ...]. */
export function formatPlan(shards: readonly Shard[], format: PlanFormat): string {
  if (format === 'json') return `${JSON.stringify(shards)}\n`;
  return shards.map((s) => `${s.join('\t')}\n`).join('');
}
