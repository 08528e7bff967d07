import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { readGct, writeGct12, formatFloat32 } from '../../tasks/lib/io/gct.js';
import { expectInputError, tempDir } from './helpers.js';
import { ALL_AML, ALL_AML_ORIG, ESGOLUB_GZ } from '../paths.js';
import { writeSyntheticGct } from '../../bench/synthetic.js';
import { readNpy } from '../../tasks/lib/io/npy.js';
const file = tempDir('gct');

function gct12(rows: string[], samples = ['s1', 's2', 's3'], dims?: string): string {
  return ['#1.2', dims ?? `${rows.length}\t${samples.length}`, ['Name', 'Description', ...samples].join('\t'), ...rows].join('\n') + '\n';
}

describe('real data', () => {
  test('ALL_AML_data.gct reads as 5000 x 38, checked against the raw text', () => {
    const text = readFileSync(ALL_AML, 'utf8').split('\n');
    const header = text[2]!.split('\t');
    const firstRow = text[3]!.split('\t');
    const lastRow = text[5002]!.split('\t');
    const m = readGct(ALL_AML);
    expect([m.rows, m.cols]).toEqual([5000, 38]);
    expect(m.data).toBeInstanceOf(Float64Array);
    expect(m.data.length).toBe(5000 * 38);
    expect(m.colIds[0]).toBe('ALL_19769_B-cell');
    expect(m.colIds).toEqual(header.slice(2));
    expect(m.data[0]).toBe(1080);
    expect(m.data[0]).toBe(Number(firstRow[2]));
    expect(m.rowIds[0]).toBe(firstRow[0]);
    expect(m.rowDescriptions[0]).toBe(firstRow[1]);
    expect(m.rowIds[4999]).toBe(lastRow[0]);
    expect(Array.from(m.data.subarray(4999 * 38))).toEqual(lastRow.slice(2).map(Number));
    expect(m.source.rowLines[0]).toBe(4);
    expect(m.source.rowLines[4999]).toBe(5003);
    expect(m.source.colColumns[0]).toBe(3);
    expect(m.source.format).toBe('gct1.2');
  });

  test('ALL_AML_data.gct equals esGolub.gct.gz (PROVENANCE: identical values; esGolub sum 65006387)', () => {
    const a = readGct(ALL_AML);
    const b = readGct(ESGOLUB_GZ);
    expect(b.rowIds).toEqual(a.rowIds);
    let diff = 0;
    for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) diff++;
    expect(diff).toBe(0);
    expect(b.data.length).toBe(a.data.length);
    let sum = 0;
    for (const v of a.data) sum += v;
    expect(sum).toBe(65006387);
    expect(b.rowDescriptions[0]).toBe('IMMUNOGLOBULIN J CHAIN');
  });

  test('all_aml_train.orig.gct: CRLF, trailing tabs and quoted descriptions are handled', () => {
    const raw = readFileSync(ALL_AML_ORIG, 'latin1');
    expect(raw.includes('\r\n')).toBe(true); // the fixture really is CRLF
    const lines = raw.split('\r\n');
    const m = readGct(ALL_AML_ORIG);
    expect([m.rows, m.cols]).toEqual([7129, 38]);
    expect(m.colIds[37]).toBe(lines[2]!.split('\t')[39]);
    expect(m.colIds.every((id) => !/\s/.test(id))).toBe(true);
    expect(m.rowIds.every((id) => !id.includes('\r'))).toBe(true);
    const last = lines[7131]!.split('\t');
    expect(m.rowIds[7128]).toBe(last[0]);
    expect(m.data[7128 * 38 + 37]).toBe(Number(last[39]));
    expect(m.data[0]).toBe(Number(lines[3]!.split('\t')[2]));
    // A quoted description (it contains a comma) is unquoted.
    const i = m.rowIds.indexOf('M71243_f_at');
    expect(m.rowDescriptions[i]).toBe('Glycophorin Sta type A (HGpSta(A)) gene, exons 3 and 4 and partial cds');
  });

  test('a seeded 2000 x 300 GCT of several MB reads the same gzipped as plain, and as the values written', async () => {
    // The bench's generator (bench/synthetic.ts) writes the text and, independently, the parsed float32 values.
    const plain = file('synth.gct');
    const npy = file('synth.npy');
    await writeSyntheticGct(plain, { m: 2000, n: 300, k: 5, seed: 20240601, noise: 0.1 }, npy);
    const raw = readFileSync(plain);
    expect(raw.length).toBeGreaterThan(2 ** 22); // several gzip blocks and read chunks
    const gz = file('synth.gct.gz', raw, true);
    const a = readGct(plain);
    const b = readGct(gz);
    expect([b.rows, b.cols]).toEqual([2000, 300]);
    expect(b.colIds).toEqual(a.colIds);
    expect(b.rowIds).toEqual(a.rowIds);
    expect(b.data).toEqual(a.data);
    const ref = readNpy(npy);
    expect(ref.shape).toEqual([2000, 300]);
    let mismatches = 0;
    for (let i = 0; i < b.data.length; i++) if (Math.fround(b.data[i]!) !== ref.data[i]) mismatches++;
    expect(mismatches).toBe(0);
  });
});

