/**
 * TSV/CSV matrix reader. The first (non-blank) line is the header: a row-id column name (may be
 * empty) then the sample ids; each further line is `id v1..vn`. A header without the row-id column
 * name (R `write.table` style: n names over n+1 cells) is recognised too. Cells may be double-quoted
 * (RFC 4180: `""` is a quote; in CSV a quoted cell may span lines). Blank lines and trailing empty
 * cells are ignored. Errors are `inputError`s (exit 3) naming the file line and column.
 */
import { inputError } from '../errors.js';
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
  splitCells,
  trimmedLength,
  type ReadMatrix,
} from './text.js';

export type Separator = '\t' | ',';

const SEP_NAME: Record<Separator, string> = { '\t': 'tab', ',': 'comma' };

/** Separator implied by the file name (.tsv/.txt/.tab -> tab, .csv -> comma; also with .gz). */
export function separatorForPath(path: string): Separator | undefined {
  const p = path.toLowerCase().replace(/\.(gz|gzip)$/, '');
  if (/\.(tsv|txt|tab)$/.test(p)) return '\t';
  if (/\.csv$/.test(p)) return ',';
  return undefined;
}

/** Guess the separator from a header line: the more frequent of tab and comma (outside quotes). */
export function sniffSeparator(line: string): Separator | undefined {
  let tabs = 0;
  let commas = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (!quoted && c === 0x09) tabs++;
    else if (!quoted && c === 0x2c) commas++;
  }
  if (tabs === 0 && commas === 0) return undefined;
  return tabs >= commas ? '\t' : ',';
}

export function readDelimited(path: string, sep?: Separator): ReadMatrix {
  return parseDelimited(loadTextBytes(path), path, sep);
}

const MAX_RECORD_LINES = 1000;

