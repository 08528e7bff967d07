/**
 * GCT 1.2 and 1.3 (Broad/GenePattern expression format) reader and a GCT 1.2 writer.
 *
 * GCT 1.2:  `#1.2` / `ROWS<TAB>COLS` / `Name Description s1..sn` / rows `name desc v1..vn`.
 * GCT 1.3:  `#1.3` / `ROWS COLS NROWMETA NCOLMETA` / `id rm1..rmR s1..sn` / NCOLMETA lines
 *           `name <R placeholders> v1..vn` / rows `id rm1..rmR v1..vn`.
 * Tolerated: UTF-8 BOM, CRLF, gzip (by magic bytes), trailing empty cells (Excel exports), blank
 * lines (skipped), double-quoted text cells. Everything else is an `inputError` (exit 3) naming the
 * file line and column.
 */
import { inputError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import {
  LineReader,
  badCellError,
  checkFeatureIds,
  checkSampleIds,
  warnIfUnterminated,
  isBlankLine,
  loadTextBytes,
  parseNumber,
  parseRowFast,
  quoteText,
  splitCells,
  trimmedLength,
  type MetaTable,
  type ReadMatrix,
} from './text.js';

export function readGct(path: string): ReadMatrix {
  return parseGct(loadTextBytes(path), path);
}

/** Split a tab-separated line; quoted cells are unquoted, an unclosed quote is kept literally. */
function cellsOf(line: string): string[] {
  return splitCells(line, '\t') ?? line.split('\t');
}

function nextNonBlank(lines: LineReader): string | null {
  for (;;) {
    const line = lines.next();
    if (line === null || !isBlankLine(line, '\t')) return line;
  }
}

/** Parse GCT text already loaded into `buf` (gunzipped); `path` is used in messages. */
export function parseGct(buf: Buffer, path: string): ReadMatrix {
  const lines = new LineReader(buf);

  // Line 1: version.
  const first = lines.next() ?? '';
  const version = (cellsOf(first)[0] ?? '').trim();
  if (version !== '#1.2' && version !== '#1.3') {
    const problem = version.startsWith('#')
      ? `the GCT version ${quoteText(version)} is not supported`
      : `the first line ${quoteText(first.trim())} is not a GCT version line`;
    throw inputError(`${path} line 1`, problem, 'the first line must be #1.2 or #1.3 (or pass a TSV/CSV file with a .tsv/.csv name)');
  }
  const v13 = version === '#1.3';

  // Line 2: dimensions.
  const dimsLine = lines.next();
  const dimsLineNo = 2;
  const dimsText = (dimsLine ?? '').trim();
  const dims = dimsText === '' ? [] : dimsText.split(/[\t ]+/);
  const want = v13 ? 4 : 2;
  const shape = v13 ? 'ROWS<TAB>COLUMNS<TAB>ROW_METADATA<TAB>COLUMN_METADATA' : 'ROWS<TAB>COLUMNS';
  if (dims.length !== want || !dims.every((d) => /^\d+$/.test(d))) {
    throw inputError(
      `${path} line ${dimsLineNo}`,
      `the dimensions line ${quoteText(dimsText)} is malformed for GCT ${version.slice(1)}, which needs ${want} whole numbers`,
      `write it as ${shape} (the number of data rows and of sample columns)`,
    );
  }
  const nRows = Number(dims[0]);
  const nCols = Number(dims[1]);
  const nRowMeta = v13 ? Number(dims[2]) : 1; // GCT 1.2: Description is the one row-metadata column
  const nColMeta = v13 ? Number(dims[3]) : 0;
  if (nRows === 0 || nCols === 0) {
    throw inputError(
      `${path} line ${dimsLineNo}`,
      `the dimensions line says the matrix has ${nRows} rows and ${nCols} samples, so it is empty`,
      'pass a matrix with at least one data row and one sample column',
    );
  }
  const lead = 1 + nRowMeta; // cells before the first sample value
  const expected = lead + nCols;

  // Line 3: header.
  const header = nextNonBlank(lines);
  if (header === null) {
    throw inputError(`${path} line 3`, 'the file ends before the header line', 'add the header line (id, descriptions and sample names) and the data rows');
  }
  const headerLineNo = lines.lineNo;
  const hcells = cellsOf(header);
  const hlen = trimmedLength(hcells);
  if (hlen - lead !== nCols) {
    const leadNames = v13 ? `the id and ${nRowMeta} row-metadata columns` : 'Name and Description';
    throw inputError(
      `${path} line ${headerLineNo}`,
      `the dimensions line (line ${dimsLineNo}) says ${nCols} samples but the header has ${Math.max(0, hlen - lead)} sample columns after ${leadNames}`,
      `correct the sample count on line ${dimsLineNo} or the header`,
    );
  }
  const colIds = new Array<string>(nCols);
  for (let j = 0; j < nCols; j++) colIds[j] = hcells[lead + j]!.trim();
  checkSampleIds(path, headerLineNo, colIds, (j) => lead + j + 1);
  const rowMetaNames = hcells.slice(1, lead).map((s) => s.trim());

  const tooFew = (lineNo: number, found: number, what: string): Error =>
    inputError(
      `${path} line ${lineNo}`,
      `this ${what} has ${found} cells but ${expected} are expected (${v13 ? `id, ${nRowMeta} row-metadata cells` : 'Name, Description'} and ${nCols} samples)`,
      'every row needs one tab-separated value per sample, so check for missing or extra tabs',
    );

  // GCT 1.3 column metadata lines.
  let colMeta: MetaTable | undefined;
  if (v13) {
    colMeta = { names: [], values: [] };
    for (let m = 0; m < nColMeta; m++) {
      const line = nextNonBlank(lines);
      if (line === null) {
        throw inputError(
          `${path} line ${lines.lineNo + 1}`,
          `the dimensions line says there are ${nColMeta} column-metadata lines but the file ends after ${m}`,
          `correct the last number on line ${dimsLineNo} or add the metadata lines`,
        );
      }
      const cells = cellsOf(line);
      if (cells.length !== expected && !(cells.length > expected && trimmedLength(cells) <= expected)) {
        throw tooFew(lines.lineNo, trimmedLength(cells), 'column-metadata line');
      }
      colMeta.names.push(cells[0]!.trim());
      colMeta.values.push(cells.slice(lead, expected).map((s) => s.trim()));
    }
  }

  // Data rows.
  const rowsLeft = lines.countRemainingLines();
  if (nRows > rowsLeft) {
    // Cannot possibly be there: report without allocating nRows * nCols.
    let found = 0;
    while (nextNonBlank(lines) !== null) found++;
    throw inputError(
      `${path} line ${dimsLineNo}`,
      `the dimensions line says ${nRows} data rows but the file has ${found}`,
      `correct the row count on line ${dimsLineNo} or restore the missing rows`,
    );
  }
  const data = new Float64Array(nRows * nCols);
  const rowIds = new Array<string>(nRows);
  const rowLines = new Int32Array(nRows);
  const rowMetaValues: string[][] = rowMetaNames.map(() => new Array<string>(nRows));
  /** General path for one data row (quotes, bad cells, wrong cell counts): parse or throw. */
  const slowRow = (line: string, lineNo: number, off: number): string[] => {
    const cells = cellsOf(line);
    if (cells.length !== expected && !(cells.length > expected && trimmedLength(cells) <= expected)) {
      throw tooFew(lineNo, cells.length > expected ? trimmedLength(cells) : cells.length, 'data row');
    }
    const id = cells[0]!.trim();
    for (let j = 0; j < nCols; j++) {
      const cell = cells[lead + j]!;
      const v = parseNumber(cell);
      if (v !== v) throw badCellError(`${path} line ${lineNo}, column ${lead + j + 1}`, cell, colIds[j]!, id);
      data[off + j] = v;
    }
    return cells.slice(0, lead);
  };
  let r = 0;
  while (lines.advance()) {
    if (lines.isBlank(0x09)) continue;
    const lineNo = lines.lineNo;
    if (r === nRows) {
      throw inputError(
        `${path} line ${lineNo}`,
        `the dimensions line (line ${dimsLineNo}) says ${nRows} data rows but the file has more, starting with this line`,
        `correct the row count on line ${dimsLineNo} or remove the extra rows`,
      );
    }
    const off = r * nCols;
    const leadCells =
      parseRowFast(buf, lines.start, lines.stop, 0x09, lead, nCols, data, off) ?? slowRow(lines.text(), lineNo, off);
    rowIds[r] = leadCells[0]!.trim();
    rowLines[r] = lineNo;
    for (let m = 0; m < nRowMeta; m++) rowMetaValues[m]![r] = leadCells[1 + m]!.trim();
    r++;
  }
  if (r < nRows) {
    throw inputError(
      `${path} line ${dimsLineNo}`,
      `the dimensions line says ${nRows} data rows but the file has ${r}`,
      `correct the row count on line ${dimsLineNo} or restore the missing rows`,
    );
  }

  checkFeatureIds(path, rowIds, rowLines);
  warnIfUnterminated(buf, path, lines.lineNo);
  const colColumns = new Int32Array(nCols);
  for (let j = 0; j < nCols; j++) colColumns[j] = lead + j + 1;

  let rowDescriptions: string[];
  if (!v13) {
    rowDescriptions = rowMetaValues[0]!;
  } else {
    const d = rowMetaNames.findIndex((n) => /^desc(ription)?$/i.test(n));
    rowDescriptions = d >= 0 ? rowMetaValues[d]! : new Array<string>(nRows).fill('');
  }
  const result: ReadMatrix = {
    rows: nRows,
    cols: nCols,
    data,
    rowIds,
    rowDescriptions,
    colIds,
    source: { path, format: v13 ? 'gct1.3' : 'gct1.2', rowLines, colColumns },
  };
  if (v13) {
    result.rowMeta = { names: rowMetaNames, values: rowMetaValues };
    result.colMeta = colMeta;
  }
  return result;
}

/** How `writeGct12` prints numbers. */
export interface GctNumberFormat {
  /**
   * Significant digits (1..17). Default: the shortest text that reads back to the same value
   * (float64; or float32 when `float32` is set or the data is a Float32Array).
   */
  digits?: number;
  /** Shortest text that reads back to the same float32 (default for Float32Array data). */
  float32?: boolean;
}

/** Shortest decimal text that parses back to the same float32 value. */
export function formatFloat32(v: number): string {
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

function numberFormatter(data: ArrayLike<number>, format?: GctNumberFormat): (v: number) => string {
  if (format?.digits !== undefined) {
    const d = format.digits;
    if (!Number.isInteger(d) || d < 1 || d > 17) throw new RangeError(`writeGct12: digits must be 1..17, got ${d}`);
    return (v) => String(Number(v.toPrecision(d)));
  }
  if (format?.float32 ?? data instanceof Float32Array) return formatFloat32;
  return (v) => String(v);
}

/** Tabs and line breaks cannot appear inside a GCT cell: they become spaces. */
function cleanText(s: string): string {
  return /[\t\r\n]/.test(s) ? s.replace(/[\t\r\n]+/g, ' ') : s;
}

/**
 * Write a GCT 1.2 file atomically. `data` is rows*cols values, row-major (rows = `rowIds`).
 * Numbers are written so that `readGct` gives them back exactly (see `GctNumberFormat`).
 */
export function writeGct12(
  path: string,
  rowIds: readonly string[],
  descriptions: readonly string[] | null,
  colIds: readonly string[],
  data: ArrayLike<number>,
  format?: GctNumberFormat,
): void {
  const rows = rowIds.length;
  const cols = colIds.length;
  if (data.length !== rows * cols) {
    throw new RangeError(`writeGct12(${path}): data has ${data.length} values but ${rows} rows x ${cols} columns need ${rows * cols}`);
  }
  if (descriptions && descriptions.length !== rows) {
    throw new RangeError(`writeGct12(${path}): ${descriptions.length} descriptions for ${rows} rows`);
  }
  const fmt = numberFormatter(data, format);
  const chunks: Buffer[] = [];
  chunks.push(Buffer.from(`#1.2\n${rows}\t${cols}\nName\tDescription\t${colIds.map(cleanText).join('\t')}\n`, 'utf8'));
  let part: string[] = [];
  let partLen = 0;
  // One array per row joined once: a line built by += is a rope of 2 x cols pieces that lives until
  // its chunk is flushed, and copying those through young-generation GCs cost more than the formatting.
  const cells = new Array<string>(cols + 2);
  for (let i = 0; i < rows; i++) {
    cells[0] = cleanText(rowIds[i]!);
    cells[1] = cleanText(descriptions?.[i] ?? '');
    const off = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[off + j]!;
      if (!Number.isFinite(v)) throw new RangeError(`writeGct12(${path}): non-finite value ${v} at row ${i}, column ${j}`);
      cells[j + 2] = fmt(v);
    }
    const line = cells.join('\t');
    part.push(line);
    partLen += line.length;
    if (partLen > 1 << 22) {
      chunks.push(Buffer.from(part.join('\n') + '\n', 'utf8'));
      part = [];
      partLen = 0;
    }
  }
  if (part.length > 0) chunks.push(Buffer.from(part.join('\n') + '\n', 'utf8'));
  writeFileAtomic(path, Buffer.concat(chunks));
}
