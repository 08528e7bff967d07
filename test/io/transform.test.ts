import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { readGct } from '../../tasks/lib/io/gct.js';
import { readMatrixFile } from '../../tasks/lib/io/read-input.js';
import { cellLocation, type SourcedMatrix } from '../../tasks/lib/io/text.js';
import { applyNegativesPolicy, dropAllZero, preprocessMatrix } from '../../tasks/preprocess/transform.js';
import { catchError, expectInputError, tempDir } from './helpers.js';
import { ALL_AML, ALL_AML_ORIG } from '../paths.js';

const file = tempDir('transform');
const ORIG = ALL_AML_ORIG;

function gct(rows: string[], samples: string[]): string {
  return ['#1.2', `${rows.length}\t${samples.length}`, ['Name', 'Description', ...samples].join('\t'), ...rows].join('\n') + '\n';
}

function mem(rows: number, cols: number, values: number[]): SourcedMatrix {
  return {
    rows,
    cols,
    data: Float64Array.from(values),
    rowIds: Array.from({ length: rows }, (_, i) => `g${i}`),
    rowDescriptions: new Array<string>(rows).fill(''),
    colIds: Array.from({ length: cols }, (_, j) => `s${j}`),
  };
}

describe('negatives policy', () => {
  test('error: names the first negative value in file order (line, column, sample, feature) and the fix', () => {
    const p = file('neg.gct', gct(['a\td\t1\t2\t3', 'b\td\t4\t5\t-6', 'c\td\t-7\t8\t9'], ['x', 'y', 'z']));
    const m = readGct(p);
    expectInputError(
      () => applyNegativesPolicy(m, 'error'),
      { file: p, line: 5, column: 5 },
      /value -6 in sample "z" \(feature "b"\) is negative.*2 of the 9 values are negative.*--negatives clamp.*--negatives shift/,
    );
  });

  test('error on the real CRLF file points at the first negative cell of the raw text', () => {
    // Find the first negative cell independently, from the raw text.
    const lines = readFileSync(ORIG, 'latin1').split('\r\n');
    let expected = '';
    let count = 0;
    for (let l = 3; l < lines.length; l++) {
      const cells = lines[l]!.split('\t');
      for (let c = 2; c < cells.length; c++) {
        if (cells[c]!.trim() !== '' && Number(cells[c]) < 0) {
          if (!expected) expected = `line ${l + 1}, column ${c + 1}`;
          count++;
        }
      }
    }
    expect(expected).toBe('line 4, column 3'); // -214, AFFX-BioB-5_at, ALL_19769_B-cell
    const m = readMatrixFile(ORIG);
    const err = expectInputError(() => preprocessMatrix(m, { negatives: 'error' }), { file: ORIG, line: 4, column: 3 });
    expect(err.message).toContain('value -214 in sample "ALL_19769_B-cell" (feature "AFFX-BioB-5_at")');
    expect(err.message).toContain(`${count} of the ${7129 * 38} values are negative`);
  });

  test('clamp: max(0, x), counts recorded, input untouched', () => {
    const m = mem(2, 2, [-1, 2, 3, -4]);
    const { matrix, step } = applyNegativesPolicy(m, 'clamp');
    expect(Array.from(matrix.data)).toEqual([0, 2, 3, 0]);
    expect(step).toEqual({ step: 'negatives', detail: { policy: 'clamp', negative_values: 2, min: -4, clamped: 2 } });
    expect(Array.from(m.data)).toEqual([-1, 2, 3, -4]);
  });

  test('shift: subtract the global minimum, shift recorded', () => {
    const { matrix, step } = applyNegativesPolicy(mem(1, 3, [-2.5, 0, 1]), 'shift');
    expect(Array.from(matrix.data)).toEqual([0, 2.5, 3.5]);
    expect(step.detail).toEqual({ policy: 'shift', negative_values: 1, min: -2.5, shift: 2.5 });
  });

  test('no negatives: unchanged values, step still recorded', () => {
    const m = mem(1, 2, [1, 2]);
    for (const policy of ['error', 'clamp', 'shift'] as const) {
      const { matrix, step } = applyNegativesPolicy(m, policy);
      expect(Array.from(matrix.data)).toEqual([1, 2]);
      expect(step.detail.negative_values).toBe(0);
    }
  });

  test('non-finite values (from a non-text reader) are an input error with an index-based location', () => {
    expectInputError(() => applyNegativesPolicy(mem(2, 2, [1, 2, NaN, 4]), 'clamp'), { file: 'input matrix row 2, column 1' }, /not finite/);
    expectInputError(() => applyNegativesPolicy(mem(1, 2, [1, -Infinity]), 'shift'), { file: 'input matrix row 1, column 2' }, /not finite/);
  });

  test('float32 input is accepted and stays float32 (the MTX/HDF5 readers give float32 to preprocess)', () => {
    const m: SourcedMatrix = { ...mem(1, 2, [0, 0]), data: Float32Array.from([-1, 0.5]) };
    const { matrix } = applyNegativesPolicy(m, 'clamp');
    expect(matrix.data).toBeInstanceOf(Float32Array);
    expect(Array.from(matrix.data)).toEqual([0, 0.5]);
    expect(Array.from(m.data)).toEqual([-1, 0.5]);
  });
});

