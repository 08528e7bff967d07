/**
 * Preprocess transforms (docs/design.md section 3, and issue 4), applied in this order:
 *
 *   1. negatives            --negatives error|clamp|shift (always; also checks every value is finite)
 *   2. drop-all-zero        rows (features) and columns (samples) whose values are all zero (always)
 *   3. filter-samples       --min-features-per-sample N: keep a sample nonzero in >= N features
 *   4. filter-features      --min-samples-per-feature N: keep a feature nonzero in >= N of the kept samples
 *   5. normalize            --normalize cp10k|tpm|log1p: per-sample scaling (and log1p)
 *   6. features-file        --features-file FILE: keep the listed features
 *   7. top-features         --top-features N --top-features-by variance|cv|fano
 *   8. scale-features       --scale-features: divide each feature by its standard deviation
 *   9. drop-all-zero-final  rows/columns that steps 3-8 left all zero (only when one of them ran)
 *
 * Steps 3-8 are off by default and are recorded only when they run. Each returns a `PreprocessStep`
 * for preprocess.json and lists every row/column it dropped (by id, 0-based index in the input
 * matrix, reason and, where there is one, the value that decided it).
 *
 * Values keep the reader's element type (float64 from text readers; float32 from the MTX/HDF5
 * readers when preprocess asks for it); statistics (sums, means, variances) are computed in float64.
 * Without `inPlace` the transforms are pure: the input matrix is never modified and a changed matrix
 * has its own array. With `inPlace` (the preprocess command, which owns what the reader returned) they
 * overwrite the input's array instead of allocating a second one, so peak memory stays near one dense
 * copy.
 *
 * Locations: a matrix from the readers carries `source` (file line of each row, file column of each
 * sample), so errors name "FILE line L, column C"; transforms that drop rows/columns subset `source`
 * so later errors still point at the right place.
 */
import { inputError } from '../lib/errors.js';
import type { LabelledMatrix } from '../lib/types.js';
import { cellLocation, quoteText, type MatrixSource, type SourcedMatrix } from '../lib/io/text.js';

import type { DroppedItem, FeatureScore, NegativesPolicy, Normalization, PreprocessStep } from '../lib/manifest/preprocess.js';
// The types are recorded in preprocess.json, so they live with its manifest (tasks/lib/manifest).
export type { DroppedItem, FeatureScore, NegativesPolicy, Normalization, PreprocessStep };

export const NEGATIVES_POLICIES: readonly NegativesPolicy[] = ['error', 'clamp', 'shift'];
export const NORMALIZATIONS: readonly Normalization[] = ['none', 'cp10k', 'tpm', 'log1p'];
export const FEATURE_SCORES: readonly FeatureScore[] = ['variance', 'cv', 'fano'];

export type Values = Float64Array | Float32Array;

/** A matrix with labels, (optionally) source locations and each row's/column's index in the input. */
export interface TransformedMatrix extends LabelledMatrix {
  data: Values;
  source?: MatrixSource;
  /** 0-based index in the input matrix of each row; absent: row i is input row i. */
  rowIndex?: Int32Array;
  /** 0-based index in the input matrix of each column; absent: column j is input column j. */
  colIndex?: Int32Array;
}

export interface TransformResult {
  matrix: TransformedMatrix;
  steps: PreprocessStep[];
  dropped: DroppedItem[];
}

/** A list of feature ids to keep (--features-file), as read by `readFeatureList`. */
export interface FeatureList {
  path: string;
  sha256: string;
  ids: string[];
}

export interface PreprocessOptions {
  negatives: NegativesPolicy;
  /** Keep a feature only when it is nonzero in at least this many samples (0 = off). */
  minSamplesPerFeature?: number;
  /** Keep a sample only when it is nonzero in at least this many features (0 = off). */
  minFeaturesPerSample?: number;
  normalize?: Normalization;
  featureList?: FeatureList;
  /** Keep the N features with the highest score (0 = off). */
  topFeatures?: number;
  topFeaturesBy?: FeatureScore;
  scaleFeatures?: boolean;
  /** Overwrite the input's array instead of allocating new ones (the caller gives the matrix up). */
  inPlace?: boolean;
}