describe('GCT variants', () => {
  test('GCT 1.3 with row and column metadata', () => {
    const text = [
      '#1.3',
      '3\t2\t2\t2',
      'id\tDescription\tgroup\tsA\tsB',
      'cell_type\tna\tna\tT\tB',
      'batch\tna\tna\t1\t2',
      'g1\tgene one\tx\t1\t2',
      'g2\tgene two\ty\t3.5\t0',
      'g3\tgene three\tz\t1e3\t-0.25',
    ].join('\n');
    const m = readGct(file('meta.gct', text));
    expect([m.rows, m.cols]).toEqual([3, 2]);
    expect(m.colIds).toEqual(['sA', 'sB']);
    expect(m.rowIds).toEqual(['g1', 'g2', 'g3']);
    expect(m.rowDescriptions).toEqual(['gene one', 'gene two', 'gene three']);
    expect(Array.from(m.data)).toEqual([1, 2, 3.5, 0, 1000, -0.25]);
    expect(m.rowMeta).toEqual({ names: ['Description', 'group'], values: [['gene one', 'gene two', 'gene three'], ['x', 'y', 'z']] });
    expect(m.colMeta).toEqual({ names: ['cell_type', 'batch'], values: [['T', 'B'], ['1', '2']] });
    expect(m.source.format).toBe('gct1.3');
    expect(Array.from(m.source.rowLines)).toEqual([6, 7, 8]);
    expect(Array.from(m.source.colColumns)).toEqual([4, 5]);
  });

  test('GCT 1.3 without metadata', () => {
    const m = readGct(file('nometa.gct', '#1.3\n1\t2\t0\t0\nid\ta\tb\ng\t1\t2\n'));
    expect(m.colIds).toEqual(['a', 'b']);
    expect(m.rowDescriptions).toEqual(['']);
    expect(Array.from(m.data)).toEqual([1, 2]);
  });

  test('CRLF, UTF-8 BOM, trailing empty lines and trailing tabs', () => {
    const text = '\ufeff#1.2\t\t\r\n2\t2\t\t\r\nName\tDescription\tä1\tb2\t\r\nr1\td\t1\t2\t\r\nr2\td\t3\t4\r\n\r\n\r\n\t\t\r\n';
    const m = readGct(file('crlf.gct', text));
    expect(m.colIds).toEqual(['ä1', 'b2']);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4]);
    expect(m.rowIds).toEqual(['r1', 'r2']);
  });

  test('bare CR line endings', () => {
    const m = readGct(file('cr.gct', '#1.2\r1\t1\rName\tDescription\ts\rr\td\t7\r'));
    expect(Array.from(m.data)).toEqual([7]);
  });

  test('gzip detected by magic bytes, whatever the name', () => {
    const text = gct12(['r1\td\t1\t2\t3', 'r2\td\t4\t5\t6']);
    expect(Array.from(readGct(file('z.gct.gz', text, true)).data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(readGct(file('z-no-ext.gct', text, true)).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('numbers: signs, exponents, many digits, quoted numbers', () => {
    const cells = ['+1.5', '-0', '1E-5', '.5', '5.', '123456789012345678', '0.1000000000000000055511151231257827', '1e-320', '"42"'];
    const m = readGct(file('nums.gct', gct12([`r\td\t${cells.join('\t')}`], cells.map((_, j) => `s${j}`))));
    expect(Array.from(m.data)).toEqual([1.5, -0, 1e-5, 0.5, 5, 123456789012345678, 0.1, 1e-320, 42]);
    expect(Object.is(m.data[1], -0)).toBe(true);
  });

  test('every parsed number equals Number() of its text (fast path vs long mantissas and exponents)', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
    const texts: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const int = digits(1 + Math.floor(rnd() * 12));
      const frac = digits(Math.floor(rnd() * 14));
      const exp = rnd() < 0.3 ? `e${Math.floor(rnd() * 60) - 30}` : '';
      texts.push(`${rnd() < 0.3 ? '-' : ''}${int}${frac ? '.' + frac : ''}${exp}`);
    }
    const cols = 40;
    const rows: string[] = [];
    for (let r = 0; r < texts.length / cols; r++) rows.push(`g${r}\td\t${texts.slice(r * cols, r * cols + cols).join('\t')}`);
    const m = readGct(file('random-numbers.gct', gct12(rows, Array.from({ length: cols }, (_, j) => `s${j}`))));
    const bad = texts.filter((t, i) => !Object.is(m.data[i], Number(t)));
    expect(bad).toEqual([]);
  });

  test('duplicate feature ids are an input error naming both lines (issue 4: ids must be unique)', () => {
    const p = file('dupfeat.gct', gct12(['g\td\t1\t2\t3', 'h\td\t1\t2\t3', 'g\td\t4\t5\t6']));
    expectInputError(() => readGct(p), { file: p, line: 6, column: 1 }, /feature id "g" appears twice, on line 4 and line 6; make feature ids unique/);
  });
});

describe('GCT errors (exit 3, one sentence, file + line/column)', () => {
  test('missing file', () => {
    const p = file('does-not-exist.gct');
    expectInputError(() => readGct(p), { file: p }, /does not exist/);
  });

  test('a directory', () => {
    const p = file('a-dir.gct');
    mkdirSync(p);
    expectInputError(() => readGct(p), { file: p }, /directory/);
  });

  test('empty file', () => {
    const p = file('empty.gct', '');
    expectInputError(() => readGct(p), { file: p, line: 1 }, /empty/);
    const q = file('blank.gct', '\n\n  \n');
    expectInputError(() => readGct(q), { file: q, line: 1 }, /empty/);
  });

  test('corrupt gzip', () => {
    const good = gzipSync(Buffer.from(gct12(['r\td\t1\t2\t3'])));
    const p = file('bad.gct.gz', good.subarray(0, 20));
    expectInputError(() => readGct(p), { file: p }, /gzip/);
  });

  test('unknown GCT version', () => {
    const p = file('v14.gct', '#1.4\n1\t1\nName\tDescription\ts\nr\td\t1\n');
    expectInputError(() => readGct(p), { file: p, line: 1 }, /"#1\.4" is not supported.*#1\.2 or #1\.3/);
    const q = file('noversion.gct', 'Name\tDescription\ts\nr\td\t1\n');
    expectInputError(() => readGct(q), { file: q, line: 1 }, /not a GCT version line/);
  });

  test('malformed dimensions line', () => {
    const p = file('dims.gct', '#1.2\n5000 x 38\nName\tDescription\ts\nr\td\t1\n');
    expectInputError(() => readGct(p), { file: p, line: 2 }, /dimensions line "5000 x 38" is malformed.*ROWS<TAB>COLUMNS/);
    const q = file('dims13.gct', '#1.3\n1\t1\nid\ts\nr\t1\n');
    expectInputError(() => readGct(q), { file: q, line: 2 }, /needs 4 whole numbers/);
  });

  test('empty matrix: 0 rows or 0 samples', () => {
    const p = file('zero-rows.gct', '#1.2\n0\t3\nName\tDescription\ta\tb\tc\n');
    expectInputError(() => readGct(p), { file: p, line: 2 }, /0 rows and 3 samples, so it is empty/);
    const q = file('zero-cols.gct', '#1.2\n2\t0\nName\tDescription\nr\td\nr2\td\n');
    expectInputError(() => readGct(q), { file: q, line: 2 }, /2 rows and 0 samples/);
  });

  test('header sample count does not match the dimensions line', () => {
    const p = file('hdr.gct', gct12(['r\td\t1\t2\t3'], ['s1', 's2', 's3'], '1\t4'));
    expectInputError(() => readGct(p), { file: p, line: 3 }, /says 4 samples but the header has 3 sample columns/);
  });

  test('fewer data rows than the dimensions line says', () => {
    const p = file('fewer.gct', gct12(['r1\td\t1\t2\t3', 'r2\td\t1\t2\t3'], undefined, '3\t3'));
    expectInputError(() => readGct(p), { file: p, line: 2 }, /says 3 data rows but the file has 2/);
    const q = file('far-fewer.gct', gct12(['r1\td\t1\t2\t3'], undefined, '1000000000\t3'));
    expectInputError(() => readGct(q), { file: q, line: 2 }, /says 1000000000 data rows but the file has 1/);
  });

  test('more data rows than the dimensions line says', () => {
    const p = file('more.gct', gct12(['r1\td\t1\t2\t3', 'r2\td\t1\t2\t3', 'r3\td\t1\t2\t3'], undefined, '2\t3'));
    expectInputError(() => readGct(p), { file: p, line: 6 }, /says 2 data rows but the file has more/);
  });

  test('ragged rows: too few and too many cells', () => {
    const p = file('short.gct', gct12(['r1\td\t1\t2\t3', 'r2\td\t1\t2']));
    expectInputError(() => readGct(p), { file: p, line: 5 }, /has 4 cells but 5 are expected/);
    const q = file('long.gct', gct12(['r1\td\t1\t2\t3\t4', 'r2\td\t1\t2\t3']));
    expectInputError(() => readGct(q), { file: q, line: 4 }, /has 6 cells but 5 are expected/);
  });

  test('non-numeric cell: quotes the text and names the sample', () => {
    const p = file('text.gct', gct12(['r1\td\t1\t2\t3', 'r2\td\t1\tabc\t3']));
    expectInputError(() => readGct(p), { file: p, line: 5, column: 4 }, /"abc" in sample "s2" \(feature "r2"\) is not a number/);
    const q = file('hex.gct', gct12(['r1\td\t0x1A\t2\t3']));
    expectInputError(() => readGct(q), { file: q, line: 4, column: 3 }, /"0x1A".*is not a number/);
    const c = file('comma.gct', gct12(['r1\td\t1\t2,5\t3']));
    expectInputError(() => readGct(c), { file: c, line: 4, column: 4 }, /decimal separator/);
  });

  test('missing values: NA, NaN, Inf and empty cells', () => {
    const cases: [string, number, RegExp][] = [
      ['NA', 3, /"NA" in sample "s1"/],
      ['NaN', 4, /"NaN" in sample "s2"/],
      ['-Inf', 5, /"-Inf" in sample "s3"/],
      ['', 4, /an empty cell in sample "s2"/],
      ['1e999', 3, /"1e999"/],
    ];
    for (const [cell, column, re] of cases) {
      const cells = ['1', '2', '3'];
      cells[column - 3] = cell;
      const p = file(`missing-${column}-${cell || 'empty'}.gct`, gct12(['r0\td\t1\t1\t1', `r1\td\t${cells.join('\t')}`]));
      const err = expectInputError(() => readGct(p), { file: p, line: 5, column }, re);
      expect(err.message).toMatch(/not allowed.*impute the missing values or drop that row/);
    }
  });

  test('duplicate sample ids name both columns', () => {
    const p = file('dupsample.gct', gct12(['r\td\t1\t2\t3'], ['a', 'b', 'a']));
    expectInputError(() => readGct(p), { file: p, line: 3, column: 5 }, /"a" appears twice in the header, in column 3 and column 5/);
  });

  test('empty sample id', () => {
    const p = file('nosample.gct', gct12(['r\td\t1\t2\t3'], ['a', ' ', 'c']));
    expectInputError(() => readGct(p), { file: p, line: 3, column: 4 }, /has no name/);
  });

  test('GCT 1.3 column-metadata line with the wrong number of cells', () => {
    const p = file('meta-bad.gct', '#1.3\n1\t2\t1\t1\nid\tdesc\ta\tb\ntype\tna\tT\nr\tx\t1\t2\n');
    expectInputError(() => readGct(p), { file: p, line: 4 }, /column-metadata line has 3 cells but 4 are expected/);
  });

  test('a binary file', () => {
    const p = file('binary.gct', new Uint8Array([0x23, 0x31, 0x2e, 0x32, 0, 1, 2, 3]));
    expectInputError(() => readGct(p), { file: p }, /binary/);
  });
});

describe('writeGct12', () => {
  test('round-trips float64 exactly with the shortest format', () => {
    const data = new Float64Array([0.1, 1 / 3, 1e-300, 123456789.123, -0.5, 0, Math.PI, 2 ** 60]);
    const p = file('out/w64.gct');
    writeGct12(p, ['a', 'b'], ['desc a', 'desc\tb'], ['x', 'y', 'z', 'w'], data);
    const m = readGct(p);
    expect(m.data).toEqual(data);
    expect(m.rowDescriptions).toEqual(['desc a', 'desc b']);
    const text = readFileSync(p, 'utf8');
    expect(text.startsWith('#1.2\n2\t4\nName\tDescription\tx\ty\tz\tw\na\tdesc a\t0.1\t0.3333333333333333\t')).toBe(true);
    // Atomic write leaves no temporary file behind.
    expect(readdirSync(dirname(p)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  test('float32 data is written in shortest float32 form and reads back to the same float32', () => {
    const data = Float32Array.from([0.1, 0.7, 1 / 3, 12345.678]);
    const p = file('w32.gct');
    writeGct12(p, ['r'], null, ['a', 'b', 'c', 'd'], data);
    const line = readFileSync(p, 'utf8').split('\n')[3]!;
    expect(line).toBe('r\t\t0.1\t0.7\t0.33333334\t12345.678');
    expect(Float32Array.from(readGct(p).data)).toEqual(data);
    expect(formatFloat32(Math.fround(0.2))).toBe('0.2');
  });

  test('digits option', () => {
    const p = file('wd.gct');
    writeGct12(p, ['r'], [''], ['a', 'b'], [Math.PI, 2 / 3], { digits: 4 });
    expect(readFileSync(p, 'utf8').split('\n')[3]).toBe('r\t\t3.142\t0.6667');
  });

  test('rejects a shape mismatch and non-finite values', () => {
    expect(() => writeGct12(file('bad1.gct'), ['r'], null, ['a', 'b'], [1])).toThrow(/1 values/);
    expect(() => writeGct12(file('bad2.gct'), ['r'], null, ['a'], [NaN])).toThrow(/non-finite/);
  });
});
