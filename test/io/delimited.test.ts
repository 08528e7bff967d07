import { describe, expect, test } from 'vitest';
import { readDelimited, separatorForPath, sniffSeparator } from '../../tasks/lib/io/delimited.js';
import { expectInputError, tempDir } from './helpers.js';

const file = tempDir('delim');

describe('TSV/CSV reading', () => {
  test('TSV with a named id column', () => {
    const m = readDelimited(file('a.tsv', 'gene\ts1\ts2\ng1\t1\t2\ng2\t3\t4.5\n'));
    expect([m.rows, m.cols]).toEqual([2, 2]);
    expect(m.colIds).toEqual(['s1', 's2']);
    expect(m.rowIds).toEqual(['g1', 'g2']);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4.5]);
    expect(m.rowDescriptions).toEqual(['', '']);
    expect(m.source.format).toBe('tsv');
    expect(Array.from(m.source.rowLines)).toEqual([2, 3]);
    expect(Array.from(m.source.colColumns)).toEqual([2, 3]);
  });

  test('empty first header cell, .txt extension, CRLF, BOM, trailing blank lines', () => {
    const m = readDelimited(file('b.txt', '\ufeff\ts1\ts2\r\ng1\t1\t2\r\n\r\n'));
    expect(m.colIds).toEqual(['s1', 's2']);
    expect(Array.from(m.data)).toEqual([1, 2]);
  });

  test('R write.table style header (no row-id column name)', () => {
    const m = readDelimited(file('r.tsv', '"s1"\t"s2"\t"s3"\n"g1"\t1\t2\t3\n"g2"\t4\t5\t6\n'));
    expect(m.colIds).toEqual(['s1', 's2', 's3']);
    expect(m.rowIds).toEqual(['g1', 'g2']);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('CSV with RFC 4180 quotes: separators, doubled quotes and a line break inside quotes', () => {
    const text = [
      'id,"sample, one","say ""hi""",plain',
      '"gene,1",1,2,3',
      'gene2,"4",5,6',
      '"multi',
      'line",7,8,9',
      'gene4,10,11,12',
    ].join('\r\n');
    const m = readDelimited(file('q.csv', text));
    expect(m.source.format).toBe('csv');
    expect(m.colIds).toEqual(['sample, one', 'say "hi"', 'plain']);
    expect(m.rowIds).toEqual(['gene,1', 'gene2', 'multi\nline', 'gene4']);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Array.from(m.source.rowLines)).toEqual([2, 3, 4, 6]);
  });

  test('gzipped CSV (.csv.gz)', () => {
    const m = readDelimited(file('z.csv.gz', 'id,a,b\nx,1,2\n', true));
    expect(m.colIds).toEqual(['a', 'b']);
    expect(Array.from(m.data)).toEqual([1, 2]);
  });

  test('separator: by extension, sniffed for unknown extensions, and the extension overridden when the header disagrees', () => {
    expect(separatorForPath('x.TSV.gz')).toBe('\t');
    expect(separatorForPath('x.csv.gz')).toBe(',');
    expect(separatorForPath('x.dat')).toBeUndefined();
    expect(sniffSeparator('a,b,"c\td"')).toBe(',');
    expect(sniffSeparator('a\tb\tc,d')).toBe('\t');
    expect(readDelimited(file('s.dat', 'id,a,b\nx,1,2\n')).colIds).toEqual(['a', 'b']);
    expect(readDelimited(file('t.dat', 'id\ta\tb\nx\t1\t2\n')).colIds).toEqual(['a', 'b']);
    expect(readDelimited(file('wrong.tsv', 'id,a,b\nx,1,2\n')).colIds).toEqual(['a', 'b']);
    // An explicit separator wins: commas inside tab-separated cells stay text.
    expect(readDelimited(file('explicit.dat', 'id\ta,1\tb\nx\t1\t2\n'), '\t').colIds).toEqual(['a,1', 'b']);
  });

  test('a header with trailing empty cells (Excel) and rows with trailing separators', () => {
    const m = readDelimited(file('excel.csv', 'id,a,b,,\nx,1,2,,\ny,3,4\n'));
    expect(m.colIds).toEqual(['a', 'b']);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4]);
  });
});

describe('TSV/CSV errors (exit 3, one sentence, file + line/column)', () => {
  test('missing file', () => {
    const p = file('nope.csv');
    expectInputError(() => readDelimited(p), { file: p }, /does not exist/);
  });

  test('empty file', () => {
    const p = file('empty.tsv', '');
    expectInputError(() => readDelimited(p), { file: p, line: 1 }, /empty/);
  });

  test('header only: no data rows', () => {
    const p = file('hdr-only.tsv', 'id\ta\tb\n\n');
    expectInputError(() => readDelimited(p), { file: p, line: 2 }, /no data rows/);
  });

  test('no sample columns', () => {
    const p = file('nosamples.tsv', 'id\ng1\ng2\n');
    expectInputError(() => readDelimited(p), { file: p, line: 1 }, /no sample columns/);
  });

  test('first data row does not fit the header', () => {
    const p = file('misfit.tsv', 'id\ta\tb\ng1\t1\t2\t3\t4\n');
    expectInputError(() => readDelimited(p), { file: p, line: 2 }, /has 5 tab-separated cells but the header \(line 1\) has 3/);
  });

  test('ragged row later in the file', () => {
    const p = file('ragged.csv', 'id,a,b\ng1,1,2\ng2,1\n');
    expectInputError(() => readDelimited(p), { file: p, line: 3 }, /has 2 comma-separated cells but 3 are expected/);
  });

  test('non-numeric cell with its sample id and spreadsheet column', () => {
    const p = file('text.csv', 'id,a,b,c\ng1,1,2,3\ng2,1,"n/a?",3\n');
    expectInputError(() => readDelimited(p), { file: p, line: 3, column: 3 }, /"n\/a\?" in sample "b" \(feature "g2"\) is not a number/);
  });

  test('missing value (NA) and empty cell', () => {
    const p = file('na.tsv', 'id\ta\tb\ng1\t1\tNA\n');
    expectInputError(() => readDelimited(p), { file: p, line: 2, column: 3 }, /missing.*not allowed.*impute/);
    const q = file('emptycell.csv', 'id,a,b\ng1,,2\n');
    expectInputError(() => readDelimited(q), { file: q, line: 2, column: 2 }, /empty cell in sample "a"/);
  });

  test('duplicate sample ids name both columns', () => {
    const p = file('dup.csv', 'id,a,b,a\ng,1,2,3\n');
    expectInputError(() => readDelimited(p), { file: p, line: 1, column: 4 }, /"a" appears twice in the header, in column 2 and column 4/);
    // R-style header: sample j is in header column j + 1.
    const q = file('dup-r.tsv', 'a\tb\ta\ng\t1\t2\t3\n');
    expectInputError(() => readDelimited(q), { file: q, line: 1, column: 3 }, /in column 1 and column 3/);
  });

  test('unclosed quote in CSV', () => {
    const p = file('unclosed.csv', 'id,a,b\n"g1,1,2\ng2,3,4\n');
    expectInputError(() => readDelimited(p), { file: p, line: 2 }, /never closed/);
  });
});
