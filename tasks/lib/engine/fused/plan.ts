/**
 * Which restarts each lane driver (lanes.ts) runs. Every k's restarts run L to a SIMD group (L = 4 or
 * 8 lanes, fused/kernel.ts); the last R mod L restarts of each k would leave lanes empty for their
 * whole life when every restart runs the same iterations (W2: 5 restarts per k is a full group and a group with one lane in use, at the
 * cost of a full group). So those remainders of all k are packed together, largest k first, L to a
 * group of the largest k among them: a restart of a smaller k rides with its extra components at 0,
 * and its numbers are those it gets in a group of its own k (lanes.ts, LaneItem). Only k up to
 * MIX_MAX_K mix: the unrolled kernels (k = 2..8, assembly/generate.mjs) sum in one order for every k,
 * the generic loop for k >= 9 in another.
 */
import type { RankJob } from '../types.js';
import type { LaneItem } from './lanes.js';

/** The largest k with an unrolled kernel (MAX_K in assembly/generate.mjs). */
export const MIX_MAX_K = 8;

/** One lane driver's work: restarts of k at most `k` (all of k `k` unless mixed). */
export interface LaneRank {
  k: number;
  items: LaneItem[];
}

/**
 * The drivers for `ranks`, in their order (the pool passes them largest k first; one thread keeps the
 * stage's order), a mixed group right after the drivers of its largest k. With `mix` false every k
 * keeps all its restarts (a rows split runs one k on every thread). `lanes`: restarts per group.
 */
export function laneRanks(ranks: readonly RankJob[], mix: boolean, lanes: number): LaneRank[] {
  // `at`: position in `ranks` (a mixed group: that of its largest k, plus one half).
  const out: { at: number; rank: LaneRank }[] = [];
  const rest: { at: number; item: LaneItem }[] = [];
  ranks.forEach((r, at) => {
    const items = r.restarts.map((restart) => ({ k: r.k, restart }));
    const keep = mix && r.k <= MIX_MAX_K ? items.length - (items.length % lanes) : items.length;
    if (keep > 0) out.push({ at, rank: { k: r.k, items: items.slice(0, keep) } });
    for (const item of items.slice(keep)) rest.push({ at, item });
  });
  rest.sort((a, b) => b.item.k - a.item.k);
  for (let i = 0; i < rest.length; i += lanes) {
    const group = rest.slice(i, i + lanes);
    out.push({ at: group[0]!.at + 0.5, rank: { k: group[0]!.item.k, items: group.map((g) => g.item) } });
  }
  return out.sort((a, b) => a.at - b.at).map((o) => o.rank);
}
