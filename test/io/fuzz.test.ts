/**
 * Parser fuzz test (issue 4): random truncations and byte mutations of small valid GCT, TSV, CSV and
 * 10x MTX files (generated here from a fixed seed, some gzipped), read by the real readers.
 *
 * The oracle. Every case must end in exactly one of two ways:
 *   1. the reader throws an `NmfError` with exit code 3 whose message is one line that starts with
 *      the file's path (a clean, located refusal); any other exception (a TypeError, a RangeError, a
 *      stack trace) fails the test; or
 *   2. the reader returns a matrix, and then an independent reference parser written below must
 *      accept the same bytes and give exactly the same ids, shape and values (compared with
 *      Object.is, so even -0 vs 0 counts). The reference parsers are deliberately naive: they decode
 *      the whole text, split it into lines and cells with string functions and read numbers with a
 *      regular expression and Number(); they share no code with the readers. They implement each
 *      format as documented (BOM, LF/CRLF/CR line ends, blank lines skipped, trailing empty cells,
 *      RFC 4180 quotes, GCT dimensions, MTX size line and entry count), and may be more lenient than
 *      the readers in places (e.g. they do not reject NUL bytes or duplicate feature ids): a refusal by
 *      the reader is always acceptable, so leniency in the reference cannot hide a bug, while a
 *      reader that returns something the reference rejects, or different values, fails.
 * A text file (GCT/TSV/CSV) whose last line has no line ending may have been cut inside its last
 * value, which then reads as a shorter number, exactly as the text says; the readers accept it (hand-
 * written files often lack the final newline) but must warn, so this is checked too: such a case is
 * accepted only with the warning on stderr.
 * So a mutation that does not change the meaning (a flipped bit in a description, an extra blank
 * line, a byte in the gzip header's timestamp) must give the original values, and one that does
 * (a digit changed, a row cut short) must give what the mutated text says, or be refused: the readers
 * never silently return values the bytes do not say. Counts of both outcomes are checked so the
 * comparison is never vacuous. Single mutations only; the PRNG is seeded, so failures reproduce.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { NmfError } from '../../tasks/lib/errors.js';
import { readMatrixFile } from '../../tasks/lib/io/read-input.js';
import { readMtxDir } from '../../tasks/lib/io/mtx.js';

const ROOT = mkdtempSync(join(tmpdir(), 'nmfc-fuzz-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

/** stderr of the readers (warnings), captured per case instead of flooding the test output. */
let stderr = '';
beforeAll(() => {
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});
afterAll(() => vi.restoreAllMocks());

/** mulberry32: small, seeded, reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Rng = () => number;
const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)]!;

/** The parsed result both sides are compared on. */
interface Parsed {
  rows: number;
  cols: number;
  rowIds: string[];
  colIds: string[];
  rowDescriptions?: string[];
  data: number[];
}
type Ref = { ok: true; m: Parsed } | { ok: false; why: string };
const reject = (why: string): Ref => ({ ok: false, why });

// ---------------------------------------------------------------------------------------------
// Generators of valid files.

const NUMBERS = ['0', '1', '7', '12', '250', '3.5', '0.25', '.5', '7.', '1e3', '2.5E-2', '+4', '-0', '1000000', '0.001', '123456.789', '6.02e23'];
const num = (r: Rng): string => pick(r, NUMBERS);

function genGct(r: Rng): { text: string; values: number } {
  const rows = 2 + int(r, 4);
  const cols = 2 + int(r, 3);
  const eol = r() < 0.3 ? '\r\n' : '\n';
  const trail = r() < 0.2 ? '\t' : '';
  const lines = ['#1.2', `${rows}\t${cols}`, ['Name', 'Description', ...Array.from({ length: cols }, (_, j) => `S${j}`)].join('\t') + trail];
  for (let i = 0; i < rows; i++) lines.push([`g${i}`, r() < 0.5 ? `desc ${i}` : 'na', ...Array.from({ length: cols }, () => num(r))].join('\t') + trail);
  return { text: lines.join(eol) + eol, values: rows * cols };
}

