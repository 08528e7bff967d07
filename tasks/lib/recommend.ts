/**
 * The recommended number of clusters, from the real metrics of each k and those of a random-data
 * baseline (the same k factorized on a copy of A with each sample's column permuted, see
 * randomize.ts). Pure functions over metric tables: the consensus stage logs the result and the
 * report stage writes it to summary.json and the page, so both say the same.
 *
 * The rule (docs/method.md, "Choosing k"):
 *   1. For each k and each of cophenetic correlation, dispersion and silhouette (all "higher is
 *      better", at most 1), the normalized gap to random data is
 *          gap = (real - null) / (1 - null),
 *      the fraction of the distance from the random-data value to a perfect 1 that the real data
 *      covers: 0 = no better than random data, 1 = perfect. When the null value is already 1 the
 *      gap is 0 (random data do as well). Without a baseline (--null-restarts 0) null is taken as 0,
 *      so the gap is the real value itself and structure is not tested.
 *   2. score(k) = mean of the gaps that are finite numbers.
 *   3. A k is distinguishable from random data when score(k) >= STRUCTURE_MIN (0.5: more than half
 *      way from random to perfect). If none is, `no_structure` is true and no k is recommended.
 *   4. The recommended k is the distinguishable k with the highest score; scores within TIE (0.001,
 *      the page's precision) of the highest count as equal, and the largest of those k is chosen
 *      (as in Brunet's rule, where equal values are not a drop: the finer partition is as clean).
 *   5. Runner-up ks are the other distinguishable k whose score is within RUNNER_UP (0.05) of the
 *      recommended k's: nearly as far from random data, so worth a look.
 * Why not cophenetic alone: it is 1.000 for any partition that every restart reproduces, so it
 * cannot tell 4 planted groups cut into 5 from the 4 themselves, and it is far above 0 on random
 * data (about 0.55-0.75 on a shuffled ALL/AML matrix), so a high value alone does not show structure.
 */
import type { MetricsRow } from './types.js';
import { fmt, fmtDiff, fmtPair, listKs } from './format.js';

export const RULE_NAME = 'null-gap';
export const BRUNET_RULE = 'brunet-cophenetic-drop';
/** Smallest score (mean normalized gap to random data) for which a k counts as distinguishable. */
export const STRUCTURE_MIN = 0.5;
/** Scores closer than this are equal (the largest such k is chosen). */
export const TIE = 0.001;
/** Runner-up ks score within this of the recommended k. */
export const RUNNER_UP = 0.05;

/** The metrics the score is built from: bounded above by 1, higher is better. */
export const GAP_METRICS = ['cophenetic', 'dispersion', 'silhouette'] as const;
export type GapMetric = (typeof GAP_METRICS)[number];

export interface KScore {
  k: number;
  /** Mean normalized gap; NaN when no metric is available. */
  score: number;
  /** Normalized gap per metric (NaN when the metric is missing). */
  gaps: Record<GapMetric, number>;
  /** Whether a random-data baseline was available for this k. */
  baseline: boolean;
}

export interface Recommendation {
  /** null when no k is distinguishable from random data. */
  recommended_k: number | null;
  runner_up_ks: number[];
  no_structure: boolean;
  /** Whether the random-data baseline was used (false with --null-restarts 0). */
  baseline: boolean;
  scores: KScore[];
  rule: string;
  reasons: string[];
}

/** (real - null) / (1 - null); 0 when null is already 1; NaN when either is missing. */
export function normalizedGap(real: number, nul: number): number {
  if (!Number.isFinite(real) || !Number.isFinite(nul)) return NaN;
  const room = 1 - nul;
  return room <= 1e-12 ? 0 : (real - nul) / room;
}

/** Score every k (rule steps 1-2). `nulls` absent or empty: no baseline (null taken as 0). */
export function scoreKs(rows: readonly MetricsRow[], nulls?: readonly MetricsRow[]): KScore[] {
  const useBaseline = !!nulls && nulls.length > 0;
  return [...rows]
    .sort((a, b) => a.k - b.k)
    .map((r) => {
      const n = nulls?.find((x) => x.k === r.k);
      const gaps = Object.fromEntries(
        GAP_METRICS.map((m) => [m, useBaseline ? (n ? normalizedGap(r[m], n[m]) : NaN) : normalizedGap(r[m], 0)]),
      ) as Record<GapMetric, number>;
      const finite = GAP_METRICS.map((m) => gaps[m]).filter(Number.isFinite);
      const score = finite.length > 0 ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
      return { k: r.k, score, gaps, baseline: useBaseline && !!n };
    });
}

