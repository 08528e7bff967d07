/**
 * `linkage`: average-linkage (R hclust port) time on consensus-like dissimilarities D = 1 - C, where C
 * is built from R synthetic restarts around a planted k-cluster truth. Real consensus matrices are
 * full of ties (multiples of 1/R) and of near-block structure, which is what makes a naive UPGMA
 * cubic; random distances would not exercise that. Only `averageLinkage` is timed (as
 * tasks/consensus/metrics.ts calls it), not building C or D. Per n, the minimum of `repeats` runs is
 * kept: on a shared machine noise only ever adds time.
 */
import { consensusFromLabels } from '../../tasks/lib/metrics/consensus.js';
import { averageLinkage } from '../../tasks/lib/metrics/hclust.js';
import { timeIt, round } from '../measure.js';
import { num, numList } from '../params.js';
import { mulberry32, randInt } from '../prng.js';
import type { CaseRow, Outcome, Params, Workload } from '../types.js';

/** Acceptance from the linkage issue: time may grow at most this much per doubling of n. */
export const MAX_RATIO_PER_DOUBLING = 5;

/** Restart-major labels: each restart keeps the planted label with probability `keep`, else a uniform one. */
export function syntheticLabels(n: number, k: number, R: number, keep: number, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  const truth = new Uint8Array(n);
  for (let i = 0; i < n; i++) truth[i] = randInt(rand, k);
  const labels = new Uint8Array(R * n);
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < n; i++) labels[r * n + i] = rand() < keep ? truth[i]! : randInt(rand, k);
  }
  return labels;
}

/** D = 1 - consensus, full n*n (row-major), as the consensus stage hands it to averageLinkage. */
export function consensusDistance(n: number, k: number, R: number, keep: number, seed: number): Float64Array {
  const D = consensusFromLabels(syntheticLabels(n, k, R, keep, seed), R, n);
  for (let q = 0; q < D.length; q++) D[q] = 1 - D[q]!;
  return D;
}

/** Add ratio t(n)/t(prev n) where n is exactly twice the previous n, and the fitted exponent. */
export function growthRows(times: { n: number; seconds: number }[]): CaseRow[] {
  const sorted = [...times].sort((a, b) => a.n - b.n);
  return sorted.map((t, i) => {
    const prev = i > 0 ? sorted[i - 1]! : undefined;
    const ratio = prev && prev.n * 2 === t.n ? t.seconds / prev.seconds : null;
    // exponent e in t ~ n^e between consecutive sizes (2 = quadratic, 3 = cubic)
    const exponent = prev ? Math.log(t.seconds / prev.seconds) / Math.log(t.n / prev.n) : null;
    return {
      n: t.n,
      seconds: round(t.seconds, 4),
      ratio_per_doubling: ratio === null ? null : round(ratio, 2),
      exponent: exponent === null ? null : round(exponent, 2),
    };
  });
}

async function run(p: Params): Promise<Outcome> {
  const ns = numList(p, 'ns');
  const k = num(p, 'k');
  const R = num(p, 'restarts');
  const keep = num(p, 'keep');
  const seed = num(p, 'seed');
  const repeats = Math.max(1, num(p, 'repeats'));
  const t0 = process.hrtime.bigint();
  const times: { n: number; seconds: number }[] = [];
  for (const n of ns) {
    const D = consensusDistance(n, k, R, keep, seed + n);
    let best = Infinity;
    for (let rep = 0; rep < repeats; rep++) {
      const { seconds, value: tree } = await timeIt(() => averageLinkage(D, n));
      if (tree.order.length !== n) throw new Error(`linkage: tree of ${tree.order.length} leaves for n = ${n}`);
      best = Math.min(best, seconds);
    }
    process.stderr.write(`  linkage n=${n}: ${best.toFixed(3)} s (min of ${repeats})\n`);
    times.push({ n, seconds: best });
  }
  const cases = growthRows(times);
  const ratios = cases.map((c) => c.ratio_per_doubling).filter((r): r is number => typeof r === 'number');
  const notes = ratios.length > 0
    ? [`largest ratio per doubling ${Math.max(...ratios).toFixed(2)} (issue acceptance: at most ${MAX_RATIO_PER_DOUBLING}, i.e. quadratic not cubic; informational, not asserted)`]
    : [];
  return {
    wall_s: Number(process.hrtime.bigint() - t0) / 1e9,
    iterations: null,
    per_iteration_ms: null,
    backend: 'host-js',
    cases,
    notes,
  };
}

export const linkage: Workload = {
  name: 'linkage',
  description: 'averageLinkage (R hclust port) on D = 1 - C, C from 50 synthetic restarts of a planted k = 5 truth (label kept w.p. 0.8); seconds per n = min over repeats; wall_s = whole workload incl. building C',
  params: { ns: [2000, 4000, 8000], k: 5, restarts: 50, keep: 0.8, seed: 20240601, repeats: 3 },
  quickParams: { ns: [1000, 2000], k: 5, restarts: 50, keep: 0.8, seed: 20240601, repeats: 1 },
  run,
};
