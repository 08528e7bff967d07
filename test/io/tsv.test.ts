import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, test } from 'vitest';
import { sha256File } from '../../tasks/lib/io/hash.js';
import { formatTsvCell, readTsv, readTsvRecords, writeTsv, writeTsvRecords } from '../../tasks/lib/io/tsv.js';
import { expectInputError, tempDir } from './helpers.js';
import { ALL_AML } from '../paths.js';

const file = tempDir('tsv');

describe('tsv helpers', () => {
  test('write then read a table; special values as R writes them', () => {
    const p = file('out/metrics.tsv');
    writeTsv(p, ['k', 'cophenetic', 'note'], [
      [2, 0.987654321, 'ok'],
      [3, NaN, 'tab\there'],
      [4, Infinity, null],
    ]);
    expect(readFileSync(p, 'utf8')).toBe('k\tcophenetic\tnote\n2\t0.987654321\tok\n3\tNaN\ttab here\n4\tInf\tNA\n');
    expect(readTsv(p)).toEqual({
      header: ['k', 'cophenetic', 'note'],
      rows: [['2', '0.987654321', 'ok'], ['3', 'NaN', 'tab here'], ['4', 'Inf', 'NA']],
    });
    expect(readdirSync(dirname(p)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  test('records', () => {
    const p = file('samples.tsv');
    writeTsvRecords(p, ['sample', 'index'], [{ sample: 'a', index: 0 }, { sample: 'b', index: 1 }]);
    expect(readTsvRecords(p)).toEqual([{ sample: 'a', index: '0' }, { sample: 'b', index: '1' }]);
  });

  test('cell formatting', () => {
    expect(formatTsvCell(-Infinity)).toBe('-Inf');
    expect(formatTsvCell(undefined)).toBe('NA');
    expect(formatTsvCell(true)).toBe('true');
    expect(formatTsvCell(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatTsvCell('a\r\nb')).toBe('a b');
  });

  test('writing a row of the wrong width throws', () => {
    expect(() => writeTsv(file('bad.tsv'), ['a', 'b'], [[1]])).toThrow(/row 0 has 1 cells but the header has 2/);
  });

  test('reading a ragged table is an input error naming the line', () => {
    const p = file('ragged.tsv', 'a\tb\n1\t2\n3\n');
    expectInputError(() => readTsv(p), { file: p, line: 3 }, /1 tab-separated cells but the header has 2/);
  });
});

describe('sha256File', () => {
  test('known digests', () => {
    const p = file('abc.txt', 'abc');
    expect(sha256File(p)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // PROVENANCE.md: sha256 of ALL_AML_data.gct.
    expect(sha256File(ALL_AML)).toBe('b088d8658f4c05c2df5e5e5a13bb602cdda8dcb89940488f00597a48b4978b67');
  });

  test('multi-chunk file equals the one-shot digest', () => {
    const big = Buffer.alloc((1 << 22) * 2 + 12345, 7);
    const p = file('big.bin', big);
    expect(sha256File(p)).toBe(createHash('sha256').update(big).digest('hex'));
  });

  test('missing file is an input error', () => {
    const p = file('nothere.bin');
    expectInputError(() => sha256File(p), { file: p }, /does not exist/);
    expectInputError(() => sha256File(dirname(p)), { file: dirname(p) }, /directory/);
  });
});
