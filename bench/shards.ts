/** Totals read back from the shard manifests a CLI run wrote (docs/design.md section 2 layout). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ShardTotals {
  shards: number;
  restarts: number;
  /** Sum over every restart of every shard of runs[].iterations. */
  iterations: number;
  backends: string[];
}

interface ShardJson {
  backend: string;
  runs: { iterations: number }[];
}

export function shardTotals(shardsDir: string): ShardTotals {
  const totals: ShardTotals = { shards: 0, restarts: 0, iterations: 0, backends: [] };
  if (!existsSync(shardsDir)) return totals;
  for (const d of readdirSync(shardsDir).sort()) {
    const file = join(shardsDir, d, 'shard.json');
    if (!existsSync(file)) continue;
    const s = JSON.parse(readFileSync(file, 'utf8')) as ShardJson;
    totals.shards++;
    totals.restarts += s.runs.length;
    for (const r of s.runs) totals.iterations += r.iterations;
    if (!totals.backends.includes(s.backend)) totals.backends.push(s.backend);
  }
  return totals;
}