function checkShape(m: SourcedMatrix): void {
  if (m.data.length !== m.rows * m.cols || m.rowIds.length !== m.rows || m.colIds.length !== m.cols) {
    throw new RangeError(`preprocess: matrix shape ${m.rows} x ${m.cols} does not match its data or labels`);
  }
}

function allocLike(a: Values, n: number): Values {
  return a instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

const rowOf = (m: TransformedMatrix, i: number): number => (m.rowIndex ? m.rowIndex[i]! : i);
const colOf = (m: TransformedMatrix, j: number): number => (m.colIndex ? m.colIndex[j]! : j);
const where = (m: SourcedMatrix): string => (m.source ? m.source.path : 'input matrix');

/**
 * Keep rows `keepRows` and columns `keepCols` (ascending indices; null = all). In place, rows are
 * moved forward within the same array (every target position is at or before its source).
 */
export function subsetMatrix(m: TransformedMatrix, keepRows: ArrayLike<number> | null, keepCols: ArrayLike<number> | null, inPlace = false): TransformedMatrix {
  const { rows, cols } = m;
  const nr = keepRows ? keepRows.length : rows;
  const nc = keepCols ? keepCols.length : cols;
  if (nr === rows && nc === cols) return m;
  const a = m.data;
  const out = inPlace ? a : allocLike(a, nr * nc);
  for (let ii = 0; ii < nr; ii++) {
    const src = (keepRows ? keepRows[ii]! : ii) * cols;
    const dst = ii * nc;
    if (!keepCols || nc === cols) {
      if (inPlace) {
        if (src !== dst) out.copyWithin(dst, src, src + cols);
      } else out.set(a.subarray(src, src + cols), dst);
    } else {
      for (let jj = 0; jj < nc; jj++) out[dst + jj] = a[src + keepCols[jj]!]!;
    }
  }
  const n = nr * nc;
  // In place, a much smaller result gets its own array so the large one can be freed.
  const data = !inPlace ? out : n < out.length / 2 ? out.slice(0, n) : out.subarray(0, n);
  const pickRows = <T>(xs: ArrayLike<T>): T[] => (keepRows ? Array.from({ length: nr }, (_, ii) => xs[keepRows[ii]!]!) : Array.from(xs));
  const pickCols = <T>(xs: ArrayLike<T>): T[] => (keepCols ? Array.from({ length: nc }, (_, jj) => xs[keepCols[jj]!]!) : Array.from(xs));
  const rowIndex = Int32Array.from({ length: nr }, (_, ii) => rowOf(m, keepRows ? keepRows[ii]! : ii));
  const colIndex = Int32Array.from({ length: nc }, (_, jj) => colOf(m, keepCols ? keepCols[jj]! : jj));
  const result: TransformedMatrix = {
    rows: nr,
    cols: nc,
    data,
    rowIds: pickRows(m.rowIds),
    rowDescriptions: keepRows ? Array.from({ length: nr }, (_, ii) => m.rowDescriptions[keepRows[ii]!] ?? '') : m.rowDescriptions.slice(),
    colIds: pickCols(m.colIds),
    rowIndex,
    colIndex,
  };
  if (m.source) {
    const s = m.source;
    result.source = { ...s, rowLines: Int32Array.from(pickRows(s.rowLines)), colColumns: Int32Array.from(pickCols(s.colColumns)) };
  }
  return result;
}

/**
 * Apply the negatives policy (and check every value is finite).
 * - `error`: throw `inputError` (exit 3) at the first negative value in file order (row-major), naming
 *   its file line and column, feature and sample, and how many values are negative.
 * - `clamp`: x -> max(0, x); the step records how many values were clamped.
 * - `shift`: x -> x - min(A) when min(A) < 0; the step records the shift.
 * A matrix without negative values is returned unchanged (the step still records the policy).
 */
export function applyNegativesPolicy(m: SourcedMatrix, policy: NegativesPolicy, inPlace = false): { matrix: TransformedMatrix; step: PreprocessStep } {
  if (!NEGATIVES_POLICIES.includes(policy)) {
    throw new RangeError(`preprocess: unknown negatives policy ${JSON.stringify(policy)}`);
  }
  checkShape(m);
  const a = m.data;
  const n = a.length;
  let negatives = 0;
  let first = -1;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    if (!(v - v === 0)) {
      const r = Math.floor(i / m.cols);
      const c = i % m.cols;
      throw inputError(
        cellLocation(m, r, c),
        `the value ${String(v)} in sample ${quoteText(m.colIds[c]!)} (feature ${quoteText(m.rowIds[r]!)}) is not finite`,
        'impute the missing values or drop that row (feature) before running',
      );
    }
    if (v < 0) {
      if (first < 0) first = i;
      negatives++;
      if (v < min) min = v;
    }
  }
  const detail: Record<string, unknown> = { policy, negative_values: negatives };
  if (negatives === 0) {
    if (policy === 'clamp') detail.clamped = 0;
    if (policy === 'shift') detail.shift = 0;
    return { matrix: m as TransformedMatrix, step: { step: 'negatives', detail } };
  }
  detail.min = min;
  if (policy === 'error') {
    const r = Math.floor(first / m.cols);
    const c = first % m.cols;
    const others = negatives === 1 ? 'it is the only negative value' : `${negatives} of the ${n} values are negative`;
    throw inputError(
      cellLocation(m, r, c),
      `the value ${String(a[first])} in sample ${quoteText(m.colIds[c]!)} (feature ${quoteText(m.rowIds[r]!)}) is negative and NMF needs non-negative data (${others})`,
      'pass --negatives clamp to set negative values to 0, or --negatives shift to subtract the global minimum from every value, or transform the data before running',
    );
  }
  const out = inPlace ? a : allocLike(a, n);
  if (policy === 'clamp') {
    for (let i = 0; i < n; i++) {
      const v = a[i]!;
      out[i] = v < 0 ? 0 : v;
    }
    detail.clamped = negatives;
  } else {
    for (let i = 0; i < n; i++) out[i] = a[i]! - min;
    detail.shift = -min;
  }
  return { matrix: { ...m, data: out }, step: { step: 'negatives', detail } };
}

