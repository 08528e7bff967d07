/** Assembling the JSON report from what the children returned. */
import type { ChildResult } from './child.js';
import { round } from './measure.js';
import type { Machine, Outcome, Params, Peer, PeerResult, Workload, WorkloadResult } from './types.js';

const CHILD_RSS = 'harness child process.resourceUsage().maxRSS';

function peakRss(o: Outcome | undefined, child: ChildResult): { mb: number | null; source: string } {
  // A workload that measured a process it spawned reports that (null when it could not); else the child's own.
  if (o && o.peak_rss_mb !== undefined) return { mb: o.peak_rss_mb, source: o.rss_source ?? 'workload' };
  return { mb: child.own_peak_rss_mb, source: CHILD_RSS };
}

export function workloadResult(w: Workload, params: Params, machine: Machine, child: ChildResult): WorkloadResult {
  const o = child.outcome;
  const rss = peakRss(o, child);
  const r: WorkloadResult = {
    name: w.name,
    description: w.description,
    params,
    wall_s: o ? round(o.wall_s, 3) : null,
    iterations: o?.iterations ?? null,
    per_iteration_ms: o?.per_iteration_ms ?? null,
    peak_rss_mb: rss.mb,
    rss_source: rss.source,
    backend: o?.backend ?? 'unknown',
    node: machine.node,
    cpu_model: machine.cpu_model,
    cores: machine.cores,
  };
  if (o?.cases) r.cases = o.cases;
  if (o?.notes && o.notes.length > 0) r.notes = o.notes;
  if (child.error !== undefined) r.error = child.error;
  return r;
}

export function peerResult(p: Peer, child: ChildResult): PeerResult {
  const o = child.outcome;
  const r: PeerResult = {
    name: p.name,
    description: p.description,
    wall_s: o ? round(o.wall_s, 3) : NaN,
    iterations: o?.iterations ?? null,
    per_iteration_ms: o?.per_iteration_ms ?? null,
    peak_rss_mb: peakRss(o, child).mb,
    backend: o?.backend ?? 'unknown',
  };
  if (o?.cases) r.cases = o.cases;
  if (o?.notes && o.notes.length > 0) r.notes = o.notes;
  if (child.error !== undefined) r.error = child.error;
  return r;
}

function ratio(a: number | null, b: number | null): number | null {
  return a !== null && b !== null && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b, 3) : null;
}

/** Fill `peers` and `ratio` (ours / peer) on a workload result. */
export function attachPeers(r: WorkloadResult, peers: PeerResult[]): void {
  if (peers.length === 0) return;
  r.peers = peers;
  r.ratio = {};
  for (const p of peers) {
    r.ratio[p.name] = {
      wall_s: ratio(r.wall_s, p.wall_s),
      per_iteration_ms: ratio(r.per_iteration_ms, p.per_iteration_ms),
      peak_rss_mb: ratio(r.peak_rss_mb, p.peak_rss_mb),
    };
  }
}
