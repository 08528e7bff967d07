/**
 * Metagenes of a k: the W of its best restart, each factor labelled by the consensus cluster it is
 * matched to (metrics/assignment.ts), each feature scored for specificity (Kim & Park, as R NMF's
 * featureScore / extractFeatures, metrics/feature-score.ts), with its gene symbol and a flag for
 * control probes. The consensus stage writes this table as metagenes.k<k>.tsv; the report reads it
 * back and lists the top features of each cluster.
 */
import { extractFeatures } from './metrics/feature-score.js';

/** metagenes.k<k>.tsv columns before the per-cluster weights `cluster_1..cluster_k`. */
export const METAGENE_COLUMNS = ['id', 'symbol', 'control_probe', 'cluster', 'factor', 'score', 'selected'] as const;

export interface MetageneRow {
  id: string;
  /** Gene symbol (GCT description, features.tsv 2nd column, .h5ad var column); '' when none. */
  symbol: string;
  /** Affymetrix control probe (id starts with AFFX-): hybridization/housekeeping controls, not biology. */
  control: boolean;
  /** The consensus cluster (1..k) whose factor holds this feature's largest weight. */
  cluster: number;
  /** That factor's number (1..k) in the best restart's W (best_W.npy). */
  factor: number;
  /** Kim & Park specificity score, 0 (equal on all factors) .. 1 (on one factor only). */
  score: number;
  /** Passes both of R NMF extractFeatures' criteria (score >= median + 3 MAD, weight >= median of W). */
  selected: boolean;
  /** Raw weight in W, by cluster 1..k (index c - 1 holds the factor matched to cluster c). */
  weights: number[];
}

/** Descriptions that mean "no symbol" in GCT files (GenePattern writes "na"). */
const NO_SYMBOL = new Set(['', 'na', 'n/a', 'nan', 'none', '-']);

export function isControlProbe(id: string): boolean {
  return /^AFFX-/i.test(id);
}

export function symbolOf(description: string | undefined): string {
  const d = (description ?? '').trim();
  return NO_SYMBOL.has(d.toLowerCase()) ? '' : d;
}

/**
 * Rows of the metagene table. W: m x k row-major (best restart); factorOfCluster[c]: 0-based factor
 * matched to cluster c + 1.
 */
export function metageneRows(
  ids: readonly string[],
  descriptions: readonly string[],
  W: ArrayLike<number>,
  k: number,
  factorOfCluster: readonly number[],
): MetageneRow[] {
  const m = ids.length;
  if (W.length !== m * k) throw new Error(`metageneRows: W has ${W.length} values, expected ${m} x ${k}`);
  const clusterOfFactor = new Array<number>(k);
  factorOfCluster.forEach((f, c) => (clusterOfFactor[f] = c + 1));
  const sel = extractFeatures(W, m, k);
  return ids.map((id, i) => ({
    id,
    symbol: symbolOf(descriptions[i]),
    control: isControlProbe(id),
    cluster: clusterOfFactor[sel.factor[i]!]!,
    factor: sel.factor[i]! + 1,
    score: sel.score[i]!,
    selected: sel.selected[i] === 1,
    weights: factorOfCluster.map((f) => W[i * k + f]!),
  }));
}

/** Header and cells for writeTsv. */
export function metageneTable(rows: readonly MetageneRow[], k: number): { header: string[]; cells: (string | number)[][] } {
  const header = [...METAGENE_COLUMNS, ...Array.from({ length: k }, (_, c) => `cluster_${c + 1}`)];
  const cells = rows.map((r) => [r.id, r.symbol, r.control ? 1 : 0, r.cluster, r.factor, r.score, r.selected ? 1 : 0, ...r.weights]);
  return { header, cells };
}

/** Parse metagenes.k<k>.tsv back (header and string cells, as readTsv gives them). */
export function parseMetageneTable(header: readonly string[], rows: readonly (readonly string[])[], k: number, where: string): MetageneRow[] {
  const want = metageneTable([], k).header;
  if (header.join('\t') !== want.join('\t')) {
    throw new Error(`${where}: header is "${header.join(' ')}", expected "${want.join(' ')}"`);
  }
  return rows.map((r) => ({
    id: r[0] ?? '',
    symbol: r[1] ?? '',
    control: r[2] === '1',
    cluster: Number(r[3]),
    factor: Number(r[4]),
    score: Number(r[5]),
    selected: r[6] === '1',
    weights: Array.from({ length: k }, (_, c) => Number(r[7 + c])),
  }));
}

/**
 * The top `count` features of each cluster 1..k: those whose largest weight is on that cluster's
 * factor and at least the median weight of W (R's second criterion, so tiny specific weights do not
 * crowd the list), by decreasing score, then decreasing weight, then input order.
 */
export function topByCluster(rows: readonly MetageneRow[], k: number, count: number): MetageneRow[][] {
  const all = rows.flatMap((r) => r.weights).sort((a, b) => a - b);
  const h = all.length >> 1;
  const medW = all.length === 0 ? 0 : all.length % 2 ? all[h]! : (all[h - 1]! + all[h]!) / 2;
  return Array.from({ length: k }, (_, c) => {
    const mine = rows
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.cluster === c + 1 && r.weights[c]! >= medW)
      .sort((a, b) => b.r.score - a.r.score || b.r.weights[c]! - a.r.weights[c]! || a.i - b.i);
    return mine.slice(0, count).map(({ r }) => r);
  });
}

/** The best fit's own membership (argmax of H per sample), in consensus cluster numbers. */
export function bestFitMembership(factorLabels: ArrayLike<number>, factorOfCluster: readonly number[]): number[] {
  const clusterOfFactor = new Array<number>(factorOfCluster.length);
  factorOfCluster.forEach((f, c) => (clusterOfFactor[f] = c + 1));
  return Array.from(factorLabels, (f) => clusterOfFactor[f]!);
}
