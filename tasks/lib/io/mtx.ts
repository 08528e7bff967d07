/**
 * 10x Genomics MatrixMarket directory reader (Cell Ranger `filtered_feature_bc_matrix/` and the GEO
 * `PREFIX_matrix.mtx.gz` layout): `matrix.mtx[.gz]` (`%%MatrixMarket matrix coordinate real|integer
 * general`, 1-based `row col value` lines; rows = features, columns = barcodes), `features.tsv[.gz]`
 * (v3: id, name, type) or `genes.tsv[.gz]` (v2: id, name), and `barcodes.tsv[.gz]`.
 *
 * The .mtx is parsed straight from bytes (no line strings, no readline: 5-7x slower) into a dense
 * features x barcodes Float64Array (or Float32Array, when asked: half the memory). Plain files are read in fixed-size chunks; gzipped files are
 * gunzipped in one call, because node:zlib has no synchronous streaming API (`_processChunk` closes
 * the stream after each call) and the readers are synchronous.
 *
 * Locations: an MTX cell has no line of its own, so `source.rowLines`/`colColumns` hold the 1-based
 * MTX row and column indices and `cellLocation` says "PATH row R, column C" (the `R C value` entry).
 */
import { closeSync, existsSync, readSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { constants as bufferConstants } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { inputError } from '../errors.js';
import { openForReading } from './hash.js';
import { LineReader, classifyBadCell, loadTextBytes, parseNumber, quoteText, type ReadMatrix } from './text.js';

/** Largest dense matrix we allocate (elements): typed arrays and indices stay within int32. */
export const MTX_MAX_CELLS = 2 ** 31 - 1;

const CHUNK = 1 << 22;

/** The three files of one 10x matrix. */
export interface MtxFiles {
  matrix: string;
  features: string;
  /** True when the features file is the v2 `genes.tsv` (no feature type column). */
  v2: boolean;
  barcodes: string;
}

const MTX_NAME = /^(.*?)matrix\.mtx(\.gz)?$/i;

/** True when `path` names an .mtx file (plain or gzipped) by its extension. */
export function isMtxPath(path: string): boolean {
  return /\.mtx(\.gz)?$/i.test(path);
}

function firstExisting(dir: string, names: readonly string[]): string | null {
  for (const n of names) {
    const p = join(dir, n);
    if (existsSync(p)) return p;
  }
  return null;
}

/**
 * Locate matrix, features (or genes) and barcodes files from a directory or the .mtx path. With an
 * .mtx path named `PREFIXmatrix.mtx[.gz]` (GEO style), `PREFIXfeatures.tsv` etc. are tried first.
 */
export function findMtxFiles(path: string): MtxFiles {
  let dir: string;
  let matrix: string | null;
  let prefixes = [''];
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw inputError(path, 'the file or directory does not exist', 'check the path given to --input');
  }
  if (isDir) {
    dir = path;
    matrix = firstExisting(dir, ['matrix.mtx.gz', 'matrix.mtx']);
    if (matrix === null) {
      throw inputError(
        path,
        'this directory has no matrix.mtx.gz or matrix.mtx file',
        'pass a 10x matrix directory (matrix.mtx[.gz], features.tsv[.gz] or genes.tsv[.gz], barcodes.tsv[.gz]) or the path of the .mtx file',
      );
    }
  } else {
    dir = dirname(path);
    matrix = path;
    const m = MTX_NAME.exec(basename(path));
    if (m && m[1]) prefixes = [m[1], ''];
  }
  const candidates = (stems: string[]): string[] =>
    prefixes.flatMap((p) => stems.flatMap((s) => [`${p}${s}.tsv.gz`, `${p}${s}.tsv`]));
  const v3 = firstExisting(dir, candidates(['features']));
  const v2 = v3 === null ? firstExisting(dir, candidates(['genes'])) : null;
  const features = v3 ?? v2;
  if (features === null) {
    throw inputError(
      matrix,
      `no features file was found next to it in ${dir} (looked for ${candidates(['features', 'genes']).join(', ')})`,
      'put the features.tsv[.gz] (10x v3) or genes.tsv[.gz] (v2) that came with this matrix in the same directory',
    );
  }
  const barcodes = firstExisting(dir, candidates(['barcodes']));
  if (barcodes === null) {
    throw inputError(
      matrix,
      `no barcodes file was found next to it in ${dir} (looked for ${candidates(['barcodes']).join(', ')})`,
      'put the barcodes.tsv[.gz] that came with this matrix in the same directory',
    );
  }
  return { matrix, features, v2: v3 === null, barcodes };
}