describe('drop all-zero rows and columns', () => {
  test('drops and lists rows and columns with their input index and reason', () => {
    // rows: g0 ok, g1 all zero, g2 ok; columns: s1 all zero
    const m = mem(3, 3, [1, 0, 2, 0, 0, 0, 3, 0, 4]);
    const { matrix, dropped, step } = dropAllZero(m);
    expect(matrix.rowIds).toEqual(['g0', 'g2']);
    expect(matrix.colIds).toEqual(['s0', 's2']);
    expect(Array.from(matrix.data)).toEqual([1, 2, 3, 4]);
    expect(dropped).toEqual([
      { axis: 'row', id: 'g1', index: 1, reason: 'all-zero' },
      { axis: 'column', id: 's1', index: 1, reason: 'all-zero' },
    ]);
    expect(step.detail).toMatchObject({ rows_dropped: 1, columns_dropped: 1, rows_after: 2, columns_after: 2 });
    expect(m.rows).toBe(3);
  });

  test('source locations follow the kept rows and columns', () => {
    const p = file('zeros.gct', gct(['a\td\t0\t1\t0', 'b\td\t0\t0\t0', 'c\td\t0\t-2\t0'], ['x', 'y', 'z']));
    const m = readGct(p);
    const { matrix } = dropAllZero(m);
    expect([matrix.rows, matrix.cols]).toEqual([2, 1]);
    expect(cellLocation(matrix, 1, 0)).toBe(`${p} line 6, column 4`);
    // A negatives error after dropping still points at the right cell of the file.
    expectInputError(() => applyNegativesPolicy(matrix, 'error'), { file: p, line: 6, column: 4 }, /value -2 in sample "y" \(feature "c"\)/);
  });

  test('nothing left is an input error', () => {
    const p = file('allzero.gct', gct(['a\td\t0\t0'], ['x', 'y']));
    const err = catchError(() => preprocessMatrix(readGct(p), { negatives: 'error' }));
    expect(err.code).toBe(3);
    expect(err.message).toMatch(/all zero, so nothing is left/);
    expect(err.message.startsWith(p)).toBe(true);
  });
});

describe('preprocessMatrix', () => {
  test('clamp then drop: zeros created by clamping are dropped, steps in order', () => {
    const m = mem(3, 2, [-1, -2, 1, 2, 3, -4]);
    const r = preprocessMatrix(m, { negatives: 'clamp' });
    expect(r.steps.map((s) => s.step)).toEqual(['negatives', 'drop-all-zero']);
    expect(r.dropped).toEqual([{ axis: 'row', id: 'g0', index: 0, reason: 'all-zero' }]);
    expect(Array.from(r.matrix.data)).toEqual([1, 2, 3, 0]);
    expect(JSON.parse(JSON.stringify(r.steps))).toEqual(r.steps); // JSON-safe for the manifest
  });

  test('shift on the real file gives a non-negative matrix with min 0', () => {
    const r = preprocessMatrix(readMatrixFile(ORIG), { negatives: 'shift' });
    let min = Infinity;
    for (const v of r.matrix.data) if (v < min) min = v;
    expect(min).toBe(0);
    expect(r.steps[0]!.detail.shift).toBeGreaterThan(0);
    expect([r.matrix.rows, r.matrix.cols]).toEqual([7129, 38]);
  });

  test('the clean ALL_AML data passes unchanged', () => {
    const m = readMatrixFile(ALL_AML);
    const r = preprocessMatrix(m, { negatives: 'error' });
    expect(r.dropped).toEqual([]);
    expect(r.matrix.data).toBe(m.data);
  });
});