export interface RhoPoint {
  k: number;
  rho: number;
}

export interface BrunetChoice {
  k: number;
  rho: number;
  /** 'drop': rho(next) < rho(k), the first such k; 'no-drop': never decreases (largest k); 'single'. */
  kind: 'drop' | 'no-drop' | 'single';
  next?: RhoPoint;
}

/**
 * Brunet's rule (Brunet et al. 2004, PNAS 101:4164), reported beside the recommendation for
 * comparison: the k before the first strict decrease of the cophenetic correlation rho (ks sorted
 * ascending, values compared exactly, non-finite rho left out); the largest k when rho never
 * decreases; the only k when there is one. Null when no rho is finite; throws on a repeated k.
 */
export function brunetRule(points: readonly RhoPoint[]): BrunetChoice | null {
  const usable = points.filter((p) => Number.isFinite(p.rho)).sort((a, b) => a.k - b.k);
  for (let i = 1; i < usable.length; i++) {
    if (usable[i]!.k === usable[i - 1]!.k) throw new Error(`brunetRule: k=${usable[i]!.k} appears twice`);
  }
  if (usable.length === 0) return null;
  if (usable.length === 1) return { k: usable[0]!.k, rho: usable[0]!.rho, kind: 'single' };
  for (let i = 0; i + 1 < usable.length; i++) {
    const cur = usable[i]!;
    const next = usable[i + 1]!;
    if (next.rho < cur.rho) return { k: cur.k, rho: cur.rho, kind: 'drop', next: { ...next } };
  }
  const last = usable[usable.length - 1]!;
  return { k: last.k, rho: last.rho, kind: 'no-drop' };
}

function brunetReason(rows: readonly MetricsRow[], chosen: number | null): string | null {
  const b = brunetRule(rows.map((r) => ({ k: r.k, rho: r.cophenetic })));
  if (!b || b.kind === 'single') return null;
  const agree = chosen === b.k ? 'agrees' : chosen === null ? 'would give' : 'differs';
  if (b.kind === 'drop') {
    const [a, c] = fmtPair(b.rho, b.next!.rho);
    return `for comparison, Brunet's rule (the k before the first drop of the cophenetic correlation) ${agree === 'would give' ? 'would give' : agree + ':'} ` +
      `k=${b.k} (${a}, then ${c} at k=${b.next!.k}, a drop of ${fmtDiff(b.rho - b.next!.rho)}); a high cophenetic value alone does not show structure, since random data also score well above 0.`;
  }
  return `for comparison, the cophenetic correlation never decreases over the k tested, so Brunet's rule ${agree === 'would give' ? 'would give' : agree + ' and gives'} the largest k, k=${b.k}.`;
}

function gapWords(s: KScore): string {
  const parts = GAP_METRICS.filter((m) => Number.isFinite(s.gaps[m])).map((m) => `${m} ${fmt(s.gaps[m])}`);
  return parts.join(', ');
}

/**
 * Recommend k from the real metrics and, when given, the random-data baseline's (rule in the file
 * comment), and explain it in words. Throws when `rows` is empty.
 */
