/**
 * Which restarts each lane driver (lanes.ts) runs. Every k's restarts run four to a SIMD group; the
 * last R mod 4 restarts of each k would leave lanes empty for their whole life when every restart runs
 * the same iterations (W2: 5 restarts per k is a full group and a group with one lane in use, at the
 * cost of a full group). So those remainders of all k are packed together, largest k first, four to a
 * group of the largest k among them: a restart of a smaller k rides with its extra components at 0,
 * and its numbers are those it gets in a group of its own k (lanes.ts, LaneItem). Only k up to
 * MIX_MAX_K mix: the unrolled kernels (k = 2..8, assembly/generate.mjs) sum in one order for every k,
 * the generic loop for k >= 9 in another.
 */
import type { RankJob } from '../types.js';
import { LANES, type LaneItem } from './lanes.js';

/** The largest k with an unrolled kernel (MAX_K in assembly/generate.mjs). */
export const MIX_MAX_K = 8;

/** One lane driver's work: restarts of k at most `k` (all of k `k` unless mixed). */
export interface LaneRank {
  k: number;
  items: LaneItem[];
}

/**
 * The drivers for `ranks`, largest k first, each k's mixed group (if any) right after its own groups.
 * With `mix` false every k keeps all its restarts (a rows split runs one k on every thread).
 */
export function laneRanks(ranks: readonly RankJob[], mix: boolean): LaneRank[] {
  const sorted = [...ranks].sort((a, b) => b.k - a.k);
  const out: LaneRank[] = [];
  const rest: LaneItem[] = [];
  for (const r of sorted) {
    const items = r.restarts.map((restart) => ({ k: r.k, restart }));
    const keep = mix && r.k <= MIX_MAX_K ? items.length - (items.length % LANES) : items.length;
    if (keep > 0) out.push({ k: r.k, items: items.slice(0, keep) });
    rest.push(...items.slice(keep));
  }
  for (let i = 0; i < rest.length; i += LANES) {
    const items = rest.slice(i, i + LANES);
    const k = items[0]!.k;
    // After the last driver of k or larger: the mixed group starts when its largest k would.
    let at = out.length;
    while (at > 0 && out[at - 1]!.k < k) at--;
    out.splice(at, 0, { k, items });
  }
  return out;
}