function genDelimited(r: Rng, sep: '\t' | ','): string {
  const rows = 2 + int(r, 4);
  const cols = 2 + int(r, 3);
  const eol = r() < 0.3 ? '\r\n' : '\n';
  const rStyle = r() < 0.2; // R write.table: no row-id column name
  const head = [...(rStyle ? [] : ['id']), ...Array.from({ length: cols }, (_, j) => (sep === ',' && r() < 0.2 ? `"S,${j}"` : `S${j}`))];
  const lines = [head.join(sep)];
  for (let i = 0; i < rows; i++) lines.push([sep === ',' && r() < 0.2 ? `"g ${i}"` : `g${i}`, ...Array.from({ length: cols }, () => num(r))].join(sep));
  return lines.join(eol) + eol;
}

const MTX_FEATURES = 4;
const MTX_BARCODES = 3;
function genMtx(r: Rng): string {
  const cells: string[] = [];
  for (let i = 1; i <= MTX_FEATURES; i++) for (let j = 1; j <= MTX_BARCODES; j++) if (r() < 0.5) cells.push(`${i} ${j} ${num(r)}`);
  if (cells.length === 0) cells.push(`1 1 ${num(r)}`);
  for (let k = cells.length - 1; k > 0; k--) {
    const t = int(r, k + 1);
    [cells[k], cells[t]] = [cells[t]!, cells[k]!];
  }
  const head = ['%%MatrixMarket matrix coordinate real general', ...(r() < 0.3 ? ['% written by a fuzz test'] : []), `${MTX_FEATURES} ${MTX_BARCODES} ${cells.length}`];
  return [...head, ...cells].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Mutations (one per case).

const INTERESTING = [...'0123456789.-+eE\t\n\r ,"%#NaIf'].map((c) => c.charCodeAt(0)).concat([0x00, 0x0c, 0xa0, 0xc2, 0xff]);

function mutate(r: Rng, src: Buffer): { bytes: Buffer; how: string } {
  const n = src.length;
  const at = int(r, n);
  const kind = int(r, 7);
  switch (kind) {
    case 0: {
      // Half the truncations cut the last 16 bytes: a download cut short inside the last value.
      const cut = r() < 0.5 ? at : Math.max(0, n - 1 - int(r, 16));
      return { bytes: src.subarray(0, cut), how: `truncate at ${cut}` };
    }
    case 1: {
      const b = Buffer.from(src);
      const bit = int(r, 8);
      b[at] = b[at]! ^ (1 << bit);
      return { bytes: b, how: `flip bit ${bit} of byte ${at}` };
    }
    case 2: {
      const b = Buffer.from(src);
      b[at] = pick(r, INTERESTING);
      return { bytes: b, how: `byte ${at} := 0x${b[at]!.toString(16)}` };
    }
    case 3:
      return { bytes: Buffer.concat([src.subarray(0, at), src.subarray(at + 1)]), how: `delete byte ${at}` };
    case 4: {
      const c = pick(r, INTERESTING);
      return { bytes: Buffer.concat([src.subarray(0, at), Buffer.from([c]), src.subarray(at)]), how: `insert 0x${c.toString(16)} at ${at}` };
    }
    default: {
      // Duplicate or delete one whole line.
      const lines: Buffer[] = [];
      let p = 0;
      while (p < n) {
        const e = src.indexOf(0x0a, p);
        const end = e === -1 ? n : e + 1;
        lines.push(src.subarray(p, end));
        p = end;
      }
      const k = int(r, lines.length);
      const out = kind === 5 ? [...lines.slice(0, k + 1), lines[k]!, ...lines.slice(k + 1)] : [...lines.slice(0, k), ...lines.slice(k + 1)];
      return { bytes: Buffer.concat(out), how: `${kind === 5 ? 'duplicate' : 'delete'} line ${k + 1}` };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The reference parsers: naive, string-based, no code shared with tasks/lib/io.

/** gunzip when the gzip magic is there (null when that fails), drop a UTF-8 BOM, decode. */
function decode(bytes: Buffer): string | null {
  let b = bytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b);
    } catch {
      return null;
    }
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
  return b.toString('utf8');
}

/** Lines without their ends: LF (an optional CR before it removed), or CR when the text has no LF. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lf = text.includes('\n');
  const parts = text.split(lf ? '\n' : '\r');
  if (parts[parts.length - 1] === '') parts.pop();
  return lf ? parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)) : parts;
}

/**
 * RFC 4180 cells of one line: a cell that starts with a quote runs to the next lone quote ("" is a
 * quote) and whatever follows up to the separator is appended; null when such a cell is not closed.
 */
function cellsOf(line: string, sep: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += line[i++];
      }
    }
    while (i < line.length && line[i] !== sep) cell += line[i++];
    out.push(cell);
    if (i >= line.length) return out;
    i++; // separator
  }
}

