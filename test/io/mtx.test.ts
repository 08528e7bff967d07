import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it, test } from 'vitest';
import { readMtxDir, findMtxFiles } from '../../tasks/lib/io/mtx.js';
import { cellLocation, readMatrixFile } from '../../tasks/lib/io/read-input.js';
import { expectInputError } from './helpers.js';

/** Debian's python3: .ci/run installs numpy and scipy for it (a pyenv python3 on PATH may lack them). */
const PYTHON = '/usr/bin/python3';

const root = mkdtempSync(join(tmpdir(), 'nmfc-mtx-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
/** Write files into a fresh folder; `.gz` names are gzipped. Returns the folder. */
function mtxDir(files: Record<string, string | Buffer>): string {
  const dir = join(root, `d${++dirCount}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    writeFileSync(join(dir, name), name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  }
  return dir;
}

type Triplet = [number, number, number];

function mtxText(rows: number, cols: number, entries: Triplet[], field = 'integer', comments = ['% written by hand']): string {
  return [`%%MatrixMarket matrix coordinate ${field} general`, ...comments, `${rows} ${cols} ${entries.length}`, ...entries.map((e) => e.join(' '))].join('\n') + '\n';
}

/** Expected dense features x barcodes matrix from 1-based triplets (independent of the reader). */
function dense(rows: number, cols: number, entries: Triplet[]): number[] {
  const out = new Array<number>(rows * cols).fill(0);
  for (const [r, c, v] of entries) out[(r - 1) * cols + (c - 1)] = v;
  return out;
}

const FEATS = [
  ['ENSG00000243485', 'MIR1302-2HG', 'Gene Expression'],
  ['ENSG00000237613', 'FAM138A', 'Gene Expression'],
  ['ENSG00000186092', 'OR4F5', 'Gene Expression'],
  ['CD3_TotalSeqB', 'CD3', 'Antibody Capture'],
];
const BARCODES = ['AAACCCAAGAAACACT-1', 'AAACCCAAGAAACCAT-1', 'AAACCCAAGAAACCCA-1'];
const ENTRIES: Triplet[] = [
  [1, 1, 3],
  [4, 3, 120],
  [2, 2, 1],
  [3, 1, 7],
  [1, 3, 2],
];
const featuresV3 = FEATS.map((f) => f.join('\t')).join('\n') + '\n';
const barcodesTxt = BARCODES.join('\n') + '\n';

function expectMatrix(m: ReturnType<typeof readMtxDir>, rows: number, cols: number, entries: Triplet[]): void {
  expect([m.rows, m.cols]).toEqual([rows, cols]);
  expect(m.data).toBeInstanceOf(Float64Array);
  expect(Array.from(m.data)).toEqual(dense(rows, cols, entries));
}

describe('readMtxDir: valid input', () => {
  test('10x v3, gzipped (Cell Ranger layout), integer counts', () => {
    const dir = mtxDir({ 'matrix.mtx.gz': mtxText(4, 3, ENTRIES), 'features.tsv.gz': featuresV3, 'barcodes.tsv.gz': barcodesTxt });
    const m = readMtxDir(dir);
    expectMatrix(m, 4, 3, ENTRIES);
    expect(m.rowIds).toEqual(FEATS.map((f) => f[0]));
    expect(m.rowDescriptions).toEqual(FEATS.map((f) => f[1]));
    expect(m.colIds).toEqual(BARCODES);
    expect(m.rowMeta).toEqual({ names: ['name', 'type'], values: [FEATS.map((f) => f[1]), FEATS.map((f) => f[2])] });
    expect(m.source.format).toBe('mtx');
    expect(m.source.path).toBe(join(dir, 'matrix.mtx.gz'));
    expect(Array.from(m.source.rowLines)).toEqual([1, 2, 3, 4]);
    expect(Array.from(m.source.colColumns)).toEqual([1, 2, 3]);
    expect(cellLocation(m, 3, 2)).toBe(`${join(dir, 'matrix.mtx.gz')} row 4, column 3`);
  });

  test('10x v2 genes.tsv, plain files, real values, CRLF, comments, blank lines and tabs', () => {
    const entries: Triplet[] = [
      [2, 1, 0.5],
      [1, 2, -1.25e-3],
      [3, 2, 123456.789],
      [2, 2, 0],
      [1, 1, 0.1],
      [3, 1, 1.0000000000000002],
      [2, 3, 6.02214076e23],
    ];
    const body = mtxText(3, 3, entries, 'real', ['%metadata_json: {}', '%', '']).replace(/\n/g, '\r\n').replace('3 3 7', '3\t3\t7');
    const genes = 'g1\tGeneOne\ng2\tGeneTwo\ng3\tGeneThree\n';
    const dir = mtxDir({ 'matrix.mtx': body, 'genes.tsv': genes, 'barcodes.tsv': 'x-1\ny-1\nz-1' });
    const m = readMtxDir(dir);
    expectMatrix(m, 3, 3, entries);
    expect(m.rowIds).toEqual(['g1', 'g2', 'g3']);
    expect(m.rowDescriptions).toEqual(['GeneOne', 'GeneTwo', 'GeneThree']);
    expect(m.colIds).toEqual(['x-1', 'y-1', 'z-1']);
    expect(m.rowMeta).toBeUndefined();
  });

  test('features with one column get empty descriptions; entries may be in any order; empty body', () => {
    const dir = mtxDir({ 'matrix.mtx': mtxText(2, 2, []), 'features.tsv': 'a\nb\n', 'barcodes.tsv': 'c1\nc2\n' });
    const m = readMtxDir(dir);
    expectMatrix(m, 2, 2, []);
    expect(m.rowDescriptions).toEqual(['', '']);
  });

  test('the .mtx path itself, and the GEO PREFIX_ layout', () => {
    const dir = mtxDir({
      'GSM1_matrix.mtx.gz': mtxText(4, 3, ENTRIES),
      'GSM1_features.tsv.gz': featuresV3,
      'GSM1_barcodes.tsv.gz': barcodesTxt,
    });
    const p = join(dir, 'GSM1_matrix.mtx.gz');
    expect(findMtxFiles(p)).toEqual({
      matrix: p,
      features: join(dir, 'GSM1_features.tsv.gz'),
      v2: false,
      barcodes: join(dir, 'GSM1_barcodes.tsv.gz'),
    });
    expectMatrix(readMtxDir(p), 4, 3, ENTRIES);
    const dir2 = mtxDir({ 'matrix.mtx': mtxText(4, 3, ENTRIES), 'features.tsv': featuresV3, 'barcodes.tsv': barcodesTxt });
    expectMatrix(readMtxDir(join(dir2, 'matrix.mtx')), 4, 3, ENTRIES);
  });

  test('numbers beyond the fast path (17 digits, big exponents, +sign) read like Number()', () => {
    const vals = ['0.12345678901234567', '1e-300', '+2.5E+2', '00042', '3.'];
    const entries: Triplet[] = vals.map((v, i) => [i + 1, 1, Number(v)]);
    const text = mtxText(5, 1, []).replace('5 1 0', '5 1 5') + vals.map((v, i) => `${i + 1} 1 ${v}`).join('\n') + '\n';
    const dir = mtxDir({ 'matrix.mtx': text, 'features.tsv': 'a\nb\nc\nd\ne\n', 'barcodes.tsv': 'x\n' });
    expectMatrix(readMtxDir(dir), 5, 1, entries);
  });

  test('a larger random matrix (plain > one 4 MiB chunk, and gzipped) matches its triplets', () => {
    // Deterministic LCG so the test is reproducible.
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const rows = 800;
    const cols = 700;
    const entries: Triplet[] = [];
    for (let r = 1; r <= rows; r++) {
      for (let c = 1; c <= cols; c++) {
        if (rand() < 0.9) entries.push([r, c, Math.floor(rand() * 1000) / 8]);
      }
    }
    const text = mtxText(rows, cols, entries, 'real');
    expect(text.length).toBeGreaterThan(1 << 22);
    const feats = Array.from({ length: rows }, (_, i) => `G${i}\tgene${i}\tGene Expression`).join('\n');
    const bcs = Array.from({ length: cols }, (_, j) => `BC${j}-1`).join('\n');
    const expected = dense(rows, cols, entries);
    for (const gz of [false, true]) {
      const dir = mtxDir({
        [gz ? 'matrix.mtx.gz' : 'matrix.mtx']: text,
        'features.tsv': feats,
        'barcodes.tsv': bcs,
      });
      const m = readMtxDir(dir);
      expect([m.rows, m.cols]).toEqual([rows, cols]);
      let diff = 0;
      for (let i = 0; i < expected.length; i++) if (m.data[i] !== expected[i]) diff++;
      expect(diff).toBe(0);
      expect(m.rowIds[799]).toBe('G799');
      expect(m.colIds[699]).toBe('BC699-1');
    }
  });

  test('through readMatrixFile: a directory, a .mtx.gz path, and format "mtx"', () => {
    const dir = mtxDir({ 'matrix.mtx.gz': mtxText(4, 3, ENTRIES), 'features.tsv.gz': featuresV3, 'barcodes.tsv.gz': barcodesTxt });
    expectMatrix(readMatrixFile(dir), 4, 3, ENTRIES);
    expectMatrix(readMatrixFile(join(dir, 'matrix.mtx.gz')), 4, 3, ENTRIES);
    expectMatrix(readMatrixFile(dir, 'mtx'), 4, 3, ENTRIES);
    expect(readMatrixFile(dir).source.format).toBe('mtx');
  });
});

const hasScipy = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import scipy.io, scipy.sparse, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('files written by scipy.io.mmwrite', () => {
  it.skipIf(!hasScipy)('reads back the same values (real and integer, plain and gzipped)', () => {
    const dir = join(root, 'scipy');
    mkdirSync(dir);
    const script = `
import gzip, json, shutil, sys
import numpy as np, scipy.io, scipy.sparse
d = sys.argv[1]
rng = np.random.default_rng(7)
m = scipy.sparse.random(40, 30, density=0.2, format='coo', random_state=rng) * 1000
scipy.io.mmwrite(d + '/real/matrix.mtx', m)
scipy.io.mmwrite(d + '/int/matrix.mtx', m.astype(np.int64))
with open(d + '/int/matrix.mtx', 'rb') as f, gzip.open(d + '/int/matrix.mtx.gz', 'wb') as g:
    shutil.copyfileobj(f, g)
import os; os.remove(d + '/int/matrix.mtx')
json.dump({'real': m.toarray().ravel().tolist(), 'int': m.astype(np.int64).toarray().ravel().tolist()}, open(d + '/expected.json', 'w'))
`;
    for (const sub of ['real', 'int']) {
      mkdirSync(join(dir, sub));
      writeFileSync(join(dir, sub, 'features.tsv'), Array.from({ length: 40 }, (_, i) => `F${i}\tname${i}\tGene Expression`).join('\n') + '\n');
      writeFileSync(join(dir, sub, 'barcodes.tsv'), Array.from({ length: 30 }, (_, j) => `B${j}`).join('\n') + '\n');
    }
    execFileSync(PYTHON, ['-c', script, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    const expected = JSON.parse(execFileSync('cat', [join(dir, 'expected.json')], { encoding: 'utf8' })) as Record<string, number[]>;
    for (const sub of ['real', 'int']) {
      const m = readMtxDir(join(dir, sub));
      expect([m.rows, m.cols]).toEqual([40, 30]);
      if (sub === 'int') expect(Array.from(m.data)).toEqual(expected[sub]);
      else {
        // mmwrite prints 16 significant digits ('%.15e'), which cannot carry every double: within 1e-15 relative.
        const want = expected[sub]!;
        const worst = Math.max(...Array.from(m.data, (v, i) => Math.abs(v - want[i]!) / Math.max(Math.abs(want[i]!), 1e-300)));
        expect(worst).toBeLessThan(1e-15);
        expect(Array.from(m.data, (v) => v === 0)).toEqual(want.map((v) => v === 0));
      }
      expect(m.rowIds[39]).toBe('F39');
      expect(m.rowDescriptions[0]).toBe('name0');
      expect(m.colIds[29]).toBe('B29');
    }
    expect(expected.int!.some((v) => v > 0)).toBe(true);
  });
});

describe('readMtxDir: errors (exit 3, one sentence naming the file and line)', () => {
  const ok = { 'features.tsv': featuresV3, 'barcodes.tsv': barcodesTxt };
  const withMtx = (text: string | Buffer, name = 'matrix.mtx'): [string, string] => {
    const dir = mtxDir({ [name]: text, ...ok });
    return [dir, join(dir, name)];
  };

  test('missing matrix, features and barcodes files say which and the accepted names', () => {
    const d1 = mtxDir(ok);
    expectInputError(() => readMtxDir(d1), { file: d1 }, /no matrix\.mtx\.gz or matrix\.mtx file/);
    expectInputError(() => readMatrixFile(d1), { file: d1 }, /no matrix\.mtx\.gz or matrix\.mtx file/);
    const d2 = mtxDir({ 'matrix.mtx': mtxText(4, 3, ENTRIES), 'barcodes.tsv': barcodesTxt });
    expectInputError(() => readMtxDir(d2), { file: join(d2, 'matrix.mtx') }, /no features file .*features\.tsv\.gz, features\.tsv, genes\.tsv\.gz, genes\.tsv/);
    const d3 = mtxDir({ 'matrix.mtx': mtxText(4, 3, ENTRIES), 'features.tsv': featuresV3 });
    expectInputError(() => readMtxDir(d3), { file: join(d3, 'matrix.mtx') }, /no barcodes file .*barcodes\.tsv\.gz, barcodes\.tsv/);
    const missing = join(root, 'nope', 'matrix.mtx');
    expectInputError(() => readMatrixFile(missing), { file: missing }, /does not exist/);
  });

  test('header line: not MatrixMarket, array, pattern, complex, symmetric', () => {
    const cases: [string, RegExp][] = [
      ['%%MatrixMarket matrix coordinate real general'.replace('%%MatrixMarket', 'hello'), /not a MatrixMarket header/],
      ['%%MatrixMarket matrix array real general', /dense MatrixMarket "array" file/],
      ['%%MatrixMarket matrix coordinate pattern general', /"pattern" matrix with no values/],
      ['%%MatrixMarket matrix coordinate complex general', /complex values are not supported/],
      ['%%MatrixMarket matrix coordinate real symmetric', /symmetry "symmetric" is not supported/],
      ['%%MatrixMarket matrix coordinate integer skew-symmetric', /symmetry "skew-symmetric"/],
      ['%%MatrixMarket vector coordinate real general', /not a MatrixMarket matrix header/],
    ];
    for (const [header, re] of cases) {
      const [, p] = withMtx(`${header}\n4 3 1\n1 1 1\n`);
      expectInputError(() => readMtxDir(p), { file: p, line: 1 }, re);
    }
    const [, empty] = withMtx('');
    expectInputError(() => readMtxDir(empty), { file: empty, line: 1 }, /empty/);
  });

  test('size line malformed or missing', () => {
    for (const size of ['4 3', '4 3 x', '4 3 1 9', '-4 3 1', '4.0 3 1']) {
      const [, p] = withMtx(`%%MatrixMarket matrix coordinate real general\n% c\n${size}\n1 1 1\n`);
      expectInputError(() => readMtxDir(p), { file: p, line: 3 }, /size line .* is malformed/);
    }
    const [, p] = withMtx('%%MatrixMarket matrix coordinate real general\n% only comments\n');
    expectInputError(() => readMtxDir(p), { file: p, line: 2 }, /ends before the size line/);
  });

  test('row or column out of range names the line and the bound', () => {
    const [, p] = withMtx(mtxText(4, 3, [[1, 1, 1], [5, 1, 2]]));
    expectInputError(() => readMtxDir(p), { file: p, line: 5 }, /row index "5" is outside 1\.\.4 \(the size line, line 3, says 4 features\)/);
    const [, q] = withMtx(mtxText(4, 3, [[1, 0, 1]]));
    expectInputError(() => readMtxDir(q), { file: q, line: 4 }, /column index "0" is outside 1\.\.3/);
    const [, r] = withMtx(mtxText(4, 3, [[1, 4, 1]]));
    expectInputError(() => readMtxDir(r), { file: r, line: 4 }, /column index "4" is outside 1\.\.3 .*3 barcodes/);
  });

  test('entry count on the size line disagrees with the body (both numbers)', () => {
    const fewer = mtxText(4, 3, ENTRIES).replace('4 3 5', '4 3 7');
    const [, p] = withMtx(fewer);
    expectInputError(() => readMtxDir(p), { file: p, line: 3 }, /says 7 entries but the file has 5, so it may be truncated/);
    const more = mtxText(4, 3, ENTRIES).replace('4 3 5', '4 3 3');
    const [, q] = withMtx(more);
    expectInputError(() => readMtxDir(q), { file: q, line: 3 }, /says 3 entries but the file has 5 \(the first extra one is on line 7\)/);
  });

  test('non-numeric, NaN, Inf values and wrong field counts', () => {
    const cases: [string, RegExp][] = [
      ['abc', /the value "abc" at row 2, column 2 is not a number/],
      ['NaN', /the value "NaN" at row 2, column 2 is missing or not finite/],
      ['inf', /"inf" .* is missing or not finite/],
      ['-Infinity', /missing or not finite/],
      ['1e999', /"1e999" .*missing or not finite/],
      ['0x1A', /is not a number/],
      ['1,5', /is not a number/],
    ];
    for (const [v, re] of cases) {
      const [, p] = withMtx(mtxText(4, 3, [[1, 1, 1]]).replace('4 3 1', '4 3 2') + `2 2 ${v}\n`);
      expectInputError(() => readMtxDir(p), { file: p, line: 5 }, re);
    }
    const [, q] = withMtx(mtxText(4, 3, [[1, 1, 1]]).replace('4 3 1', '4 3 2') + '2 2\n');
    expectInputError(() => readMtxDir(q), { file: q, line: 5 }, /has 2 fields but 3 are expected/);
    const [, r] = withMtx(mtxText(4, 3, [[1, 1, 1]]).replace('4 3 1', '4 3 2') + '2 2 1 9\n');
    expectInputError(() => readMtxDir(r), { file: r, line: 5 }, /has 4 fields/);
  });

  test('a plain .mtx cut inside its last entry (no final line ending) is refused', () => {
    const text = mtxText(4, 3, ENTRIES);
    const [, p] = withMtx(text.slice(0, text.length - 2)); // "1 3 2\n" -> "1 3 "
    expectInputError(() => readMtxDir(p), { file: p, line: 8 }, /has 2 fields/);
    const cut = mtxText(4, 3, [[1, 1, 3], [4, 3, 120]]);
    const [, q] = withMtx(cut.slice(0, cut.length - 2)); // "4 3 120\n" -> "4 3 12"
    expectInputError(() => readMtxDir(q), { file: q, line: 5 }, /no line ending, so the file looks truncated/);
  });

  test('duplicate (row, column) entries name both lines', () => {
    const [, p] = withMtx(mtxText(4, 3, [[1, 1, 1], [2, 3, 5], [3, 3, 1], [2, 3, 6]]));
    expectInputError(() => readMtxDir(p), { file: p, line: 7 }, /row 2, column 3 is listed twice, on line 5 and line 7/);
    const [, q] = withMtx(mtxText(4, 3, [[2, 3, 5], [2, 3, 6]]).replace('2 3 5', '2\t3\t5'), 'matrix.mtx');
    expectInputError(() => readMtxDir(q), { file: q, line: 5 }, /listed twice, on line 4 and line 5/);
  });

  test('features and barcodes counts must match the size line', () => {
    const d = mtxDir({ 'matrix.mtx': mtxText(5, 3, ENTRIES), ...ok });
    expectInputError(() => readMtxDir(d), { file: join(d, 'features.tsv') }, /lists 4 features but .*matrix\.mtx line 3 says the matrix has 5 rows/);
    const e = mtxDir({ 'matrix.mtx': mtxText(4, 4, ENTRIES), ...ok });
    expectInputError(() => readMtxDir(e), { file: join(e, 'barcodes.tsv') }, /lists 3 barcodes but .*matrix\.mtx line 3 says the matrix has 4 columns/);
  });

  test('duplicate, empty barcodes and holes in the name lists', () => {
    const d = mtxDir({ 'matrix.mtx': mtxText(4, 3, ENTRIES), 'features.tsv': featuresV3, 'barcodes.tsv': 'A-1\nB-1\nA-1\n' });
    expectInputError(() => readMtxDir(d), { file: join(d, 'barcodes.tsv'), line: 3 }, /barcode "A-1" appears twice, on line 1 and line 3/);
    const e = mtxDir({ 'matrix.mtx': mtxText(4, 3, ENTRIES), 'features.tsv': featuresV3, 'barcodes.tsv': 'A-1\n\tx\nC-1\n' });
    expectInputError(() => readMtxDir(e), { file: join(e, 'barcodes.tsv'), line: 2 }, /barcode is empty/);
    const f = mtxDir({ 'matrix.mtx': mtxText(4, 3, ENTRIES), 'features.tsv': 'a\nb\n\nc\nd\n', 'barcodes.tsv': barcodesTxt });
    expectInputError(() => readMtxDir(f), { file: join(f, 'features.tsv'), line: 3 }, /empty but features follow/);
    const g = mtxDir({ 'matrix.mtx': mtxText(4, 3, ENTRIES), 'features.tsv': featuresV3, 'barcodes.tsv': '' });
    expectInputError(() => readMtxDir(g), { file: join(g, 'barcodes.tsv'), line: 1 }, /no barcodes/);
  });

  test('truncated or corrupt gzip', () => {
    const gz = gzipSync(Buffer.from(mtxText(4, 3, ENTRIES)));
    const dir = mtxDir(ok);
    const p = join(dir, 'matrix.mtx.gz');
    writeFileSync(p, gz.subarray(0, gz.length - 12));
    expectInputError(() => readMtxDir(dir), { file: p }, /the file is truncated or not valid gzip/);
    const bad = Buffer.from(gz);
    bad[12] = bad[12]! ^ 0xff;
    writeFileSync(p, bad);
    expectInputError(() => readMtxDir(dir), { file: p }, /truncated or not valid gzip/);
    const dir2 = mtxDir({ 'matrix.mtx': mtxText(4, 3, ENTRIES), 'features.tsv': featuresV3 });
    const bcz = gzipSync(Buffer.from(barcodesTxt));
    writeFileSync(join(dir2, 'barcodes.tsv.gz'), bcz.subarray(0, bcz.length - 5));
    expectInputError(() => readMtxDir(dir2), { file: join(dir2, 'barcodes.tsv.gz') }, /cannot be decompressed/);
  });

  test('a dense size beyond 2^31 - 1 cells is refused before allocating, naming the size', () => {
    const rows = 50000;
    const cols = 50000;
    const dir = mtxDir({
      'matrix.mtx': `%%MatrixMarket matrix coordinate integer general\n${rows} ${cols} 1\n1 1 1\n`,
      'features.tsv': Array.from({ length: rows }, (_, i) => `g${i}`).join('\n'),
      'barcodes.tsv': Array.from({ length: cols }, (_, j) => `b${j}`).join('\n'),
    });
    expectInputError(() => readMtxDir(dir), { file: join(dir, 'matrix.mtx'), line: 2 }, /50000 features x 50000 barcodes = 2500000000 cells \(18\.6 GiB as float64\)/);
  });
});
