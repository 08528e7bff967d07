/**
 * The recommended number of clusters (DESIGN section 3): Brunet's rule on the cophenetic correlation,
 * with the other metrics reported beside it, in words, where they agree or disagree.
 */
import type { MetricsRow } from '../lib/types.js';
import { fmt, fmtDiff, fmtPair, listKs } from './format.js';

export const BRUNET_RULE = 'brunet-cophenetic-drop';

export interface RhoPoint {
  k: number;
  rho: number;
}

export interface BrunetChoice {
  /** The chosen k. */
  k: number;
  /** rho at the chosen k. */
  rho: number;
  /**
   * 'drop': rho(next) < rho(k), the first such k; 'no-drop': rho never decreases over the k tested
   * (the largest k is chosen); 'single': only one k with a usable rho.
   */
  kind: 'drop' | 'no-drop' | 'single';
  /** The next k tested and its rho (kind 'drop' only). */
  next?: RhoPoint;
}

/**
 * Brunet's rule (Brunet et al. 2004, PNAS 101:4164; R NMF and GenePattern use the same reading):
 * with the tested k sorted ascending, k_1 < k_2 < ... < k_m, and rho the cophenetic correlation,
 * choose the first k_i such that rho(k_{i+1}) < rho(k_i), i.e. the largest k before the first
 * decrease of rho.
 *
 * - Values are compared exactly, without tolerance: equal rho (a tie) is not a drop, and any strict
 *   decrease, however small, is one.
 * - If rho never decreases, the choice is the largest k tested (kind 'no-drop'); the first drop may
 *   lie beyond the range, so a wider range should be tried.
 * - With a single k, that k (kind 'single').
 * - Points whose rho is not a finite number are left out: they can neither be chosen nor be a drop.
 *
 * Returns null when no point has a finite rho. Throws on a repeated k. Pure: `points` is not modified.
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

export interface Recommendation {
  recommended_k: number;
  rule: string;
  reasons: string[];
}

type Metric = 'silhouette' | 'pac' | 'dispersion' | 'stability_mean';

const OTHER_METRICS: readonly { key: Metric; name: string; better: 'higher' | 'lower' }[] = [
  { key: 'silhouette', name: 'silhouette', better: 'higher' },
  { key: 'pac', name: 'PAC (proportion of ambiguous clustering)', better: 'lower' },
  { key: 'dispersion', name: 'dispersion', better: 'higher' },
  { key: 'stability_mean', name: 'factor stability (mean)', better: 'higher' },
];

/** The sentence for one secondary metric: where it is best, and whether that agrees with `chosen`. */
function otherMetricReason(
  rows: readonly MetricsRow[],
  chosen: number,
  m: (typeof OTHER_METRICS)[number],
): string | null {
  const finite = rows.filter((r) => Number.isFinite(r[m.key]));
  if (finite.length < 2) return null;
  const values = finite.map((r) => r[m.key]);
  const best = m.better === 'higher' ? Math.max(...values) : Math.min(...values);
  const bestKs = finite.filter((r) => r[m.key] === best).map((r) => r.k);
  const superlative = m.better === 'higher' ? 'highest' : 'lowest';
  const atChosen = finite.find((r) => r.k === chosen);
  if (bestKs.includes(chosen)) {
    const also = bestKs.length > 1 ? `, tied with ${listKs(bestKs.filter((k) => k !== chosen))}` : '';
    return `${m.name} agrees: it is ${superlative} at k=${chosen} (${fmt(best)}${also}).`;
  }
  if (!atChosen) {
    return `${m.name} is ${superlative} at ${listKs(bestKs)} (${fmt(best)}) and not available at k=${chosen}.`;
  }
  const [b, c] = fmtPair(best, atChosen[m.key]);
  return `${m.name} disagrees: it is ${superlative} at ${listKs(bestKs)} (${b}), against ${c} at k=${chosen}.`;
}