const blankWith = (line: string, sep: string): boolean => [...line].every((c) => c === sep || c === ' ' || c === '\t' || c === '\r');
const trimmedLen = (cells: string[]): number => {
  let n = cells.length;
  while (n > 0 && cells[n - 1]!.trim() === '') n--;
  return n;
};
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** A plain decimal number (white space around it allowed), finite; else NaN. */
function refNumber(cell: string): number {
  const t = cell.trim();
  if (!NUMBER_RE.test(t)) return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}
/** Cells of a data row: exactly `expected`, or more when the extra ones are blank. */
const rowFits = (cells: string[], expected: number): boolean => cells.length === expected || (cells.length > expected && trimmedLen(cells) <= expected);
const unique = (ids: string[]): boolean => new Set(ids).size === ids.length;

function refGct(bytes: Buffer): Ref {
  const text = decode(bytes);
  if (text === null) return reject('gzip');
  const lines = splitLines(text);
  const cells = (l: string) => cellsOf(l, '\t') ?? l.split('\t');
  if ((cells(lines[0] ?? '')[0] ?? '').trim() !== '#1.2') return reject('version');
  const dims = (lines[1] ?? '').trim().split(/[\t ]+/);
  if (dims.length !== 2 || !dims.every((d) => /^\d+$/.test(d))) return reject('dims');
  const [nRows, nCols] = dims.map(Number) as [number, number];
  if (nRows === 0 || nCols === 0) return reject('empty');
  let k = 2;
  while (k < lines.length && blankWith(lines[k]!, '\t')) k++;
  if (k >= lines.length) return reject('no header');
  const head = cells(lines[k]!);
  if (trimmedLen(head) - 2 !== nCols) return reject('header width');
  const colIds = head.slice(2, 2 + nCols).map((c) => c.trim());
  if (colIds.some((c) => c === '') || !unique(colIds)) return reject('sample ids');
  const rowIds: string[] = [];
  const desc: string[] = [];
  const data: number[] = [];
  for (k++; k < lines.length; k++) {
    if (blankWith(lines[k]!, '\t')) continue;
    if (rowIds.length === nRows) return reject('extra row');
    const c = cells(lines[k]!);
    if (!rowFits(c, 2 + nCols)) return reject('row width');
    rowIds.push(c[0]!.trim());
    desc.push(c[1]!.trim());
    for (let j = 0; j < nCols; j++) {
      const v = refNumber(c[2 + j]!);
      if (Number.isNaN(v)) return reject('cell');
      data.push(v);
    }
  }
  if (rowIds.length !== nRows) return reject('missing rows');
  return { ok: true, m: { rows: nRows, cols: nCols, rowIds, colIds, rowDescriptions: desc, data } };
}