/**
 * Read a 10x MTX directory (or the .mtx file inside one) as a dense features x barcodes matrix,
 * float64 or (`dtype` 'float32') float32.
 */
export function readMtxDir(path: string, dtype: 'float64' | 'float32' = 'float64'): ReadMatrix {
  const files = findMtxFiles(path);
  const feats = readNameList(files.features, 'feature');
  const barcodes = readNameList(files.barcodes, 'barcode');
  checkUniqueIds(files.features, feats.ids, feats.lines, 'feature', 'make feature ids unique (the first column; 10x writes Ensembl ids there) or remove the duplicate line');
  checkUniqueIds(files.barcodes, barcodes.ids, barcodes.lines, 'barcode', 'make barcodes unique (e.g. add a sample suffix when merging runs) or remove the duplicate');
  const { rows, cols, data } = parseMtx(files.matrix, feats.ids.length, barcodes.ids.length, files, dtype);
  const rowLines = new Int32Array(rows);
  for (let i = 0; i < rows; i++) rowLines[i] = i + 1;
  const colColumns = new Int32Array(cols);
  for (let j = 0; j < cols; j++) colColumns[j] = j + 1;
  const result: ReadMatrix = {
    rows,
    cols,
    data,
    rowIds: feats.ids,
    rowDescriptions: feats.names,
    colIds: barcodes.ids,
    source: { path: files.matrix, format: 'mtx', rowLines, colColumns },
  };
  if (!files.v2) result.rowMeta = { names: ['name', 'type'], values: [feats.names, feats.types] };
  return result;
}

interface NameList {
  ids: string[];
  names: string[];
  types: string[];
  /** 1-based file line of each entry. */
  lines: Int32Array;
}

/** features/genes/barcodes: one entry per line, tab-separated (id, name, type); no header. */
function readNameList(path: string, what: 'feature' | 'barcode'): NameList {
  let buf: Buffer;
  try {
    buf = loadTextBytes(path);
  } catch (err) {
    // loadTextBytes' empty-file advice is about matrices; an empty list has its own fix.
    if (err instanceof Error && / the file is empty;/.test(err.message)) {
      throw inputError(`${path} line 1`, `the file is empty, so there are no ${what}s`, `use the ${what}s file that came with the matrix`);
    }
    throw err;
  }
  const lines = new LineReader(buf);
  const ids: string[] = [];
  const names: string[] = [];
  const types: string[] = [];
  const lineNos: number[] = [];
  let blankAt = 0;
  while (lines.advance()) {
    const line = lines.text();
    if (line.trim() === '') {
      if (blankAt === 0) blankAt = lines.lineNo;
      continue;
    }
    if (blankAt !== 0) {
      throw inputError(`${path} line ${blankAt}`, `this line is empty but ${what}s follow it, so ${what} positions would shift`, `remove the empty line or restore the missing ${what}`);
    }
    const cells = line.split('\t');
    ids.push(cells[0]!.trim());
    names.push((cells[1] ?? '').trim());
    types.push((cells[2] ?? '').trim());
    lineNos.push(lines.lineNo);
  }
  return { ids, names, types, lines: Int32Array.from(lineNos) };
}

