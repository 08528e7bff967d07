/**
 * Shared plumbing for the text matrix readers (GCT, TSV, CSV): loading a file (with transparent
 * gunzip), walking its lines without holding them all as strings, splitting cells (with RFC 4180
 * quotes), strict number parsing, and the `MatrixSource` that lets later stages point at the file
 * line and column a value came from.
 */
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { inputError } from '../errors.js';
import { log } from '../log.js';
import type { LabelledMatrix } from '../types.js';

/**
 * Where each value of a matrix came from, so an error found after reading (e.g. a negative value)
 * can name the file line and column a user would see in an editor or spreadsheet.
 * `rowLines[i]` is the 1-based line of data row i; `colColumns[j]` the 1-based column of sample j
 * (counting the Name/Description or row-id columns). Transforms that drop rows or columns subset
 * these arrays so locations stay correct. For 'mtx' (10x MatrixMarket), a cell has no line of its own:
 * `rowLines`/`colColumns` hold the 1-based MTX row/column indices and `path` is the .mtx file. For
 * 'h5ad' and '10x-h5' they hold the 0-based var/feature and obs/barcode indices in the file.
 */
export interface MatrixSource {
  /** The path as given by the caller (used verbatim in messages). */
  path: string;
  format: 'gct1.2' | 'gct1.3' | 'tsv' | 'csv' | 'mtx' | 'h5ad' | '10x-h5';
  rowLines: Int32Array;
  colColumns: Int32Array;
  /** Set by --transpose: matrix row i is the file's column i (and column j the file's row j). */
  transposed?: boolean;
}

/** Metadata columns (GCT 1.3 row metadata) or rows (GCT 1.3 column metadata). */
export interface MetaTable {
  names: string[];
  /** values[m][i]: metadata field m of row (or sample) i. */
  values: string[][];
}

/**
 * What every reader returns: the labelled matrix plus where each value came from. Text readers give
 * float64; the MTX and HDF5 readers give float64, or float32 when asked (`ReadOptions.dtype`).
 */
export interface ReadMatrix extends LabelledMatrix {
  data: Float64Array | Float32Array;
  source: MatrixSource;
  /** GCT 1.3 row metadata (all row-metadata columns, including any Description). */
  rowMeta?: MetaTable;
  /** GCT 1.3 column metadata (one entry per metadata line). */
  colMeta?: MetaTable;
}

/** A labelled matrix that may carry its source locations (the readers' output does). */
export type SourcedMatrix = LabelledMatrix & { source?: MatrixSource };

/**
 * "FILE line L, column C" for cell (row, col) of a matrix ("FILE row R, column C" in MTX coordinates
 * for an .mtx source; "FILE X[cell, gene]" or "FILE matrix[feature, barcode]", 0-based as in Python,
 * for .h5ad and 10x .h5), or an index-based fallback.
 */
export function cellLocation(m: SourcedMatrix, row: number, col: number): string {
  const s = m.source;
  if (s?.transposed) [row, col] = [col, row];
  if (s && row < s.rowLines.length && col < s.colColumns.length) {
    if (s.format === 'mtx') return `${s.path} row ${s.rowLines[row]}, column ${s.colColumns[col]}`;
    if (s.format === 'h5ad') return `${s.path} X[${s.colColumns[col]}, ${s.rowLines[row]}]`;
    if (s.format === '10x-h5') return `${s.path} matrix[${s.rowLines[row]}, ${s.colColumns[col]}]`;
    return `${s.path} line ${s.rowLines[row]}, column ${s.colColumns[col]}`;
  }
  return `input matrix row ${row + 1}, column ${col + 1}`;
}