function refDelimited(bytes: Buffer, byName: '\t' | ','): Ref {
  const text = decode(bytes);
  if (text === null) return reject('gzip');
  const lines = splitLines(text);
  let k = 0;
  while (k < lines.length && blankWith(lines[k]!, byName)) k++;
  if (k >= lines.length) return reject('empty');
  const header = lines[k]!;
  // Separator: the file name's, unless the header has none of it but some of the other.
  let tabs = 0;
  let commas = 0;
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '\t') tabs++;
    else if (!quoted && ch === ',') commas++;
  }
  const sniffed = tabs === 0 && commas === 0 ? undefined : tabs >= commas ? '\t' : ',';
  const s = sniffed === undefined || header.includes(byName) ? byName : sniffed;
  const headAll = cellsOf(header, s) ?? header.split(s);
  const hlen = trimmedLen(headAll);
  const hcells = headAll.slice(0, hlen).map((c) => c.trim());
  /** One record from line `k` on (a CSV quote may span lines); returns the cells and the next line. */
  const record = (at: number): { cells: string[]; next: number } | null => {
    let line = lines[at]!;
    let next = at + 1;
    let c = cellsOf(line, s);
    let joined = 1;
    while (c === null) {
      if (s === '\t') return { cells: line.split(s), next };
      if (joined >= 1000 || next >= lines.length) return null;
      line += '\n' + lines[next++];
      joined++;
      c = cellsOf(line, s);
    }
    return { cells: c, next };
  };
  k++;
  while (k < lines.length && blankWith(lines[k]!, s)) k++;
  if (k >= lines.length) return reject('no rows');
  const first = record(k);
  if (!first) return reject('open quote');
  const d0 = first.cells.length;
  const d0t = trimmedLen(first.cells);
  let rStyle: boolean;
  if (d0 === hlen || (d0 > hlen && d0t <= hlen)) rStyle = false;
  else if (d0 === hlen + 1 || (d0 > hlen + 1 && d0t <= hlen + 1)) rStyle = true;
  else return reject('first row width');
  const colIds = rStyle ? hcells : hcells.slice(1);
  const nCols = colIds.length;
  if (nCols === 0 || colIds.some((c) => c === '') || !unique(colIds)) return reject('sample ids');
  const rowIds: string[] = [];
  const data: number[] = [];
  const addRow = (c: string[]): boolean => {
    if (!rowFits(c, nCols + 1)) return false;
    for (let j = 0; j < nCols; j++) {
      const v = refNumber(c[1 + j]!);
      if (Number.isNaN(v)) return false;
      data.push(v);
    }
    rowIds.push(c[0]!.trim());
    return true;
  };
  if (!addRow(first.cells)) return reject('row');
  k = first.next;
  for (;;) {
    while (k < lines.length && blankWith(lines[k]!, s)) k++;
    if (k >= lines.length) break;
    const rec = record(k);
    if (!rec || !addRow(rec.cells)) return reject('row');
    k = rec.next;
  }
  return { ok: true, m: { rows: rowIds.length, cols: nCols, rowIds, colIds, data } };
}

const FEATURE_IDS = Array.from({ length: MTX_FEATURES }, (_, i) => `ENSG0${i}`);
const BARCODES = Array.from({ length: MTX_BARCODES }, (_, j) => `AC${j}-1`);

function refMtx(bytes: Buffer): Ref {
  const text = decode(bytes);
  if (text === null) return reject('gzip');
  // MTX lines end in LF only; the last line may lack it ("unterminated").
  const raw = text.split('\n');
  const endsWithLf = raw[raw.length - 1] === '';
  if (endsWithLf) raw.pop();
  const lines = raw.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length === 0) return reject('empty');
  const h = lines[0]!.trim().split(/\s+/).map((t) => t.toLowerCase());
  if (h.length !== 5 || h[0] !== '%%matrixmarket' || h[1] !== 'matrix' || h[2] !== 'coordinate' || !['real', 'integer'].includes(h[3]!) || h[4] !== 'general') return reject('banner');
  const blank = (l: string) => /^[ \t\r]*$/.test(l);
  let k = 1;
  while (k < lines.length && (blank(lines[k]!) || lines[k]!.startsWith('%'))) k++;
  if (k >= lines.length) return reject('no size line');
  const dims = lines[k]!.trim().split(/\s+/);
  if (dims.length !== 3 || !dims.every((d) => /^\d{1,15}$/.test(d))) return reject('size line');
  const [rows, cols, nnz] = dims.map(Number) as [number, number, number];
  if (rows !== MTX_FEATURES || cols !== MTX_BARCODES) return reject('size');
  const data = new Array<number>(rows * cols).fill(0);
  const seen = new Set<number>();
  let count = 0;
  for (k++; k < lines.length; k++) {
    const line = lines[k]!;
    const body = line.replace(/^[ \t\r]*/, '');
    if (count >= nnz) {
      if (!blank(line) && !line.startsWith('%')) count++;
      continue;
    }
    if (body === '' || body.startsWith('%')) continue;
    const t = line.trim().split(/\s+/);
    if (t.length !== 3 || !/^\d+$/.test(t[0]!) || !/^\d+$/.test(t[1]!)) return reject('entry');
    const i = Number(t[0]);
    const j = Number(t[1]);
    const v = refNumber(t[2]!);
    if (i < 1 || i > rows || j < 1 || j > cols || Number.isNaN(v)) return reject('entry value');
    const cell = (i - 1) * cols + (j - 1);
    if (seen.has(cell)) return reject('duplicate entry');
    if (k === lines.length - 1 && !endsWithLf) return reject('unterminated');
    seen.add(cell);
    data[cell] = v;
    count++;
  }
  if (count !== nnz) return reject('entry count');
  return { ok: true, m: { rows, cols, rowIds: FEATURE_IDS, colIds: BARCODES, data } };
}