/** Feature ids or barcodes (first column of their file): none empty, none repeated. */
function checkUniqueIds(path: string, ids: readonly string[], lines: Int32Array, what: 'feature' | 'barcode', fix: string): void {
  const seen = new Map<string, number>();
  const noun = what === 'feature' ? 'feature id' : 'barcode';
  for (let j = 0; j < ids.length; j++) {
    const id = ids[j]!;
    if (id === '') {
      throw inputError(`${path} line ${lines[j]}`, `this ${noun} is empty`, `give every ${what} line a unique ${noun}`);
    }
    const prev = seen.get(id);
    if (prev !== undefined) {
      throw inputError(`${path} line ${lines[j]}`, `the ${noun} ${quoteText(id)} appears twice, on line ${lines[prev]} and line ${lines[j]}`, fix);
    }
    seen.set(id, j);
  }
}

/**
 * Call `onLine(buf, start, stop, lineNo, unterminated)` for each line of a (possibly gzipped) file
 * without decoding it; the line excludes its LF/CRLF, and `unterminated` is true for a last line with
 * no LF. Returning false stops early.
 */
function forEachLine(
  path: string,
  onLine: (buf: Buffer, start: number, stop: number, lineNo: number, unterminated: boolean) => boolean | void,
): void {
  const fd = openForReading(path);
  let lineNo = 0;
  let carry: Buffer | null = null;
  /** Feed one chunk; returns false when onLine asked to stop. */
  const feed = (chunk: Buffer, last: boolean): boolean => {
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    let p = lineNo === 0 && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, p);
      if (nl === -1) {
        if (p < buf.length) {
          if (!last) {
            carry = Buffer.from(buf.subarray(p)); // copy: do not pin the whole chunk
            return true;
          }
          let e = buf.length;
          if (buf[e - 1] === 0x0d) e--;
          return onLine(buf, p, e, ++lineNo, true) !== false;
        }
        return true;
      }
      const e = nl > p && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      if (onLine(buf, p, e, ++lineNo, false) === false) return false;
      p = nl + 1;
    }
  };
  try {
    const head = Buffer.alloc(2);
    const n0 = readSync(fd, head, 0, 2, 0);
    if (n0 === 2 && head[0] === 0x1f && head[1] === 0x8b) {
      feed(gunzipWhole(path, fd), true);
      return;
    }
    let pos = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, chunk, 0, CHUNK, pos);
      pos += n;
      if (n === 0) {
        if (carry) feed(Buffer.alloc(0), true);
        return;
      }
      if (!feed(chunk.subarray(0, n), false)) return;
    }
  } finally {
    closeSync(fd);
  }
}

function gunzipWhole(path: string, fd: number): Buffer {
  const size = statSync(path).size;
  const raw = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, raw, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  try {
    return gunzipSync(raw.subarray(0, got));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw inputError(
        path,
        `the decompressed file is larger than the ${Math.floor(bufferConstants.MAX_LENGTH / 2 ** 30)} GiB one buffer can hold`,
        'gunzip it and pass the plain .mtx (read in chunks), or select features or barcodes first',
      );
    }
    const msg = String(e.message ?? err).replace(/\s+/g, ' ');
    throw inputError(path, `the file is truncated or not valid gzip (${msg})`, 'download or copy it again, or gunzip it and pass the plain .mtx');
  }
}

const POW10: number[] = [];
for (let i = 0; i <= 22; i++) POW10.push(Number(`1e${i}`));

/** End position of the last `fastNumber`/`uint` call. */
let END = 0;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d;
}

/** A non-negative integer of at most 15 digits at `p` followed by space or the end, or -1. */
function uint(buf: Buffer, p: number, stop: number): number {
  let v = 0;
  const s = p;
  while (p < stop) {
    const c = buf[p]!;
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + (c - 0x30);
    p++;
  }
  if (p === s || p - s > 15 || (p < stop && !isSpace(buf[p]!))) return -1;
  END = p;
  return v;
}

/**
 * The decimal number at `p` (same exact fast path as text.ts `parseRowFast`: at most 15 significant
 * digits and an exponent within +-22 are one correctly rounded multiply or divide), or NaN when it
 * needs the slow path.
 */
