/** Totals read back from the shard manifests a CLI run wrote (docs/design.md section 2 layout). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ShardTotals {
  shards: number;
  restarts: number;
  /** Sum over every restart of every shard of runs[].iterations. */
  iterations: number;
  backends: string[];
  /**
   * The factorize stage's seconds: the largest shard elapsed_s (each shard records the seconds from
   * the start of its factorize call; `run` makes one call for all k). null when no shard has it.
   */
  factorizeS: number | null;
}

interface ShardJson {
  backend: string;
  runs: { iterations: number }[];
  elapsed_s?: number;
}

export function shardTotals(shardsDir: string): ShardTotals {
  const totals: ShardTotals = { shards: 0, restarts: 0, iterations: 0, backends: [], factorizeS: null };
  if (!existsSync(shardsDir)) return totals;
  for (const d of readdirSync(shardsDir).sort()) {
    const file = join(shardsDir, d, 'shard.json');
    if (!existsSync(file)) continue;
    const s = JSON.parse(readFileSync(file, 'utf8')) as ShardJson;
    totals.shards++;
    totals.restarts += s.runs.length;
    for (const r of s.runs) totals.iterations += r.iterations;
    if (!totals.backends.includes(s.backend)) totals.backends.push(s.backend);
    if (typeof s.elapsed_s === 'number') totals.factorizeS = Math.max(totals.factorizeS ?? 0, s.elapsed_s);
  }
  return totals;
}