// ---------------------------------------------------------------------------------------------
// Running cases.

interface Stats {
  cases: number;
  refused: number;
  accepted: number;
  /** Accepted although the bytes differ from the original (the mutation kept or changed the meaning). */
  acceptedMutated: number;
  /** Accepted with values different from the original file's (the text now says something else). */
  acceptedChanged: number;
}

function compare(real: Parsed, ref: Parsed, label: string): void {
  expect({ rows: real.rows, cols: real.cols }, label).toEqual({ rows: ref.rows, cols: ref.cols });
  expect(real.rowIds, label).toEqual(ref.rowIds);
  expect(real.colIds, label).toEqual(ref.colIds);
  if (ref.rowDescriptions) expect(real.rowDescriptions, label).toEqual(ref.rowDescriptions);
  expect(real.data.length, label).toBe(ref.data.length);
  const bad = real.data.findIndex((v, i) => !Object.is(v, ref.data[i]));
  expect(bad, `${label}: value ${bad} is ${real.data[bad]}, the text says ${ref.data[bad]}`).toBe(-1);
}

function runCase(stats: Stats, label: string, path: string, read: () => Parsed, ref: Ref, original: Parsed, mutated: boolean, bytes?: Buffer): void {
  stats.cases++;
  let real: Parsed;
  stderr = '';
  try {
    real = read();
  } catch (err) {
    if (!(err instanceof NmfError)) throw new Error(`${label}: the reader threw ${(err as Error)?.name}: ${(err as Error)?.message}\n${(err as Error)?.stack}`);
    expect(err.code, `${label}: ${err.message}`).toBe(3);
    expect(err.message, label).not.toMatch(/[\r\n]/);
    expect(err.message.startsWith(path), `${label}: ${err.message}`).toBe(true);
    stats.refused++;
    return;
  }
  expect(ref.ok, `${label}: the reader returned a ${real.rows} x ${real.cols} matrix but the reference parser rejects the text (${ref.ok ? '' : ref.why})`).toBe(true);
  compare(real, (ref as { m: Parsed }).m, label);
  if (bytes) {
    // Text formats: a last line without a line ending is accepted only with a warning.
    const text = decode(bytes)!;
    const unterminated = text.length > 0 && !/[\r\n]$/.test(text);
    expect(/the last line has no line ending/.test(stderr), `${label}: warning expected ${unterminated}; stderr ${JSON.stringify(stderr)}`).toBe(unterminated);
  }
  stats.accepted++;
  if (mutated) {
    stats.acceptedMutated++;
    if (real.data.length !== original.data.length || real.data.some((v, i) => !Object.is(v, original.data[i]))) stats.acceptedChanged++;
  }
}

const asParsed = (m: { rows: number; cols: number; rowIds: string[]; colIds: string[]; rowDescriptions: string[]; data: ArrayLike<number> }): Parsed => ({
  rows: m.rows,
  cols: m.cols,
  rowIds: m.rowIds,
  colIds: m.colIds,
  rowDescriptions: m.rowDescriptions,
  data: Array.from(m.data),
});

const newStats = (): Stats => ({ cases: 0, refused: 0, accepted: 0, acceptedMutated: 0, acceptedChanged: 0 });

/**
 * Both outcomes must be common, or the oracle is not being exercised (measured with these seeds:
 * GCT 278 refused / 122 accepted of 400, 36 of them with changed values; TSV and CSV about half each,
 * a third changed; MTX, the strictest format, 305 / 45, 17 changed; FUZZ_STATS=1 prints them).
 */
function expectMixed(s: Stats, name: string): void {
  if (process.env.FUZZ_STATS) process.stdout.write(`${name} ${JSON.stringify(s)}\n`);
  expect(s.refused, `${name}: ${JSON.stringify(s)}`).toBeGreaterThan(s.cases / 10);
  expect(s.acceptedMutated, `${name}: ${JSON.stringify(s)}`).toBeGreaterThan(s.cases / 20);
  expect(s.acceptedChanged, `${name}: ${JSON.stringify(s)}`).toBeGreaterThan(s.cases / 100);
}