function fastNumber(buf: Buffer, p: number, stop: number): number {
  let neg = false;
  let c = p < stop ? buf[p]! : -1;
  if (c === 0x2d) {
    neg = true;
    p++;
  } else if (c === 0x2b) p++;
  let mant = 0;
  let digits = 0;
  let exp = 0;
  let any = false;
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
  if (!any) return NaN;
  if (p < stop && (buf[p]! | 0x20) === 0x65) {
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
    if (!edig) return NaN;
    exp += eneg ? -ev : ev;
  }
  if (digits > 15 || (p < stop && !isSpace(buf[p]!))) return NaN;
  let v: number;
  if (mant === 0) v = 0;
  else if (exp === 0) v = mant;
  else if (exp > 0 && exp <= 22) v = mant * POW10[exp]!;
  else if (exp < 0 && exp >= -22) v = mant / POW10[-exp]!;
  else return NaN;
  END = p;
  return neg ? -v : v;
}

function isBlank(buf: Buffer, start: number, stop: number): boolean {
  for (let i = start; i < stop; i++) if (!isSpace(buf[i]!)) return false;
  return true;
}

const HEADER_FIX = 'the first line must be "%%MatrixMarket matrix coordinate real general" (or integer), as written by Cell Ranger and scipy.io.mmwrite of a sparse matrix';

/** Check the `%%MatrixMarket` banner; throws for anything but `matrix coordinate real|integer general`. */
function checkHeader(path: string, line: string): void {
  const where = `${path} line 1`;
  const t = line.trim().split(/\s+/);
  if (t[0]?.toLowerCase() !== '%%matrixmarket') {
    throw inputError(where, `the first line ${quoteText(line.trim())} is not a MatrixMarket header`, HEADER_FIX);
  }
  const [object, format, field, symmetry] = t.slice(1).map((s) => s.toLowerCase());
  if (t.length !== 5 || object !== 'matrix') {
    throw inputError(where, `the header ${quoteText(line.trim(), 60)} is not a MatrixMarket matrix header`, HEADER_FIX);
  }
  if (format === 'array') {
    throw inputError(where, 'this is a dense MatrixMarket "array" file, which is not read', 'write it in coordinate format (scipy.io.mmwrite of a sparse matrix) or pass the matrix as TSV/CSV');
  }
  if (format !== 'coordinate') {
    throw inputError(where, `the storage format ${quoteText(format ?? '')} is not "coordinate"`, HEADER_FIX);
  }
  if (field === 'pattern') {
    throw inputError(where, 'this is a "pattern" matrix with no values, so there is nothing to factorize', 'write the matrix with real or integer values (the counts)');
  }
  if (field === 'complex') {
    throw inputError(where, 'complex values are not supported because NMF needs real non-negative values', 'write the matrix with real or integer values');
  }
  if (field !== 'real' && field !== 'integer') {
    throw inputError(where, `the value field ${quoteText(field ?? '')} is not real or integer`, HEADER_FIX);
  }
  if (symmetry !== 'general') {
    throw inputError(
      where,
      `the symmetry ${quoteText(symmetry ?? '')} is not supported because rows are features and columns are barcodes, so only "general" makes sense`,
      'write every entry explicitly with symmetry "general"',
    );
  }
}