/** Nonzero count of every row and every column. */
function nonzeroCounts(m: TransformedMatrix): { perRow: Int32Array; perCol: Int32Array } {
  const { rows, cols } = m;
  const a = m.data;
  const perRow = new Int32Array(rows);
  const perCol = new Int32Array(cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let c = 0;
    for (let j = 0; j < cols; j++) {
      if (a[off + j] !== 0) {
        c++;
        perCol[j]!++;
      }
    }
    perRow[i] = c;
  }
  return { perRow, perCol };
}

function subsetDetail(before: TransformedMatrix, after: TransformedMatrix): Record<string, number> {
  return {
    rows_before: before.rows,
    columns_before: before.cols,
    rows_dropped: before.rows - after.rows,
    columns_dropped: before.cols - after.cols,
    rows_after: after.rows,
    columns_after: after.cols,
  };
}

/**
 * Drop rows (features) and columns (samples) whose values are all zero (they make the KL updates
 * undefined). Throws `inputError` when nothing would be left. `reason` is what the dropped entries
 * say ('all-zero' for the input; 'all-zero-after-preprocessing' for the final pass).
 */
export function dropAllZero(m: SourcedMatrix, inPlace = false, reason = 'all-zero'): { matrix: TransformedMatrix; step: PreprocessStep; dropped: DroppedItem[] } {
  checkShape(m);
  const t = m as TransformedMatrix;
  const { rows, cols } = t;
  const { perRow, perCol } = nonzeroCounts(t);
  const keepRows: number[] = [];
  const keepCols: number[] = [];
  const dropped: DroppedItem[] = [];
  for (let i = 0; i < rows; i++) {
    if (perRow[i]! > 0) keepRows.push(i);
    else dropped.push({ axis: 'row', id: t.rowIds[i]!, index: rowOf(t, i), reason });
  }
  for (let j = 0; j < cols; j++) {
    if (perCol[j]! > 0) keepCols.push(j);
    else dropped.push({ axis: 'column', id: t.colIds[j]!, index: colOf(t, j), reason });
  }
  if (keepRows.length === 0 || keepCols.length === 0) {
    const after = reason === 'all-zero' ? '' : ' after the preprocessing steps';
    throw inputError(
      where(m),
      `every ${keepRows.length === 0 ? 'row (feature)' : 'column (sample)'} of the ${rows} x ${cols} matrix is all zero${after}, so nothing is left after dropping all-zero rows and columns`,
      reason === 'all-zero'
        ? 'check that the right file was passed and that its values were not all zeroed'
        : 'relax the filters (--min-samples-per-feature, --min-features-per-sample, --features-file, --top-features)',
    );
  }
  const matrix = subsetMatrix(t, keepRows.length === rows ? null : keepRows, keepCols.length === cols ? null : keepCols, inPlace);
  return { matrix, step: { step: reason === 'all-zero' ? 'drop-all-zero' : 'drop-all-zero-final', detail: subsetDetail(t, matrix) }, dropped };
}

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`preprocess: ${name} must be a non-negative integer, got ${n}`);
}