/** Keep messages one line and short. */
export function quoteText(text: string, max = 40): string {
  const t = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.stringify(t);
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Read a whole file as bytes, gunzipping when it starts with the gzip magic bytes. Throws
 * `inputError` (exit 3) for a missing file, a directory, a corrupt gzip stream, binary content
 * or an empty file.
 */
export function loadTextBytes(path: string, loaded?: Buffer): Buffer {
  return checkTextBytes(path, loaded ?? readTextFile(path));
}

/** The file's bytes, gunzipped when they start with the gzip magic bytes. */
function readTextFile(path: string): Buffer {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw inputError(path, 'the file does not exist', 'check the path given to --input');
    }
    throw inputError(path, `the file cannot be read (${code ?? 'error'})`, 'check the path and its permissions');
  }
  if (isDir) {
    throw inputError(path, 'this is a directory, not a matrix file', 'pass a GCT, TSV or CSV file');
  }
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(path, `the file cannot be read (${code ?? 'error'})`, 'check the path and its permissions');
  }
  return buf.length >= 2 && buf[0] === GZIP_MAGIC[0] && buf[1] === GZIP_MAGIC[1] ? gunzipBounded(buf, path) : buf;
}

/**
 * Most bytes a gzipped file read whole may decompress to. Matrices go through read-once.ts (line
 * bound, streamed); this bounds the side files (annotations, feature lists) against gzip bombs.
 */
export const MAX_GUNZIP_BYTES = 1024 * 2 ** 20;

/** gunzip in memory, refusing (exit 3) a corrupt stream or output above `max` bytes. */
export function gunzipBounded(buf: Buffer, path: string, max = MAX_GUNZIP_BYTES): Buffer {
  try {
    return gunzipSync(buf, { maxOutputLength: max });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw inputError(path, `the file decompresses to more than ${max / 2 ** 20} MiB (a damaged file or a gzip bomb)`, 'check the file, or pass it uncompressed');
    }
    const msg = String((err as Error).message ?? err).replace(/\s+/g, ' ');
    throw inputError(path, `the file starts like gzip but cannot be decompressed (${msg})`, 'recompress it with gzip or pass the uncompressed file');
  }
}

/** Refuse archives, HDF5, binary and blank content with a located message (read-once.ts gunzips first). */
function checkTextBytes(path: string, buf: Buffer): Buffer {
  if (buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) {
    throw inputError(path, 'this is a zip archive, which is not read directly', 'unzip it and pass the matrix file inside');
  } else if (buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x48 && buf[2] === 0x44 && buf[3] === 0x46) {
    throw inputError(path, 'this is an HDF5 file (.h5/.h5ad), not a GCT, TSV or CSV text file', 'pass it to the HDF5 reader or convert it to GCT, TSV or CSV');
  }
  const probe = Math.min(buf.length, 8192);
  for (let i = 0; i < probe; i++) {
    if (buf[i] === 0) {
      throw inputError(path, 'the file contains binary data (a NUL byte near the start), so it is not a text matrix', 'pass a GCT, TSV or CSV text file (optionally gzipped)');
    }
  }
  let blank = true;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x2c && !(i < 3 && (b === 0xef || b === 0xbb || b === 0xbf))) {
      blank = false;
      break;
    }
  }
  if (blank) {
    throw inputError(`${path} line 1`, 'the file is empty', 'pass a file with a header line and at least one data row');
  }
  return buf;
}

/**
 * Walks the lines of a buffer one at a time, decoding each as UTF-8 only when asked for. Handles a
 * UTF-8 BOM, LF, CRLF and (when the file has no LF at all) bare CR line endings. After `advance()`,
 * `start`..`stop` is the current line's byte range (without its line ending) and `lineNo` its 1-based
 * number.
 */
export class LineReader {
  private pos: number;
  private readonly nl: number;
  lineNo = 0;
  start = 0;
  stop = 0;

  constructor(readonly buf: Buffer) {
    this.pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    this.nl = buf.indexOf(0x0a) === -1 && buf.indexOf(0x0d) !== -1 ? 0x0d : 0x0a;
  }

