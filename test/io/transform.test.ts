import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { readGct } from '../../tasks/lib/io/gct.js';
import { readMatrixFile } from '../../tasks/lib/io/read-input.js';
import { cellLocation, type SourcedMatrix } from '../../tasks/lib/io/text.js';
import { applyNegativesPolicy, dropAllZero, preprocessMatrix } from '../../tasks/preprocess/transform.js';
import { catchError, expectInputError, tempDir } from './helpers.js';

const file = tempDir('transform');
const ORIG = '/work/shared/data/all_aml_train.orig.gct';

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

  test('float32 input is accepted and the result is float64', () => {
    const m: SourcedMatrix = { ...mem(1, 2, [0, 0]), data: Float32Array.from([-1, 0.5]) };
    const { matrix } = applyNegativesPolicy(m, 'clamp');
    expect(matrix.data).toBeInstanceOf(Float64Array);
    expect(Array.from(matrix.data)).toEqual([0, 0.5]);
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
    const m = readMatrixFile('/work/shared/data/ALL_AML_data.gct');
    const r = preprocessMatrix(m, { negatives: 'error' });
    expect(r.dropped).toEqual([]);
    expect(r.matrix.data).toBe(m.data);
  });
});
