/**
 * Preprocess transforms (DESIGN section 2, first bullet): the negatives policy and dropping all-zero
 * rows and columns. Pure functions: the input matrix is never modified; a changed matrix is a new
 * object with its own Float64Array. Each transform reports what it did as a `PreprocessStep` for
 * preprocess.json, and the drop step lists every dropped row/column with its reason.
 *
 * Locations: a matrix from the text readers carries `source` (file line of each row, file column of
 * each sample), so errors name "FILE line L, column C"; transforms that drop rows/columns subset
 * `source` so later errors still point at the right place.
 */
import { inputError } from '../lib/errors.js';
import type { LabelledMatrix } from '../lib/types.js';
import { cellLocation, quoteText, type MatrixSource, type SourcedMatrix } from '../lib/io/text.js';

export type NegativesPolicy = 'error' | 'clamp' | 'shift';

export const NEGATIVES_POLICIES: readonly NegativesPolicy[] = ['error', 'clamp', 'shift'];

/** One entry of the manifest's list of steps applied, in order. */
export interface PreprocessStep {
  step: string;
  detail: Record<string, unknown>;
}

/** A row (feature) or column (sample) removed by preprocess. `index` is 0-based in the input matrix. */
export interface DroppedItem {
  axis: 'row' | 'column';
  id: string;
  index: number;
  reason: string;
}

/** A float64 matrix with labels and (optionally) source locations: what the transforms return. */
export interface TransformedMatrix extends LabelledMatrix {
  data: Float64Array;
  source?: MatrixSource;
}

export interface TransformResult {
  matrix: TransformedMatrix;
  steps: PreprocessStep[];
  dropped: DroppedItem[];
}

function asFloat64(m: SourcedMatrix): TransformedMatrix {
  if (m.data instanceof Float64Array) return m as TransformedMatrix;
  return { ...m, data: Float64Array.from(m.data) };
}

function checkShape(m: SourcedMatrix): void {
  if (m.data.length !== m.rows * m.cols || m.rowIds.length !== m.rows || m.colIds.length !== m.cols) {
    throw new RangeError(`preprocess: matrix shape ${m.rows} x ${m.cols} does not match its data or labels`);
  }
}

/**
 * Apply the negatives policy (and check every value is finite).
 * - `error`: throw `inputError` (exit 3) at the first negative value in file order (row-major), naming
 *   its file line and column, feature and sample, and how many values are negative.
 * - `clamp`: x -> max(0, x); the step records how many values were clamped.
 * - `shift`: x -> x - min(A) when min(A) < 0; the step records the shift.
 * A matrix without negative values is returned unchanged (the step still records the policy).
 */
export function applyNegativesPolicy(m: SourcedMatrix, policy: NegativesPolicy): { matrix: TransformedMatrix; step: PreprocessStep } {
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
    return { matrix: asFloat64(m), step: { step: 'negatives', detail } };
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
  const out = new Float64Array(n);
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

/**
 * Drop rows (features) and columns (samples) whose values are all zero (they make the KL updates
 * undefined). Throws `inputError` when nothing would be left.
 */
export function dropAllZero(m: SourcedMatrix): { matrix: TransformedMatrix; step: PreprocessStep; dropped: DroppedItem[] } {
  checkShape(m);
  const { rows, cols } = m;
  const a = m.data;
  const rowNonZero = new Uint8Array(rows);
  const colNonZero = new Uint8Array(cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) {
      if (a[off + j] !== 0) {
        rowNonZero[i] = 1;
        colNonZero[j] = 1;
      }
    }
  }
  const keepRows: number[] = [];
  const keepCols: number[] = [];
  const dropped: DroppedItem[] = [];
  for (let i = 0; i < rows; i++) {
    if (rowNonZero[i]) keepRows.push(i);
    else dropped.push({ axis: 'row', id: m.rowIds[i]!, index: i, reason: 'all-zero' });
  }
  for (let j = 0; j < cols; j++) {
    if (colNonZero[j]) keepCols.push(j);
    else dropped.push({ axis: 'column', id: m.colIds[j]!, index: j, reason: 'all-zero' });
  }
  const step: PreprocessStep = {
    step: 'drop-all-zero',
    detail: {
      rows_before: rows,
      columns_before: cols,
      rows_dropped: rows - keepRows.length,
      columns_dropped: cols - keepCols.length,
      rows_after: keepRows.length,
      columns_after: keepCols.length,
    },
  };
  if (keepRows.length === 0 || keepCols.length === 0) {
    const where = m.source ? m.source.path : 'input matrix';
    throw inputError(
      where,
      `every ${keepRows.length === 0 ? 'row (feature)' : 'column (sample)'} of the ${rows} x ${cols} matrix is all zero, so nothing is left after dropping all-zero rows and columns`,
      'check that the right file was passed and that its values were not all zeroed',
    );
  }
  if (keepRows.length === rows && keepCols.length === cols) {
    return { matrix: asFloat64(m), step, dropped };
  }
  const nr = keepRows.length;
  const nc = keepCols.length;
  const out = new Float64Array(nr * nc);
  const allCols = nc === cols;
  for (let ii = 0; ii < nr; ii++) {
    const off = keepRows[ii]! * cols;
    if (allCols) {
      out.set(a.subarray(off, off + cols), ii * nc);
    } else {
      const o = ii * nc;
      for (let jj = 0; jj < nc; jj++) out[o + jj] = a[off + keepCols[jj]!]!;
    }
  }
  let source: MatrixSource | undefined;
  if (m.source) {
    const s = m.source;
    source = {
      ...s,
      rowLines: Int32Array.from(keepRows, (i) => s.rowLines[i]!),
      colColumns: Int32Array.from(keepCols, (j) => s.colColumns[j]!),
    };
  }
  const matrix: TransformedMatrix = {
    rows: nr,
    cols: nc,
    data: out,
    rowIds: keepRows.map((i) => m.rowIds[i]!),
    rowDescriptions: keepRows.map((i) => m.rowDescriptions[i] ?? ''),
    colIds: keepCols.map((j) => m.colIds[j]!),
  };
  if (source) matrix.source = source;
  return { matrix, step, dropped };
}

export interface PreprocessOptions {
  negatives: NegativesPolicy;
}

/**
 * All transforms in order: negatives policy, then drop all-zero rows/columns. Returns the final
 * matrix, the steps applied (for preprocess.json) and every dropped row/column.
 */
export function preprocessMatrix(m: SourcedMatrix, options: PreprocessOptions): TransformResult {
  const neg = applyNegativesPolicy(m, options.negatives);
  const drop = dropAllZero(neg.matrix);
  return { matrix: drop.matrix, steps: [neg.step, drop.step], dropped: drop.dropped };
}