  /** Move to the next line; false at the end of the buffer. */
  advance(): boolean {
    const buf = this.buf;
    if (this.pos >= buf.length) return false;
    let end = buf.indexOf(this.nl, this.pos);
    const nextPos = end === -1 ? buf.length : end + 1;
    if (end === -1) end = buf.length;
    if (this.nl === 0x0a && end > this.pos && buf[end - 1] === 0x0d) end--;
    this.start = this.pos;
    this.stop = end;
    this.pos = nextPos;
    this.lineNo++;
    return true;
  }

  /** The current line as a string. */
  text(): string {
    return this.buf.toString('utf8', this.start, this.stop);
  }

  /** The next line (without its line ending), or null at the end of the buffer. */
  next(): string | null {
    return this.advance() ? this.text() : null;
  }

  /** True when the current line has only whitespace and `sep` bytes. */
  isBlank(sepByte: number): boolean {
    const buf = this.buf;
    for (let i = this.start; i < this.stop; i++) {
      const c = buf[i]!;
      if (c !== sepByte && c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
    }
    return true;
  }

  /** Lines left after the current one (an upper bound on the data rows still to come). */
  countRemainingLines(): number {
    let n = 0;
    let p = this.pos;
    const buf = this.buf;
    while (p < buf.length) {
      const e = buf.indexOf(this.nl, p);
      n++;
      if (e === -1) break;
      p = e + 1;
    }
    return n;
  }
}

const POW10: number[] = [];
for (let i = 0; i <= 22; i++) POW10.push(Number(`1e${i}`));

/**
 * Fast path for one data row, straight from the bytes: decode the first `lead` cells as (unquoted)
 * strings and parse the next `n` cells as numbers into `out[off..off+n)`. Numbers with at most 15
 * significant digits and a decimal exponent within +-22 are computed as one exact integer times or
 * divided by an exact power of ten (correctly rounded, identical to `Number()`); other numbers go
 * through `parseNumber`. Returns the lead cells, or null when the row needs the general string path
 * (quotes, a bad cell, a wrong cell count): that path then parses it or throws the right error.
 */
export function parseRowFast(
  buf: Buffer,
  start: number,
  stop: number,
  sepByte: number,
  lead: number,
  n: number,
  out: Float64Array,
  off: number,
): string[] | null {
  const leadCells: string[] = new Array<string>(lead);
  let p = start;
  for (let k = 0; k < lead; k++) {
    let e = p;
    while (e < stop && buf[e] !== sepByte) {
      if (buf[e] === 0x22) return null; // quoted text: string path
      e++;
    }
    if (e >= stop) return null;
    leadCells[k] = buf.toString('utf8', p, e);
    p = e + 1;
  }
  for (let j = 0; j < n; j++) {
    if (p > stop) return null; // fewer cells than samples
    const cs = p;
    let c = p < stop ? buf[p]! : -1;
    let neg = false;
    if (c === 0x2d) {
      neg = true;
      p++;
    } else if (c === 0x2b) p++;
    let mant = 0;
    let digits = 0;
    let exp = 0;
    let any = false;
    let slow = false;
    while (p < stop) {
      c = buf[p]!;
      if (c < 0x30 || c > 0x39) break;
      any = true;
      if (mant !== 0 || c !== 0x30) {
        mant = mant * 10 + (c - 0x30);
        digits++;
      }
      p++;
    }
    if (p < stop && buf[p] === 0x2e) {
      p++;
      while (p < stop) {
        c = buf[p]!;
        if (c < 0x30 || c > 0x39) break;
        any = true;
        if (mant !== 0 || c !== 0x30) {
          mant = mant * 10 + (c - 0x30);
          digits++;
        }
        exp--;
        p++;
      }
    }
    if (p < stop && (buf[p]! | 0x20) === 0x65 && any) {
      p++;
      let eneg = false;
      if (p < stop && (buf[p] === 0x2d || buf[p] === 0x2b)) {
        eneg = buf[p] === 0x2d;
        p++;
      }
      let ev = 0;
      let edig = false;
      while (p < stop) {
        c = buf[p]!;
        if (c < 0x30 || c > 0x39) break;
        if (ev < 100000) ev = ev * 10 + (c - 0x30);
        edig = true;
        p++;
      }
      if (!edig) slow = true;
      exp += eneg ? -ev : ev;
    }
    if (!any || digits > 15 || (p < stop && buf[p] !== sepByte)) slow = true;
    let v: number;
    if (!slow) {
      if (mant === 0) v = 0;
      else if (exp === 0) v = mant;
      else if (exp > 0 && exp <= 22) v = mant * POW10[exp]!;
      else if (exp < 0 && exp >= -22) v = mant / POW10[-exp]!;
      else slow = true;
    }
    if (slow) {
      let ce = buf.indexOf(sepByte, cs);
      if (ce === -1 || ce > stop) ce = stop;
      v = parseNumber(buf.toString('utf8', cs, ce));
      if (v !== v) return null;
      p = ce;
      out[off + j] = v;
    } else {
      out[off + j] = neg ? -v! : v!;
    }
    if (j < n - 1) {
      if (p >= stop) return null;
      p++; // the separator
    }
  }
  // Only empty trailing cells may follow.
  for (; p < stop; p++) {
    const c = buf[p]!;
    if (c !== sepByte && c !== 0x20 && c !== 0x0d) return null;
  }
  return leadCells;
}

/** True when a line has nothing but whitespace and separators (a blank or "trailing tabs" line). */
export function isBlankLine(line: string, sep: string): boolean {
  const sc = sep.charCodeAt(0);
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== sc && c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/**
 * Split a line into cells. Without a double quote in the line this is `line.split(sep)`. With
 * one, a cell that starts with `"` is a quoted cell (RFC 4180): it runs to the next lone `"`, with
 * `""` standing for one quote, and may contain the separator; anything after the closing quote up to
 * the separator is kept literally. Returns null when a quoted cell is not closed on this line (the
 * caller may join the next line, for CSV, or fall back to a plain split).
 */
export function splitCells(line: string, sep: string): string[] | null {
  if (line.indexOf('"') === -1) return line.split(sep);
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    if (i < n && line.charCodeAt(i) === 0x22) {
      let cell = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q === -1) return null;
        cell += line.slice(j, q);
        if (q + 1 < n && line.charCodeAt(q + 1) === 0x22) {
          cell += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      const s = line.indexOf(sep, j);
      if (s === -1) {
        out.push(cell + line.slice(j));
        return out;
      }
      out.push(cell + line.slice(j, s));
      i = s + 1;
    } else {
      const s = line.indexOf(sep, i);
      if (s === -1) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, s));
      i = s + 1;
    }
  }
}