export function recommend(rows: readonly MetricsRow[], nulls?: readonly MetricsRow[]): Recommendation {
  if (rows.length === 0) throw new Error('recommend: no metrics rows');
  const sorted = [...rows].sort((a, b) => a.k - b.k);
  const scores = scoreKs(sorted, nulls);
  const baseline = scores.some((s) => s.baseline);
  const reasons: string[] = [];
  const untested = baseline ? scores.filter((s) => !s.baseline).map((s) => s.k) : [];
  const usable = scores.filter((s) => Number.isFinite(s.score) && (!baseline || s.baseline));
  const distinct = baseline ? usable.filter((s) => s.score >= STRUCTURE_MIN) : usable;
  let k: number | null = null;
  let runnerUps: number[] = [];
  const what = baseline ? 'normalized gap to random data' : 'mean of cophenetic, dispersion and silhouette';

  if (usable.length === 0) {
    reasons.push(`no k has a cophenetic correlation, dispersion or silhouette, so no k can be recommended.`);
  } else if (distinct.length === 0) {
    const best = usable.reduce((a, b) => (b.score > a.score ? b : a));
    reasons.push(
      `no k is distinguishable from random data: the best score (${what}) is ${fmt(best.score)} at k=${best.k}, ` +
        `below the threshold ${STRUCTURE_MIN}, so no k is recommended. The clusters at every k are about as stable as those of ` +
        `the same matrix with each sample's values shuffled; check the preprocessing (feature selection, normalization) or the data.`,
    );
  } else {
    const top = Math.max(...distinct.map((s) => s.score));
    const tied = distinct.filter((s) => s.score >= top - TIE);
    const rec = tied[tied.length - 1]!;
    k = rec.k;
    const others = tied.filter((s) => s.k !== k).map((s) => s.k);
    reasons.push(
      baseline
        ? `k=${k} is the farthest from random data: score ${fmt(rec.score)} (${what}: ${gapWords(rec)}; 0 = as random data, 1 = perfect)` +
            (others.length > 0 ? `, equal to ${listKs(others)} within ${TIE}, so the largest of them is chosen.` : '.')
        : `k=${k} has the highest score ${fmt(rec.score)} (${what}; no random-data baseline was computed)` +
            (others.length > 0 ? `, equal to ${listKs(others)} within ${TIE}, so the largest of them is chosen.` : '.'),
    );
    runnerUps = distinct
      .filter((s) => s.k !== k && s.score >= rec.score - RUNNER_UP)
      .sort((a, b) => b.score - a.score || a.k - b.k)
      .map((s) => s.k);
    if (runnerUps.length > 0) {
      const words = runnerUps.map((r) => `k=${r} (${fmt(scores.find((s) => s.k === r)!.score)})`).join(', ');
      reasons.push(`runner-up: ${words}, within ${RUNNER_UP} of k=${k}; nearly as distinct, so compare them with what is known about the samples.`);
    }
    if (baseline) {
      const below = usable.filter((s) => s.score < STRUCTURE_MIN).map((s) => s.k);
      if (below.length > 0) reasons.push(`${listKs(below)} ${below.length === 1 ? 'is' : 'are'} not distinguishable from random data (score below ${STRUCTURE_MIN}).`);
    }
  }
  if (!baseline) {
    reasons.push(
      `no random-data baseline was computed (--null-restarts 0), so whether any k differs from random data was not tested; rerun with --null-restarts 10 to test it.`,
    );
  }
  if (untested.length > 0) {
    reasons.push(`${listKs(untested)} had no random-data baseline and ${untested.length === 1 ? 'was' : 'were'} left out of the choice.`);
  }
  const b = brunetReason(sorted, k);
  if (b) reasons.push(b);
  const err = sorted.filter((r) => Number.isFinite(r.rel_error_best));
  if (err.length >= 2) {
    const a = err[0]!;
    const z = err[err.length - 1]!;
    reasons.push(
      `the best relative error ||A - WH|| / ||A|| goes from ${fmt(a.rel_error_best)} at k=${a.k} to ${fmt(z.rel_error_best)} at k=${z.k}; ` +
        `it falls as k grows on any data, so it is shown but not used for the choice.`,
    );
  }
  return {
    recommended_k: k,
    runner_up_ks: runnerUps,
    no_structure: baseline && usable.length > 0 && distinct.length === 0,
    baseline,
    scores,
    rule: RULE_NAME,
    reasons: reasons.map(capitalize),
  };
}

/** One line for batch logs, the same from the consensus and report stages. */
export function recommendationLine(r: Pick<Recommendation, 'recommended_k' | 'runner_up_ks' | 'no_structure' | 'baseline'>): string {
  if (r.no_structure) return 'no k is distinguishable from random data: no k recommended (no_structure)';
  if (r.recommended_k === null) return 'no k recommended (no metrics)';
  const ru = r.runner_up_ks.length > 0 ? `, runner-up ${listKs(r.runner_up_ks)}` : '';
  const base = r.baseline ? '' : ' (no random-data baseline: --null-restarts 0)';
  return `recommended k = ${r.recommended_k}${ru}${base}`;
}

/** Per annotation column, the k whose clusters match it best by ARI (ties: the smaller k). */
export function bestKByAnnotation(
  ari: readonly { name: string; ari: readonly number[] }[],
  ks: readonly number[],
): Record<string, { k: number; ari: number }> {
  const out: Record<string, { k: number; ari: number }> = {};
  for (const a of ari) {
    let best = -1;
    a.ari.forEach((v, i) => {
      if (Number.isFinite(v) && (best < 0 || v > a.ari[best]!)) best = i;
    });
    if (best >= 0) out[a.name] = { k: ks[best]!, ari: a.ari[best]! };
  }
  return out;
}

/** Sentence case, except a leading "k=" (a symbol, kept lower case). */
function capitalize(s: string): string {
  return s.length > 0 && !s.startsWith('k=') ? s[0]!.toUpperCase() + s.slice(1) : s;
}