/**
 * Keep a sample (column) only when it is nonzero in at least `min` features (scanpy
 * `filter_cells(min_genes=...)`). Dropped samples are listed with their nonzero count.
 */
export function filterSamples(m: TransformedMatrix, min: number, inPlace = false): { matrix: TransformedMatrix; step: PreprocessStep; dropped: DroppedItem[] } {
  checkCount('min_features_per_sample', min);
  const { perCol } = nonzeroCounts(m);
  const keep: number[] = [];
  const dropped: DroppedItem[] = [];
  let most = 0;
  for (let j = 0; j < m.cols; j++) {
    const c = perCol[j]!;
    if (c > most) most = c;
    if (c >= min) keep.push(j);
    else dropped.push({ axis: 'column', id: m.colIds[j]!, index: colOf(m, j), reason: 'min-features-per-sample', value: c });
  }
  if (keep.length === 0) {
    throw inputError(
      where(m),
      `every one of the ${m.cols} samples is nonzero in fewer than ${min} features (the most is ${most}), so --min-features-per-sample ${min} leaves no samples`,
      `lower --min-features-per-sample (${most} keeps at least one sample)`,
    );
  }
  const matrix = subsetMatrix(m, null, keep.length === m.cols ? null : keep, inPlace);
  return { matrix, step: { step: 'filter-samples', detail: { min_features_per_sample: min, ...subsetDetail(m, matrix) } }, dropped };
}

/**
 * Keep a feature (row) only when it is nonzero in at least `min` samples (scanpy
 * `filter_genes(min_cells=...)`). Dropped features are listed with their nonzero count.
 */
export function filterFeatures(m: TransformedMatrix, min: number, inPlace = false): { matrix: TransformedMatrix; step: PreprocessStep; dropped: DroppedItem[] } {
  checkCount('min_samples_per_feature', min);
  const { perRow } = nonzeroCounts(m);
  const keep: number[] = [];
  const dropped: DroppedItem[] = [];
  let most = 0;
  for (let i = 0; i < m.rows; i++) {
    const c = perRow[i]!;
    if (c > most) most = c;
    if (c >= min) keep.push(i);
    else dropped.push({ axis: 'row', id: m.rowIds[i]!, index: rowOf(m, i), reason: 'min-samples-per-feature', value: c });
  }
  if (keep.length === 0) {
    throw inputError(
      where(m),
      `every one of the ${m.rows} features is nonzero in fewer than ${min} samples (the most is ${most}), so --min-samples-per-feature ${min} leaves no features`,
      `lower --min-samples-per-feature (${most} keeps at least one feature)`,
    );
  }
  const matrix = subsetMatrix(m, keep.length === m.rows ? null : keep, null, inPlace);
  return { matrix, step: { step: 'filter-features', detail: { min_samples_per_feature: min, ...subsetDetail(m, matrix) } }, dropped };
}