/** Number of cells once trailing empty (or whitespace-only) cells are ignored. */
export function trimmedLength(cells: readonly string[]): number {
  let n = cells.length;
  while (n > 0 && cells[n - 1]!.trim() === '') n--;
  return n;
}

/**
 * Strict decimal number parsing: returns the value, or NaN for anything that is not a plain finite
 * decimal number (empty, NA, NaN, Inf, hex, text...). `classifyBadCell` says which, on the slow path.
 */
export function parseNumber(s: string): number {
  const n = +s;
  if (n - n === 0) {
    const len = s.length;
    if (len === 0) return NaN;
    const c0 = s.charCodeAt(0);
    if (c0 === 0x30 && len > 2) {
      const c1 = s.charCodeAt(1) | 0x20;
      if (c1 === 0x78 || c1 === 0x62 || c1 === 0x6f) return NaN; // 0x.., 0b.., 0o..
    } else if (c0 <= 0x20 || c0 >= 0x7f || s.charCodeAt(len - 1) <= 0x20 || s.charCodeAt(len - 1) >= 0x7f) {
      // White space around the number: `+s` skips it, including non-ASCII white space (U+00A0,
      // U+FEFF), which would otherwise read a blank-looking cell as 0 or let "0x1F" through.
      const t = s.trim();
      return t.length === 0 ? NaN : parseNumber(t);
    }
    return n;
  }
  return NaN;
}