/** Parse TSV/CSV text already loaded into `buf` (gunzipped); `path` is used in messages. */
export function parseDelimited(buf: Buffer, path: string, sep?: Separator): ReadMatrix {
  const lines = new LineReader(buf);
  const byName = separatorForPath(path);

  // Header: the first non-blank line.
  let header: string | null;
  do header = lines.next();
  while (header !== null && isBlankLine(header, sep ?? byName ?? ","));
  if (header === null) {
    throw inputError(`${path} line 1`, 'the file is empty', 'pass a file with a header line and at least one data row');
  }
  const headerLineNo = lines.lineNo;
  let s: Separator;
  if (sep) s = sep;
  else {
    const sniffed = sniffSeparator(header);
    // Trust the extension unless the header has none of that separator but some of the other.
    s = byName && (sniffed === undefined || header.includes(byName)) ? byName : (sniffed ?? byName ?? '\t');
  }
  const what = s === ',' ? 'comma-separated' : 'tab-separated';

  /** Cells of the record starting with the current line, joining lines inside an open CSV quote. */
  const recordCells = (first: string, lineNo: number): string[] => {
    let line = first;
    let cells = splitCells(line, s);
    let joined = 1;
    while (cells === null) {
      const more = s === ',' && joined < MAX_RECORD_LINES ? lines.next() : null;
      if (more === null) {
        if (s === '\t') return line.split(s);
        throw inputError(
          `${path} line ${lineNo}`,
          'a double-quoted cell that starts on this line is never closed',
          'close the quote or remove the stray double quote',
        );
      }
      line += '\n' + more;
      joined++;
      cells = splitCells(line, s);
    }
    return cells;
  };
  const sepByte = s.charCodeAt(0);
  /** Move to the next non-blank line; false at the end. */
  const advance = (): boolean => {
    while (lines.advance()) if (!lines.isBlank(sepByte)) return true;
    return false;
  };

  const hcellsAll = splitCells(header, s) ?? header.split(s);
  const hlen = trimmedLength(hcellsAll);
  const hcells = hcellsAll.slice(0, hlen).map((c) => c.trim());

  if (!advance()) {
    throw inputError(
      `${path} line ${headerLineNo + 1}`,
      'the matrix has no data rows after the header',
      'add one row per feature (id followed by one value per sample)',
    );
  }
  const firstLineNo = lines.lineNo;
  const firstRow = { cells: recordCells(lines.text(), firstLineNo), lineNo: firstLineNo };
  // Layout: header "id s1..sn" over rows "id v1..vn", or (R write.table) "s1..sn" over "id v1..vn".
  const d0 = firstRow.cells.length;
  const d0t = trimmedLength(firstRow.cells);
  let rIdStyle: boolean; // true: the header has no row-id column name
  if (d0 === hlen || (d0 > hlen && d0t <= hlen)) rIdStyle = false;
  else if (d0 === hlen + 1 || (d0 > hlen + 1 && d0t <= hlen + 1)) rIdStyle = true;
  else {
    throw inputError(
      `${path} line ${firstRow.lineNo}`,
      `this first data row has ${d0t} ${what} cells but the header (line ${headerLineNo}) has ${hlen}`,
      `make every row an id followed by one value per sample${s === '\t' ? ' (if the file is comma-separated, give it a .csv name)' : ''}`,
    );
  }
  const colIds = rIdStyle ? hcells : hcells.slice(1);
  const hColOf = (j: number): number => (rIdStyle ? j + 1 : j + 2);
  const nCols = colIds.length;
  if (nCols === 0) {
    throw inputError(
      `${path} line ${headerLineNo}`,
      `the header has no sample columns (no ${SEP_NAME[s]} after the row-id column)`,
      s === '\t'
        ? 'put one sample id per column after the row-id column (if the file is comma-separated, give it a .csv name)'
        : 'put one sample id per column after the row-id column (if the file is tab-separated, give it a .tsv name)',
    );
  }
  checkSampleIds(path, headerLineNo, colIds, hColOf);
  const expected = nCols + 1;

  const cap = lines.countRemainingLines() + 1;
  let data = new Float64Array(cap * nCols);
  let rowLines = new Int32Array(cap);
  const rowIds: string[] = [];
  /** General path for one data row (quotes, bad cells, wrong cell counts): parse or throw. */
  const slowRow = (cells: string[], lineNo: number, off: number): string => {
    if (cells.length !== expected && !(cells.length > expected && trimmedLength(cells) <= expected)) {
      throw inputError(
        `${path} line ${lineNo}`,
        `this row has ${cells.length > expected ? trimmedLength(cells) : cells.length} ${what} cells but ${expected} are expected (the row id and ${nCols} samples)`,
        `every row needs one value per sample, so check for missing or extra ${s === '\t' ? 'tabs' : 'commas'}`,
      );
    }
    const id = cells[0]!;
    for (let j = 0; j < nCols; j++) {
      const cell = cells[j + 1]!;
      const v = parseNumber(cell);
      if (v !== v) throw badCellError(`${path} line ${lineNo}, column ${j + 2}`, cell, colIds[j]!, id.trim());
      data[off + j] = v;
    }
    return id;
  };
  let r = 0;
  const addRow = (id: string, lineNo: number): void => {
    rowIds.push(id.trim());
    rowLines[r] = lineNo;
    r++;
  };
  addRow(slowRow(firstRow.cells, firstRow.lineNo, 0), firstRow.lineNo);
  while (advance()) {
    const lineNo = lines.lineNo;
    if (r === cap) {
      // Only possible when quoted cells joined lines oddly; grow (rare).
      const d2 = new Float64Array(data.length * 2);
      d2.set(data);
      data = d2;
      const l2 = new Int32Array(rowLines.length * 2);
      l2.set(rowLines);
      rowLines = l2;
    }
    const off = r * nCols;
    const lead = parseRowFast(lines.buf, lines.start, lines.stop, sepByte, 1, nCols, data, off);
    addRow(lead ? lead[0]! : slowRow(recordCells(lines.text(), lineNo), lineNo, off), lineNo);
  }
  const used = r * nCols;
  checkFeatureIds(path, rowIds, rowLines);
  warnIfUnterminated(buf, path, lines.lineNo);
  const colColumns = new Int32Array(nCols);
  for (let j = 0; j < nCols; j++) colColumns[j] = j + 2;
  return {
    rows: r,
    cols: nCols,
    data: used === data.length ? data : data.slice(0, used),
    rowIds,
    rowDescriptions: new Array<string>(r).fill(''),
    colIds,
    source: { path, format: s === ',' ? 'csv' : 'tsv', rowLines: rowLines.slice(0, r), colColumns },
  };
}