function median(xs: Float64Array): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/**
 * Per-sample normalization (see `Normalization`). A sample whose sum is 0 stays 0 (the final
 * all-zero pass drops it). The step records the target sum and the sample sums before scaling.
 */
export function normalizeSamples(m: TransformedMatrix, method: Normalization, inPlace = false): { matrix: TransformedMatrix; step: PreprocessStep } {
  if (!NORMALIZATIONS.includes(method)) throw new RangeError(`preprocess: unknown normalization ${JSON.stringify(method)}`);
  const { rows, cols } = m;
  const a = m.data;
  const sums = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) sums[j]! += a[off + j]!;
  }
  const target = method === 'tpm' ? 1e6 : 1e4;
  const factor = new Float64Array(cols);
  let zeroSum = 0;
  for (let j = 0; j < cols; j++) {
    if (sums[j]! > 0) factor[j] = target / sums[j]!;
    else zeroSum++;
  }
  const out = inPlace ? a : allocLike(a, a.length);
  const log = method === 'log1p';
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = a[off + j]! * factor[j]!;
      out[off + j] = log ? Math.log1p(v) : v;
    }
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of sums) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const detail: Record<string, unknown> = {
    method,
    target_sum: target,
    log1p: log,
    samples: cols,
    sample_sum_min: lo,
    sample_sum_median: median(sums),
    sample_sum_max: hi,
    zero_sum_samples: zeroSum,
  };
  return { matrix: { ...m, data: out }, step: { step: 'normalize', detail } };
}

/**
 * Keep the features named in a list (--features-file), in the matrix's order. An entry matches a
 * feature id; an entry that matches no id matches the feature whose description (gene symbol: the
 * 10x features name, the GCT Description) it equals, when exactly one feature has it. Entries that
 * match nothing are listed in the step (`missing`); none matching at all is an input error.
 */
export function selectListedFeatures(m: TransformedMatrix, list: FeatureList, inPlace = false): { matrix: TransformedMatrix; step: PreprocessStep; dropped: DroppedItem[] } {
  const byId = new Map<string, number>();
  for (let i = 0; i < m.rows; i++) byId.set(m.rowIds[i]!, i);
  const byDesc = new Map<string, number>(); // -1: more than one feature has it
  for (let i = 0; i < m.rows; i++) {
    const d = m.rowDescriptions[i] ?? '';
    if (d !== '') byDesc.set(d, byDesc.has(d) ? -1 : i);
  }
  const wanted = new Uint8Array(m.rows);
  const missing: string[] = [];
  const ambiguous: string[] = [];
  let byDescription = 0;
  for (const id of list.ids) {
    const i = byId.get(id);
    if (i !== undefined) {
      wanted[i] = 1;
      continue;
    }
    const d = byDesc.get(id);
    if (d !== undefined && d >= 0) {
      wanted[d] = 1;
      byDescription++;
    } else if (d === -1) ambiguous.push(id);
    else missing.push(id);
  }
  const keep: number[] = [];
  const dropped: DroppedItem[] = [];
  for (let i = 0; i < m.rows; i++) {
    if (wanted[i]) keep.push(i);
    else dropped.push({ axis: 'row', id: m.rowIds[i]!, index: rowOf(m, i), reason: 'not-in-features-file' });
  }
  if (keep.length === 0) {
    const eg = (xs: readonly string[]) => xs.slice(0, 3).map((x) => quoteText(x)).join(', ');
    throw inputError(
      list.path,
      `none of its ${list.ids.length} feature ids (e.g. ${eg(list.ids)}) is a feature id or a unique description of the ${m.rows} features of ${where(m)} (e.g. ${eg(m.rowIds)})${
        ambiguous.length ? `, and ${ambiguous.length} match the description of more than one feature` : ''
      }`,
      'list the same kind of ids as the matrix (Ensembl ids or gene symbols, say), one per line',
    );
  }
  const matrix = subsetMatrix(m, keep.length === m.rows ? null : keep, null, inPlace);
  const detail: Record<string, unknown> = {
    file: list.path,
    sha256: list.sha256,
    entries: list.ids.length,
    matched: list.ids.length - missing.length - ambiguous.length,
    matched_by_description: byDescription,
    missing_count: missing.length,
    missing,
    ambiguous,
    ...subsetDetail(m, matrix),
  };
  return { matrix, step: { step: 'features-file', detail }, dropped };
}

