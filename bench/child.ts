/**
 * One workload (or one peer of it) in its own process, so that process.resourceUsage().maxRSS is that
 * workload's peak alone. Usage (run.ts does this): node dist/bench/child.js --workload NAME
 * [--peer NAME] --params JSON --result FILE. The outcome goes to FILE, never stdout, so a workload
 * may print progress freely.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ownPeakRssMb } from './measure.js';
import { findPeer } from './peers.js';
import type { Outcome, Params } from './types.js';
import { findWorkload } from './workloads/index.js';

export interface ChildResult {
  outcome?: Outcome;
  error?: string;
  /** This child's own peak RSS in MB (what counts for in-process workloads such as linkage). */
  own_peak_rss_mb: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { workload: { type: 'string' }, peer: { type: 'string' }, params: { type: 'string' }, result: { type: 'string' } },
  });
  if (!values.workload || !values.params || !values.result) throw new Error('child: --workload, --params and --result are required');
  const params = JSON.parse(values.params) as Params;
  const runner = values.peer ? findPeer(values.workload, values.peer) : findWorkload(values.workload);
  if (!runner) throw new Error(`child: unknown ${values.peer ? `peer ${values.peer} of ` : ''}workload ${values.workload}`);
  let result: ChildResult;
  try {
    result = { outcome: await runner.run(params), own_peak_rss_mb: ownPeakRssMb() };
  } catch (err) {
    result = { error: err instanceof Error ? err.message : String(err), own_peak_rss_mb: ownPeakRssMb() };
  }
  writeFileSync(values.result, JSON.stringify(result));
  process.exitCode = result.error ? 1 : 0;
}

await main();