/** Parse the .mtx into a dense rows x cols matrix, checking it against the features and barcodes. */
function parseMtx(
  path: string,
  nFeatures: number,
  nBarcodes: number,
  files: MtxFiles,
  dtype: 'float64' | 'float32',
): { rows: number; cols: number; data: Float64Array | Float32Array } {
  let state = 0; // 0 header, 1 size line, 2 entries, 3 extra entries (counting only)
  let rows = 0;
  let cols = 0;
  let nnz = 0;
  let sizeLine = 0;
  let count = 0;
  let firstExtra = 0;
  let data: Float64Array | Float32Array = new Float64Array(0);
  let seen = new Uint8Array(0);

  /** Slow path for one entry line: parse it or throw the specific error. */
  const slowEntry = (text: string, lineNo: number): [number, number, number] => {
    const where = `${path} line ${lineNo}`;
    const t = text.trim().split(/\s+/);
    if (t.length !== 3) {
      throw inputError(where, `this entry has ${t.length} fields but 3 are expected (row, column, value)`, 'write each entry as "ROW COLUMN VALUE" separated by spaces');
    }
    const idx = [0, 0];
    for (let k = 0; k < 2; k++) {
      const s = t[k]!;
      const what = k === 0 ? 'row' : 'column';
      const bound = k === 0 ? rows : cols;
      const v = /^\d+$/.test(s) ? Number(s) : NaN;
      if (!(v >= 1 && v <= bound)) {
        const whose = k === 0 ? 'features' : 'barcodes';
        throw inputError(
          where,
          `the ${what} index ${quoteText(s)} is outside 1..${bound} (the size line, line ${sizeLine}, says ${bound} ${whose})`,
          `fix the entry or the size line; indices are 1-based ${what} numbers`,
        );
      }
      idx[k] = v;
    }
    const s = t[2]!;
    const v = parseNumber(s);
    if (v !== v) {
      const missing = classifyBadCell(s) === 'missing';
      throw inputError(
        where,
        missing
          ? `the value ${quoteText(s)} at row ${idx[0]}, column ${idx[1]} is missing or not finite, and NMF needs finite values`
          : `the value ${quoteText(s)} at row ${idx[0]}, column ${idx[1]} is not a number`,
        'fix the value or remove the entry (absent entries are zero)',
      );
    }
    return [idx[0]!, idx[1]!, v];
  };

  /** Line of the first entry for (r, c): only for the duplicate message, so a second pass is fine. */
  const firstLineOf = (r: number, c: number, before: number): number => {
    let found = 0;
    forEachLine(path, (buf, start, stop, lineNo) => {
      if (lineNo >= before) return false;
      if (lineNo <= sizeLine) return true;
      let p = start;
      while (p < stop && isSpace(buf[p]!)) p++;
      const rr = uint(buf, p, stop);
      p = END;
      while (p < stop && isSpace(buf[p]!)) p++;
      if (rr === r && uint(buf, p, stop) === c) {
        found = lineNo;
        return false;
      }
      return true;
    });
    return found;
  };

  forEachLine(path, (buf, start, stop, lineNo, unterminated) => {
    if (state === 2) {
      // Hot path: "R C V" with single spaces or tabs.
      let p = start;
      while (p < stop && isSpace(buf[p]!)) p++;
      if (p === stop || buf[p] === 0x25) return; // blank or % comment
      if (count === nnz) {
        state = 3;
        firstExtra = lineNo;
        count++;
        return;
      }
      let r = uint(buf, p, stop);
      let c = -1;
      let v = NaN;
      if (r >= 1 && r <= rows) {
        p = END;
        while (p < stop && isSpace(buf[p]!)) p++;
        c = uint(buf, p, stop);
        if (c >= 1 && c <= cols) {
          p = END;
          while (p < stop && isSpace(buf[p]!)) p++;
          v = fastNumber(buf, p, stop);
          if (v === v && !isBlank(buf, END, stop)) v = NaN;
        }
      }
      if (v !== v) [r, c, v] = slowEntry(buf.toString('utf8', start, stop), lineNo);
      const cell = (r - 1) * cols + (c - 1);
      const bit = 1 << (cell & 7);
      const byte = cell >>> 3;
      if (seen[byte]! & bit) {
        const first = firstLineOf(r, c, lineNo);
        throw inputError(
          `${path} line ${lineNo}`,
          `row ${r}, column ${c} is listed twice${first ? `, on line ${first} and line ${lineNo}` : ''}`,
          'list each (row, column) once, e.g. sum the duplicates when writing the matrix',
        );
      }
      if (unterminated) {
        // Writers end every line with LF; without it the last value may be cut short (e.g. 12 of 120).
        throw inputError(
          `${path} line ${lineNo}`,
          'the last entry has no line ending, so the file looks truncated and its value may be cut short',
          'restore the complete file, or add a newline at the end if it is complete',
        );
      }
      seen[byte] = seen[byte]! | bit;
      data[cell] = v;
      if (data[cell]! - data[cell]! !== 0) {
        throw inputError(
          `${path} line ${lineNo}`,
          `the value ${String(v)} at row ${r}, column ${c} does not fit in ${dtype} (it overflows to infinity)`,
          'rescale the data (e.g. to counts or log values) before writing the matrix',
        );
      }
      count++;
      return;
    }
    if (state === 3) {
      if (!isBlank(buf, start, stop) && buf[start] !== 0x25) count++;
      return;
    }
    if (state === 0) {
      checkHeader(path, buf.toString('utf8', start, Math.min(stop, start + 200)));
      state = 1;
      return;
    }
    // state 1: skip comments and blank lines, then the size line.
    if (isBlank(buf, start, stop) || buf[start] === 0x25) return;
    const text = buf.toString('utf8', start, Math.min(stop, start + 200)).trim();
    const dims = text.split(/\s+/);
    if (dims.length !== 3 || !dims.every((d) => /^\d{1,15}$/.test(d))) {
      throw inputError(
        `${path} line ${lineNo}`,
        `the size line ${quoteText(text)} is malformed, it needs 3 whole numbers`,
        'write it as "ROWS COLUMNS ENTRIES" (features, barcodes, number of entry lines)',
      );
    }
    sizeLine = lineNo;
    [rows, cols, nnz] = dims.map(Number) as [number, number, number];
    const where = `${path} line ${lineNo}`;
    if (rows === 0 || cols === 0) {
      throw inputError(where, `the size line says ${rows} features and ${cols} barcodes, so the matrix is empty`, 'pass a matrix with at least one feature and one barcode');
    }
    if (rows !== nFeatures) {
      throw inputError(
        files.features,
        `the file lists ${nFeatures} features but ${path} line ${lineNo} says the matrix has ${rows} rows`,
        'use the features file that came with this matrix',
      );
    }
    if (cols !== nBarcodes) {
      throw inputError(
        files.barcodes,
        `the file lists ${nBarcodes} barcodes but ${path} line ${lineNo} says the matrix has ${cols} columns`,
        'use the barcodes file that came with this matrix',
      );
    }
    const cells = rows * cols;
    const bytes = dtype === 'float32' ? 4 : 8;
    const gib = ((cells * bytes) / 2 ** 30).toFixed(1);
    if (cells > MTX_MAX_CELLS || cells * bytes > totalmem()) {
      throw inputError(
        where,
        `the dense matrix would be ${rows} features x ${cols} barcodes = ${cells} cells (${gib} GiB as ${dtype}), more than ${cells > MTX_MAX_CELLS ? 'the 2^31 - 1 cells one array can hold' : 'the memory of this machine'}`,
        'use the filtered matrix (filtered_feature_bc_matrix) or subset features or barcodes first',
      );
    }
    try {
      data = dtype === 'float32' ? new Float32Array(cells) : new Float64Array(cells);
      seen = new Uint8Array(Math.ceil(cells / 8));
    } catch {
      throw inputError(where, `cannot allocate the dense ${rows} x ${cols} matrix (${gib} GiB as ${dtype})`, 'free memory, use the filtered matrix or subset features or barcodes first');
    }
    state = 2;
  });

  if (state === 0) {
    throw inputError(`${path} line 1`, 'the file is empty', HEADER_FIX);
  }
  if (state === 1) {
    throw inputError(`${path} line 2`, 'the file ends before the size line', 'add the "ROWS COLUMNS ENTRIES" line and the entries (the file may be truncated)');
  }
  if (count !== nnz) {
    throw inputError(
      `${path} line ${sizeLine}`,
      `the size line says ${nnz} entries but the file has ${count}${
        firstExtra ? ` (the first extra one is on line ${firstExtra})` : ', so it may be truncated'
      }`,
      'correct the entry count on the size line or restore the file',
    );
  }
  return { rows, cols, data };
}