/** Mean and variance (ddof 1; 0 with one sample) of every row, in float64. */
export function rowMeanVar(m: TransformedMatrix): { mean: Float64Array; variance: Float64Array } {
  const { rows, cols } = m;
  const a = m.data;
  const mean = new Float64Array(rows);
  const variance = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += a[off + j]!;
    const mu = s / cols;
    let ss = 0;
    for (let j = 0; j < cols; j++) {
      const d = a[off + j]! - mu;
      ss += d * d;
    }
    mean[i] = mu;
    variance[i] = cols > 1 ? ss / (cols - 1) : 0;
  }
  return { mean, variance };
}

/** The score of every row: variance, cv = sd / mean or fano = variance / mean (0 where the mean is 0). */
export function featureScores(m: TransformedMatrix, by: FeatureScore): Float64Array {
  if (!FEATURE_SCORES.includes(by)) throw new RangeError(`preprocess: unknown feature score ${JSON.stringify(by)}`);
  const { mean, variance } = rowMeanVar(m);
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    const mu = mean[i]!;
    const v = variance[i]!;
    out[i] = by === 'variance' ? v : mu > 0 ? (by === 'cv' ? Math.sqrt(v) / mu : v / mu) : 0;
  }
  return out;
}

/**
 * Keep the `n` features with the highest score (ties: the earlier feature), in the matrix's order.
 * Dropped features are listed with their score.
 */
export function selectTopFeatures(m: TransformedMatrix, n: number, by: FeatureScore, inPlace = false): { matrix: TransformedMatrix; step: PreprocessStep; dropped: DroppedItem[] } {
  checkCount('top_features', n);
  const score = featureScores(m, by);
  const order = Array.from({ length: m.rows }, (_, i) => i).sort((x, y) => score[y]! - score[x]! || x - y);
  const kept = Math.min(n, m.rows);
  const wanted = new Uint8Array(m.rows);
  for (let r = 0; r < kept; r++) wanted[order[r]!] = 1;
  const keep: number[] = [];
  const dropped: DroppedItem[] = [];
  for (let i = 0; i < m.rows; i++) {
    if (wanted[i]) keep.push(i);
    else dropped.push({ axis: 'row', id: m.rowIds[i]!, index: rowOf(m, i), reason: `not-in-top-features-by-${by}`, value: score[i]! });
  }
  const matrix = subsetMatrix(m, keep.length === m.rows ? null : keep, null, inPlace);
  const detail: Record<string, unknown> = {
    n,
    by,
    ddof: 1,
    min_kept_score: kept > 0 ? score[order[kept - 1]!]! : null,
    max_dropped_score: kept < m.rows ? score[order[kept]!]! : null,
    ...subsetDetail(m, matrix),
  };
  return { matrix, step: { step: 'top-features', detail }, dropped };
}

/**
 * Divide each feature by its standard deviation (ddof 1) without centering, as cNMF does
 * (scanpy `pp.scale(zero_center=False)`); a feature with standard deviation 0 is left as it is.
 */