describe('parser fuzz: truncations and byte mutations never crash and never return wrong values', () => {
  test('GCT 1.2 (plain and gzipped): 400 cases', () => {
    const r = rng(0x6c7);
    const stats = newStats();
    for (let c = 0; c < 400; c++) {
      const { text } = genGct(r);
      const plain = Buffer.from(text);
      const gz = c % 5 === 4;
      const src = gz ? gzipSync(plain) : plain;
      const path = join(ROOT, `case${c}.gct`);
      const originalRef = refGct(src);
      expect(originalRef.ok, `case ${c}: the generator made a file the reference rejects`).toBe(true);
      const original = (originalRef as { m: Parsed }).m;
      // The unmutated file first: the reader must agree with the reference.
      writeFileSync(path, src);
      runCase(newStats(), `GCT case ${c} (original)`, path, () => asParsed(readMatrixFile(path, 'gct')), originalRef, original, false);
      const { bytes, how } = mutate(r, src);
      writeFileSync(path, bytes);
      runCase(stats, `GCT case ${c}${gz ? ' (gzip)' : ''}: ${how}`, path, () => asParsed(readMatrixFile(path, 'gct')), refGct(bytes), original, !bytes.equals(src), bytes);
    }
    expectMixed(stats, 'GCT');
  });

  test.each([
    ['TSV', '\t', 'tsv'],
    ['CSV', ',', 'csv'],
  ] as const)('%s: 250 cases', (name, sep, ext) => {
    const r = rng(sep === '\t' ? 0x75f : 0xc5f);
    const stats = newStats();
    for (let c = 0; c < 250; c++) {
      const src = Buffer.from(genDelimited(r, sep));
      const path = join(ROOT, `case${c}.${ext}`);
      const originalRef = refDelimited(src, sep);
      expect(originalRef.ok, `case ${c}: the generator made a file the reference rejects`).toBe(true);
      const original = (originalRef as { m: Parsed }).m;
      writeFileSync(path, src);
      runCase(newStats(), `${name} case ${c} (original)`, path, () => asParsed(readMatrixFile(path, ext)), originalRef, original, false);
      const { bytes, how } = mutate(r, src);
      writeFileSync(path, bytes);
      // `auto` as users run it: the separator comes from the extension (and the header).
      runCase(stats, `${name} case ${c}: ${how}`, path, () => asParsed(readMatrixFile(path)), refDelimited(bytes, sep), original, !bytes.equals(src), bytes);
    }
    expectMixed(stats, name);
  });

  test('10x MTX (matrix.mtx plain and gzipped; features and barcodes intact): 350 cases', () => {
    const r = rng(0x3a7);
    const stats = newStats();
    for (let c = 0; c < 350; c++) {
      const dir = join(ROOT, `mtx${c}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'features.tsv'), FEATURE_IDS.map((f) => `${f}\tGENE${f.slice(-1)}\tGene Expression`).join('\n') + '\n');
      writeFileSync(join(dir, 'barcodes.tsv'), BARCODES.join('\n') + '\n');
      const plain = Buffer.from(genMtx(r));
      const gz = c % 5 === 4;
      const src = gz ? gzipSync(plain) : plain;
      const path = join(dir, gz ? 'matrix.mtx.gz' : 'matrix.mtx');
      const originalRef = refMtx(src);
      expect(originalRef.ok, `case ${c}: the generator made a file the reference rejects`).toBe(true);
      const original = (originalRef as { m: Parsed }).m;
      const read = () => {
        const m = readMtxDir(dir);
        return { ...asParsed(m), rowDescriptions: undefined as unknown as string[] };
      };
      writeFileSync(path, src);
      // Errors name matrix.mtx, or features.tsv/barcodes.tsv when the size line disagrees with them.
      runCase(newStats(), `MTX case ${c} (original)`, dir, read, originalRef, original, false);
      const { bytes, how } = mutate(r, src);
      writeFileSync(path, bytes);
      runCase(stats, `MTX case ${c}${gz ? ' (gzip)' : ''}: ${how}`, dir, read, refMtx(bytes), original, !bytes.equals(src));
    }
    expectMixed(stats, 'MTX');
  });
});