describe('optional steps (issue 4): filters, normalization, feature list, top features, scaling', () => {
  /** 4 features x 5 samples; g2 is nonzero in 1 sample, s4 in 1 feature. */
  const M = () =>
    mem(4, 5, [
      1, 2, 0, 4, 0,
      0, 0, 3, 0, 0,
      5, 1, 1, 2, 0,
      2, 2, 2, 2, 7,
    ]);

  test('filter-samples then filter-features: counts, reasons, values and input indices', () => {
    const r = preprocessMatrix(M(), { negatives: 'error', minFeaturesPerSample: 2, minSamplesPerFeature: 2 });
    expect(r.steps.map((s) => s.step)).toEqual(['negatives', 'drop-all-zero', 'filter-samples', 'filter-features', 'drop-all-zero-final']);
    expect(r.dropped).toEqual([
      { axis: 'column', id: 's4', index: 4, reason: 'min-features-per-sample', value: 1 },
      { axis: 'row', id: 'g1', index: 1, reason: 'min-samples-per-feature', value: 1 },
    ]);
    expect(r.matrix.rowIds).toEqual(['g0', 'g2', 'g3']);
    expect(r.matrix.colIds).toEqual(['s0', 's1', 's2', 's3']);
    expect(Array.from(r.matrix.data)).toEqual([1, 2, 0, 4, 5, 1, 1, 2, 2, 2, 2, 2]);
    expect(r.steps[2]!.detail).toMatchObject({ min_features_per_sample: 2, columns_before: 5, columns_dropped: 1, columns_after: 4 });
  });

  test('indices in dropped entries refer to the input matrix after earlier steps removed rows and columns', () => {
    // Input row 0 and column 0 are all zero and dropped first; the filter then drops input row 2.
    const m = mem(4, 4, [0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1]);
    const r = preprocessMatrix(m, { negatives: 'error', minSamplesPerFeature: 2 });
    expect(r.dropped).toEqual([
      { axis: 'row', id: 'g0', index: 0, reason: 'all-zero' },
      { axis: 'column', id: 's0', index: 0, reason: 'all-zero' },
      { axis: 'row', id: 'g2', index: 2, reason: 'min-samples-per-feature', value: 1 },
    ]);
  });

  test('a filter that leaves nothing is an input error naming the file, the flag and the largest count', () => {
    const p = file('filter.gct', gct(['a\td\t1\t0\t0', 'b\td\t0\t2\t0'], ['x', 'y', 'z']));
    expectInputError(() => preprocessMatrix(readGct(p), { negatives: 'error', minSamplesPerFeature: 2 }), { file: p }, /every one of the 2 features is nonzero in fewer than 2 samples \(the most is 1\).*lower --min-samples-per-feature/);
    expectInputError(() => preprocessMatrix(readGct(p), { negatives: 'error', minFeaturesPerSample: 3 }), { file: p }, /--min-features-per-sample 3 leaves no samples/);
  });

  test.each([
    ['cp10k', 1e4, false],
    ['tpm', 1e6, false],
    ['log1p', 1e4, true],
  ] as const)('normalize %s: every sample scaled to sum %d (then log1p)', (method, target, log) => {
    const m = M();
    const r = preprocessMatrix(m, { negatives: 'error', normalize: method });
    const { rows, cols, data } = r.matrix;
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += m.data[i * cols + j]!;
      for (let i = 0; i < rows; i++) {
        const want = (m.data[i * cols + j]! * target) / sum;
        expect(data[i * cols + j]).toBeCloseTo(log ? Math.log1p(want) : want, 9);
      }
    }
    expect(r.steps[2]).toMatchObject({ step: 'normalize', detail: { method, target_sum: target, log1p: log, sample_sum_min: 5, sample_sum_median: 7, sample_sum_max: 8 } });
    expect(Array.from(m.data)).toEqual(Array.from(M().data)); // pure
  });

  test('features-file: ids, then unique descriptions; missing and ambiguous entries listed; matrix order kept', () => {
    const m = { ...M(), rowDescriptions: ['A', 'B', 'C', 'C'] };
    const list = { path: 'keep.txt', sha256: '0'.repeat(64), ids: ['g3', 'A', 'C', 'nope'] };
    const r = preprocessMatrix(m, { negatives: 'error', featureList: list });
    expect(r.matrix.rowIds).toEqual(['g0', 'g3']);
    const d = r.steps.find((s) => s.step === 'features-file')!.detail;
    expect(d).toMatchObject({ entries: 4, matched: 2, matched_by_description: 1, missing: ['nope'], ambiguous: ['C'], rows_dropped: 2 });
    expect(r.dropped.filter((x) => x.reason === 'not-in-features-file').map((x) => x.id)).toEqual(['g1', 'g2']);
    expectInputError(() => preprocessMatrix(m, { negatives: 'error', featureList: { ...list, ids: ['x', 'y'] } }), { file: 'keep.txt' }, /none of its 2 feature ids/);
  });

  /** Independent scores: two-pass float64 with ddof 1. */
  function refScore(values: number[], by: 'variance' | 'cv' | 'fano'): number {
    const n = values.length;
    const mu = values.reduce((a, b) => a + b, 0) / n;
    const v = values.reduce((a, b) => a + (b - mu) ** 2, 0) / (n - 1);
    return by === 'variance' ? v : by === 'cv' ? Math.sqrt(v) / mu : v / mu;
  }

  test.each(['variance', 'cv', 'fano'] as const)('top-features by %s keeps the N highest scores, in matrix order', (by) => {
    const rows = 30;
    const cols = 12;
    const values: number[] = [];
    let s = 7;
    for (let i = 0; i < rows * cols; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      values.push(1 + (s % 1000) * (1 + (i % rows)) * 0.01);
    }
    const m = mem(rows, cols, values);
    const scores = Array.from({ length: rows }, (_, i) => refScore(values.slice(i * cols, i * cols + cols), by));
    const want = scores.map((sc, i) => ({ sc, i })).sort((a, b) => b.sc - a.sc || a.i - b.i).slice(0, 7).map((x) => x.i).sort((a, b) => a - b);
    const r = preprocessMatrix(m, { negatives: 'error', topFeatures: 7, topFeaturesBy: by });
    expect(r.matrix.rowIds).toEqual(want.map((i) => `g${i}`));
    for (const d of r.dropped) expect(d.value).toBeCloseTo(scores[d.index]!, 9);
    expect(r.dropped.every((d) => d.reason === `not-in-top-features-by-${by}`)).toBe(true);
    expect(r.steps.find((x) => x.step === 'top-features')!.detail).toMatchObject({ n: 7, by, ddof: 1, rows_before: rows, rows_after: 7 });
  });

  test('top-features defaults to fano, breaks ties by the earlier feature, and keeps all when N >= features', () => {
    const m = mem(3, 2, [1, 3, 1, 3, 2, 2]); // g0 and g1 tie
    expect(preprocessMatrix(m, { negatives: 'error', topFeatures: 1 }).matrix.rowIds).toEqual(['g0']);
    expect(preprocessMatrix(m, { negatives: 'error', topFeatures: 1 }).steps.find((x) => x.step === 'top-features')!.detail.by).toBe('fano');
    const all = preprocessMatrix(m, { negatives: 'error', topFeatures: 10 });
    expect(all.matrix.rowIds).toEqual(['g0', 'g1', 'g2']);
  });

  test('scale-features: unit standard deviation (ddof 1) per feature, no centering; constant features unchanged', () => {
    const m = mem(2, 4, [1, 2, 3, 4, 5, 5, 5, 5]);
    const r = preprocessMatrix(m, { negatives: 'error', scaleFeatures: true });
    const sd = Math.sqrt(refScore([1, 2, 3, 4], 'variance'));
    expect(Array.from(r.matrix.data)).toEqual([1 / sd, 2 / sd, 3 / sd, 4 / sd, 5, 5, 5, 5]);
    expect(r.steps.find((x) => x.step === 'scale-features')!.detail).toEqual({ ddof: 1, features: 2, zero_sd_features: 1 });
  });

  test('a sample left all zero by feature selection is dropped in the final pass', () => {
    const m = mem(2, 3, [1, 0, 2, 0, 3, 0]); // selecting g0 leaves s1 all zero
    const r = preprocessMatrix(m, { negatives: 'error', featureList: { path: 'f', sha256: '', ids: ['g0'] } });
    expect(r.matrix.colIds).toEqual(['s0', 's2']);
    expect(r.dropped.at(-1)).toEqual({ axis: 'column', id: 's1', index: 1, reason: 'all-zero-after-preprocessing' });
    expect(r.steps.at(-1)!.step).toBe('drop-all-zero-final');
  });

  test('in place (float32, as preprocess runs it) gives the same values as the pure float64 path, to float32 rounding', () => {
    const rows = 40;
    const cols = 25;
    const v: number[] = [];
    let s = 11;
    for (let i = 0; i < rows * cols; i++) {
      s = (s * 69069 + 1) % 4294967296;
      v.push(s % 5 === 0 ? 0 : (s % 97) - 3);
    }
    const opts = { negatives: 'clamp', minFeaturesPerSample: 3, minSamplesPerFeature: 4, normalize: 'log1p', topFeatures: 12, topFeaturesBy: 'cv', scaleFeatures: true } as const;
    const pure = preprocessMatrix(mem(rows, cols, v), opts);
    const f32: SourcedMatrix = { ...mem(rows, cols, v), data: Float32Array.from(v) };
    const owned = preprocessMatrix(f32, { ...opts, inPlace: true });
    expect(owned.matrix.data).toBeInstanceOf(Float32Array);
    expect(owned.matrix.rowIds).toEqual(pure.matrix.rowIds);
    expect(owned.matrix.colIds).toEqual(pure.matrix.colIds);
    expect(owned.dropped.map((d) => [d.axis, d.index, d.reason])).toEqual(pure.dropped.map((d) => [d.axis, d.index, d.reason]));
    pure.matrix.data.forEach((x, i) => expect(owned.matrix.data[i]).toBeCloseTo(x, 4));
  });
});
