/** Which workloads a command line runs, with which parameters. */
import type { BenchArgs } from './args.js';
import type { Params, Workload } from './types.js';
import { WORKLOADS } from './workloads/index.js';

export interface Selected {
  workload: Workload;
  params: Params;
}

export function selectWorkloads(args: Pick<BenchArgs, 'only' | 'quick' | 'settings'>, registry: readonly Workload[] = WORKLOADS): Selected[] {
  const find = (n: string) => registry.find((w) => w.name === n);
  const unknown = (args.only ?? []).filter((n) => !find(n));
  if (unknown.length > 0) throw new Error(`unknown workload(s) ${unknown.join(', ')}; known: ${registry.map((w) => w.name).join(', ')}`);
  let chosen = args.only ? registry.filter((w) => args.only!.includes(w.name)) : [...registry];
  if (args.quick) {
    const slow = chosen.filter((w) => !w.quickParams).map((w) => w.name);
    if (args.only && slow.length > 0) throw new Error(`--quick has no quick parameters for ${slow.join(', ')}`);
    chosen = chosen.filter((w) => w.quickParams);
  }
  const selected = chosen.map((w) => ({ workload: w, params: { ...(args.quick ? w.quickParams! : w.params) } }));
  // --set applies to every selected workload that has the parameter; one nobody has is a typo.
  for (const [key, value] of args.settings) {
    const takers = selected.filter((s) => key in s.params);
    if (takers.length === 0) throw new Error(`--set ${key}: no selected workload has a parameter ${key}`);
    for (const s of takers) s.params[key] = value;
  }
  return selected;
}