/**
 * Recommend k by Brunet's rule (`brunetRule` on the `cophenetic` column) and explain it in words,
 * with where silhouette, PAC, dispersion and factor stability agree or disagree.
 * Throws when `rows` is empty. When no k has a finite cophenetic correlation, the smallest k is
 * returned and the reasons say that the rule could not be applied.
 */
export function recommend(rows: readonly MetricsRow[]): Recommendation {
  if (rows.length === 0) throw new Error('recommend: no metrics rows');
  const sorted = [...rows].sort((a, b) => a.k - b.k);
  const choice = brunetRule(sorted.map((r) => ({ k: r.k, rho: r.cophenetic })));
  const reasons: string[] = [];
  let k: number;
  const rule = `Brunet et al. 2004: choose the k before the first drop of the cophenetic correlation; values are compared exactly, so equal values are not a drop`;
  if (choice === null) {
    k = sorted[0]!.k;
    reasons.push(
      `the cophenetic correlation is not available at any k, so Brunet's rule cannot be applied; ` +
        `k=${k}, the smallest k tested, is reported as a placeholder, not a recommendation.`,
    );
  } else if (choice.kind === 'drop') {
    k = choice.k;
    const next = choice.next!;
    const [a, b] = fmtPair(choice.rho, next.rho);
    const by = fmtDiff(choice.rho - next.rho);
    reasons.push(
      `cophenetic correlation is ${a} at k=${k} and drops by ${by} to ${b} at k=${next.k} (${rule}).`,
    );
  } else if (choice.kind === 'no-drop') {
    k = choice.k;
    const usable = sorted.filter((r) => Number.isFinite(r.cophenetic));
    const first = usable[0]!;
    const [a, b] = fmtPair(first.cophenetic, choice.rho);
    reasons.push(
      `cophenetic correlation never decreases from k=${first.k} to k=${k} (${a} to ${b}), so Brunet's rule ` +
        `gives the largest k tested, k=${k}; the first drop may lie beyond it: rerun with a wider range ` +
        `(e.g. --ks ${first.k}-${k + 3}) to confirm (${rule}).`,
    );
  } else {
    k = choice.k;
    reasons.push(
      `only k=${k} has a cophenetic correlation (${fmt(choice.rho)}), so it is reported by default; ` +
        `Brunet's rule needs a range of k (e.g. --ks 2-6) to find the first drop.`,
    );
  }
  if (choice !== null) {
    const usable = sorted.filter((r) => Number.isFinite(r.cophenetic) && r.k <= k);
    const ties: string[] = [];
    for (let i = 1; i < usable.length; i++) {
      if (usable[i]!.cophenetic === usable[i - 1]!.cophenetic) {
        ties.push(`k=${usable[i - 1]!.k} and k=${usable[i]!.k} (${fmt(usable[i]!.cophenetic)})`);
      }
    }
    if (ties.length > 0) {
      reasons.push(`cophenetic correlation is equal at ${ties.join(', ')}; a tie is not counted as a drop.`);
    }
    const missing = sorted.filter((r) => !Number.isFinite(r.cophenetic)).map((r) => r.k);
    if (missing.length > 0) {
      reasons.push(`cophenetic correlation is not available at ${listKs(missing)}, which was left out of the rule.`);
    }
  }
  for (const m of OTHER_METRICS) {
    const s = otherMetricReason(sorted, k, m);
    if (s) reasons.push(s);
  }
  const err = sorted.filter((r) => Number.isFinite(r.rel_error_best));
  if (err.length >= 2) {
    const a = err[0]!;
    const b = err[err.length - 1]!;
    reasons.push(
      `the best relative error ||A - WH|| / ||A|| goes from ${fmt(a.rel_error_best)} at k=${a.k} to ` +
        `${fmt(b.rel_error_best)} at k=${b.k}; it tends to fall as k grows, so it is shown but not used for the choice.`,
    );
  }
  return { recommended_k: k, rule: BRUNET_RULE, reasons: reasons.map(capitalize) };
}

function capitalize(s: string): string {
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}