const MISSING_TOKENS = new Set([
  '', 'na', 'nan', 'n/a', '#n/a', 'null', 'none', 'nil', '?', '.', '-',
  'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity', '#num!', '#div/0!', '#value!',
]);

export type BadCellKind = 'missing' | 'non-numeric';

export function classifyBadCell(s: string): BadCellKind {
  const t = s.trim().toLowerCase();
  if (MISSING_TOKENS.has(t)) return 'missing';
  const n = Number(t);
  if (!Number.isNaN(n) && !Number.isFinite(n)) return 'missing';
  return 'non-numeric';
}

/**
 * The one-sentence error for a cell that `parseNumber` rejected. `where` is "FILE line L, column C".
 */
export function badCellError(where: string, cell: string, sampleId: string, featureId: string): Error {
  const kind = classifyBadCell(cell);
  if (kind === 'missing') {
    const what = cell.trim() === '' ? 'an empty cell' : `the missing or non-finite value ${quoteText(cell)}`;
    return inputError(
      where,
      `${what} in sample ${quoteText(sampleId)} (feature ${quoteText(featureId)}) is not allowed because NMF needs a complete, finite matrix`,
      'impute the missing values or drop that row (feature) before running',
    );
  }
  const t = cell.trim();
  const fix = /^[+-]?\d+,\d+$/.test(t)
    ? 'use a dot, not a comma, as the decimal separator'
    : 'fix the value or drop that row (feature)';
  return inputError(where, `the cell ${quoteText(cell)} in sample ${quoteText(sampleId)} (feature ${quoteText(featureId)}) is not a number`, fix);
}

/**
 * Check sample ids: none empty, none repeated. `columnOf(j)` gives the 1-based file column of
 * sample j on the header line `headerLine`.
 */
export function checkSampleIds(
  path: string,
  headerLine: number,
  ids: readonly string[],
  columnOf: (j: number) => number,
): void {
  const seen = new Map<string, number>();
  for (let j = 0; j < ids.length; j++) {
    const id = ids[j]!;
    const where = `${path} line ${headerLine}, column ${columnOf(j)}`;
    if (id === '') {
      throw inputError(where, `sample column ${columnOf(j)} of the header has no name`, 'give every sample column a unique name');
    }
    const prev = seen.get(id);
    if (prev !== undefined) {
      throw inputError(
        where,
        `the sample id ${quoteText(id)} appears twice in the header, in column ${columnOf(prev)} and column ${columnOf(j)}`,
        'make sample ids unique (rename or remove one of the two columns)',
      );
    }
    seen.set(id, j);
  }
}

/**
 * Check feature (row) ids of a text matrix: none repeated. `lines[i]` is the 1-based file line of
 * row i; ids are in file column 1.
 */
export function checkFeatureIds(path: string, ids: readonly string[], lines: Int32Array): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const prev = seen.get(id);
    if (prev !== undefined) {
      throw inputError(
        `${path} line ${lines[i]}, column 1`,
        `the feature id ${quoteText(id)} appears twice, on line ${lines[prev]} and line ${lines[i]}`,
        'make feature ids unique (e.g. append a suffix to repeated gene symbols) or remove the duplicate row',
      );
    }
    seen.set(id, i);
  }
}

/**
 * Warn when the text does not end with a line ending: writers end every line with one, so a missing
 * one may mean the file was cut short (an interrupted download or copy) inside its last value, which
 * would then read as a shorter number. Not an error: hand-written files often lack it.
 */
export function warnIfUnterminated(buf: Buffer, path: string, lastLine: number): void {
  const b = buf[buf.length - 1];
  if (buf.length > 0 && b !== 0x0a && b !== 0x0d) {
    log.warn(`${path} line ${lastLine}: the last line has no line ending, so the file may have been cut short; check that its last value is complete`);
  }
}