export function scaleFeatures(m: TransformedMatrix, inPlace = false): { matrix: TransformedMatrix; step: PreprocessStep } {
  const { rows, cols } = m;
  const a = m.data;
  const { variance } = rowMeanVar(m);
  const out = inPlace ? a : allocLike(a, a.length);
  let unscaled = 0;
  for (let i = 0; i < rows; i++) {
    const sd = Math.sqrt(variance[i]!);
    const off = i * cols;
    if (!(sd > 0)) {
      unscaled++;
      if (!inPlace) out.set(a.subarray(off, off + cols), off);
      continue;
    }
    for (let j = 0; j < cols; j++) out[off + j] = a[off + j]! / sd;
  }
  return { matrix: { ...m, data: out }, step: { step: 'scale-features', detail: { ddof: 1, features: rows, zero_sd_features: unscaled } } };
}

/**
 * All transforms in the documented order (see the top of this file). Returns the final matrix, the
 * steps applied (for preprocess.json) and every dropped row/column.
 */
export function preprocessMatrix(m: SourcedMatrix, options: PreprocessOptions): TransformResult {
  const inPlace = options.inPlace === true;
  const steps: PreprocessStep[] = [];
  const dropped: DroppedItem[] = [];
  const neg = applyNegativesPolicy(m, options.negatives, inPlace);
  steps.push(neg.step);
  const zero = dropAllZero(neg.matrix, inPlace);
  steps.push(zero.step);
  dropped.push(...zero.dropped);
  let cur = zero.matrix;
  let optional = false;
  const apply = (r: { matrix: TransformedMatrix; step: PreprocessStep; dropped?: DroppedItem[] }): void => {
    cur = r.matrix;
    steps.push(r.step);
    if (r.dropped) dropped.push(...r.dropped);
    optional = true;
  };
  if ((options.minFeaturesPerSample ?? 0) > 0) apply(filterSamples(cur, options.minFeaturesPerSample!, inPlace));
  if ((options.minSamplesPerFeature ?? 0) > 0) apply(filterFeatures(cur, options.minSamplesPerFeature!, inPlace));
  if (options.normalize && options.normalize !== 'none') apply(normalizeSamples(cur, options.normalize, inPlace));
  if (options.featureList) apply(selectListedFeatures(cur, options.featureList, inPlace));
  if ((options.topFeatures ?? 0) > 0) apply(selectTopFeatures(cur, options.topFeatures!, options.topFeaturesBy ?? 'fano', inPlace));
  if (options.scaleFeatures) apply(scaleFeatures(cur, inPlace));
  if (optional) {
    const last = dropAllZero(cur, inPlace, 'all-zero-after-preprocessing');
    cur = last.matrix;
    steps.push(last.step);
    dropped.push(...last.dropped);
  }
  return { matrix: cur, steps, dropped };
}

/**
 * --transpose: the file holds samples x features (cells x genes, as many single-cell tables do), so
 * swap the axes before every other step. Error locations still name the file's own line and column.
 */
export function transposeInput(m: SourcedMatrix): { matrix: SourcedMatrix; step: PreprocessStep } {
  const { rows, cols } = m;
  const data = m.data instanceof Float32Array ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  const B = 64; // tiles keep the strided side in cache
  for (let i0 = 0; i0 < rows; i0 += B) {
    for (let j0 = 0; j0 < cols; j0 += B) {
      for (let i = i0; i < Math.min(rows, i0 + B); i++) {
        for (let j = j0; j < Math.min(cols, j0 + B); j++) data[j * rows + i] = m.data[i * cols + j]!;
      }
    }
  }
  const matrix: SourcedMatrix = {
    rows: cols,
    cols: rows,
    data,
    rowIds: [...m.colIds],
    rowDescriptions: m.colIds.map(() => ''),
    colIds: [...m.rowIds],
    ...(m.source ? { source: { ...m.source, transposed: !m.source.transposed } } : {}),
  };
  return { matrix, step: { step: 'transpose', detail: { rows_before: rows, columns_before: cols, rows_after: cols, columns_after: rows } } };
}

