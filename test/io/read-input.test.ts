import { describe, expect, test } from 'vitest';
import { readInput, readMatrixFile, cellLocation } from '../../tasks/lib/io/read-input.js';
import { catchError, expectInputError, tempDir } from './helpers.js';
import { ALL_AML } from '../paths.js';

const file = tempDir('input');
const GCT = '#1.2\n1\t2\nName\tDescription\ta\tb\nr\td\t1\t2\n';

describe('readMatrixFile dispatch', () => {
  test('GCT by first line, whatever the extension (also gzipped)', () => {
    expect(readMatrixFile(file('x.txt', GCT)).source.format).toBe('gct1.2');
    expect(readMatrixFile(file('x.bin', GCT, true)).source.format).toBe('gct1.2');
    expect(readMatrixFile(file('bom.tsv', '\ufeff' + GCT)).colIds).toEqual(['a', 'b']);
  });

  test('.gct names without a version line go to the GCT reader (and its error)', () => {
    const p = file('plain.gct', 'id\ta\nr\t1\n');
    expectInputError(() => readMatrixFile(p), { file: p, line: 1 }, /GCT version line/);
  });

  test('TSV and CSV by extension and by sniffing', () => {
    expect(readMatrixFile(file('m.tsv', 'id\ta\nr\t1\n')).source.format).toBe('tsv');
    expect(readMatrixFile(file('m.csv', 'id,a\nr,1\n')).source.format).toBe('csv');
    expect(readMatrixFile(file('m.csv.gz', 'id,a\nr,1\n', true)).source.format).toBe('csv');
    expect(readMatrixFile(file('m.data', 'id,a\nr,1\n')).source.format).toBe('csv');
  });

  test('explicit format overrides the name', () => {
    const m = readMatrixFile(file('m2.txt', 'id,a,b\nr,1,2\n'), 'csv');
    expect(m.colIds).toEqual(['a', 'b']);
    const g = readMatrixFile(file('g.dat', GCT), 'gct');
    expect(g.rowDescriptions).toEqual(['d']);
  });

  test('real data through the dispatcher', () => {
    const m = readMatrixFile(ALL_AML);
    expect([m.rows, m.cols]).toEqual([5000, 38]);
    expect(cellLocation(m, 0, 0)).toBe(`${ALL_AML} line 4, column 3`);
    expect(cellLocation(m, 4999, 37)).toBe(`${ALL_AML} line 5003, column 40`);
  });

  test('an unknown format is a usage error (exit 2); a broken HDF5 file and zip are input errors', async () => {
    const p = file('u.tsv', 'id\ta\nr\t1\n');
    expect(catchError(() => readMatrixFile(p, 'xlsx' as never)).code).toBe(2);
    const h = file('x.h5ad', Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
    const broken = await readInput(h).then(() => null, (e: unknown) => e);
    expectInputError(() => {
      throw broken;
    }, { file: h }, /HDF5/);
    // Read as text on purpose, it is refused as HDF5.
    expectInputError(() => readMatrixFile(h, 'tsv'), { file: h }, /HDF5/);
    const z = file('x.zip', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]));
    expectInputError(() => readMatrixFile(z), { file: z }, /zip/);
  });

  test('missing file', () => {
    const p = file('missing.gct');
    expectInputError(() => readMatrixFile(p), { file: p }, /does not exist; check the path/);
  });
});
