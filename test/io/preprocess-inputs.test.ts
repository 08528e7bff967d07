/**
 * Reader options and inputs added for preprocess (issue 4): float32 dense matrices from the MTX and
 * HDF5 readers (what preprocess asks for, half the memory), values that overflow float32, the
 * --features-file reader, and matrix.npy written straight from the array.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { readInput, readMatrixFile } from '../../tasks/lib/io/read-input.js';
import { readNpy, writeNpy } from '../../tasks/lib/io/npy.js';
import { readFeatureList } from '../../tasks/preprocess/feature-list.js';
import { expectInputError, tempDir } from './helpers.js';
import { RUN_H5, SKIP_NOTE, makeH5Fixtures } from './h5-fixtures.js';

const file = tempDir('prep-inputs');

function mtxFolder(name: string, entries: string[], field = 'real'): string {
  const dir = file(name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'matrix.mtx'), [`%%MatrixMarket matrix coordinate ${field} general`, `3 2 ${entries.length}`, ...entries].join('\n') + '\n');
  writeFileSync(join(dir, 'features.tsv'), 'F1\tA\nF2\tB\nF3\tC\n');
  writeFileSync(join(dir, 'barcodes.tsv'), 'B1\nB2\n');
  return dir;
}

describe('float32 from the MTX and HDF5 readers', () => {
  test('MTX: the same values as float64, rounded to float32', () => {
    const dir = mtxFolder('f32', ['1 1 3', '2 2 0.1', '3 1 123456789', '3 2 2.5']);
    const f64 = readMatrixFile(dir);
    const f32 = readMatrixFile(dir, 'auto', { dtype: 'float32' });
    expect(f64.data).toBeInstanceOf(Float64Array);
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f32.data)).toEqual(Array.from(f64.data, Math.fround));
    expect(f32.rowIds).toEqual(f64.rowIds);
  });

  test('MTX: a value beyond float32 is a located error, not Infinity', () => {
    const dir = mtxFolder('overflow', ['1 1 3', '2 2 1e39']);
    expect(readMatrixFile(dir).data[3]).toBe(1e39);
    expectInputError(() => readMatrixFile(dir, 'auto', { dtype: 'float32' }), { file: join(dir, 'matrix.mtx'), line: 4 }, /1e\+39 at row 2, column 2 does not fit in float32/);
  });

  describe.skipIf(!RUN_H5)(`HDF5${SKIP_NOTE}`, () => {
    const dir = file('h5');
    beforeAll(async () => {
      mkdirSync(dir);
      await makeH5Fixtures(dir);
    });
    test.each(['csr.h5ad', 'csc.h5ad', 'dense.h5ad', 'tenx.h5'])('%s: float32 gives the float64 values (exact in float32)', async (name) => {
      const f64 = await readInput(join(dir, name));
      const f32 = await readInput(join(dir, name), 'auto', { dtype: 'float32' });
      expect(f32.data).toBeInstanceOf(Float32Array);
      expect(Array.from(f32.data)).toEqual(Array.from(f64.data));
      expect([f32.rows, f32.cols, f32.colIds]).toEqual([f64.rows, f64.cols, f64.colIds]);
    });
  });
});

describe('--features-file reader', () => {
  test('one id per line or the first column; comments, blanks, quotes, repeats; gzip', () => {
    const text = '\ufeff# my genes\nTP53\n\n  MYC  \nCD3E\tT cells\n"EGFR",x\nTP53\r\nKRAS\n';
    const want = ['TP53', 'MYC', 'CD3E', 'EGFR', 'KRAS'];
    const p = file('genes.txt', text);
    expect(readFeatureList(p).ids).toEqual(want);
    expect(readFeatureList(p).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readFeatureList(file('genes.txt.gz', text, true)).ids).toEqual(want);
  });

  test('missing, empty or a directory: exit 3 naming the file and the flag', () => {
    expectInputError(() => readFeatureList(file('nope.txt')), { file: file('nope.txt') }, /the features file does not exist; check the path given to --features-file/);
    expectInputError(() => readFeatureList(file('empty.txt', '# nothing\n\n')), { file: file('empty.txt') }, /lists no feature ids/);
    const d = file('adir');
    mkdirSync(d);
    expectInputError(() => readFeatureList(d), { file: d }, /directory/);
  });
});

test('writeNpy writes the header and the array without joining them: numpy layout, byte for byte', () => {
  const data = Float32Array.from({ length: 1000 }, (_, i) => i / 7);
  const view = new Float32Array(data.buffer, 400, 600); // an offset view, as preprocess passes after subsetting
  const p = file('m.npy');
  writeNpy(p, view, [20, 30]);
  const back = readNpy(p);
  expect(back.shape).toEqual([20, 30]);
  expect(Array.from(back.data)).toEqual(Array.from(view));
  const bytes = readFileSync(p);
  expect((bytes.length - 600 * 4) % 64).toBe(0); // data aligned to 64 bytes, as numpy writes
  expect(Buffer.compare(bytes.subarray(bytes.length - 2400), Buffer.from(view.buffer, view.byteOffset, view.byteLength))).toBe(0);
});
