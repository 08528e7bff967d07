/**
 * Simple TSV tables (a header line, then one line per record) for features.tsv, samples.tsv and
 * metrics.tsv. Written atomically with LF line endings; cells never contain tabs or line breaks
 * (they are replaced by spaces). Numbers are written in shortest round-trip form, null/undefined as
 * `NA`, NaN as `NaN`, infinities as `Inf`/`-Inf` (as R writes them).
 */
import { inputError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { LineReader, loadTextBytes } from './text.js';

export type TsvCell = string | number | boolean | null | undefined;

export interface TsvTable {
  header: string[];
  rows: string[][];
}

export function formatTsvCell(v: TsvCell): string {
  if (v === null || v === undefined) return 'NA';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Inf';
    if (v === -Infinity) return '-Inf';
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return /[\t\r\n]/.test(v) ? v.replace(/[\t\r\n]+/g, ' ') : v;
}

/** Encode a table as TSV text (header + rows, each line ending in LF). */
export function formatTsv(header: readonly string[], rows: readonly (readonly TsvCell[])[]): string {
  const out: string[] = [header.map(formatTsvCell).join('\t')];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.length !== header.length) {
      throw new RangeError(`formatTsv: row ${i} has ${row.length} cells but the header has ${header.length}`);
    }
    out.push(row.map(formatTsvCell).join('\t'));
  }
  return out.join('\n') + '\n';
}

/** Write a TSV table atomically. Every row must have as many cells as the header. */
export function writeTsv(path: string, header: readonly string[], rows: readonly (readonly TsvCell[])[]): void {
  writeFileAtomic(path, formatTsv(header, rows));
}

/** Write records (objects) as TSV with the given column order. */
export function writeTsvRecords(path: string, columns: readonly string[], records: readonly Record<string, TsvCell>[]): void {
  writeTsv(path, columns, records.map((rec) => columns.map((c) => rec[c])));
}

/**
 * Read a TSV table written by `writeTsv` (or by hand): the first line is the header; blank lines are
 * skipped; every row must have as many cells as the header (inputError, exit 3, otherwise).
 */
export function readTsv(path: string): TsvTable {
  return parseTsv(loadTextBytes(path), path);
}

/** Parse TSV bytes already read (e.g. checked against a manifest's sha256); `path` names them in messages. */
export function parseTsv(bytes: Buffer, path: string): TsvTable {
  const lines = new LineReader(bytes);
  let headerLine: string | null;
  do headerLine = lines.next();
  while (headerLine !== null && headerLine.trim() === '');
  if (headerLine === null) {
    throw inputError(`${path} line 1`, 'the file is empty', 'pass a TSV file with a header line');
  }
  const header = headerLine.split('\t');
  const rows: string[][] = [];
  for (let line = lines.next(); line !== null; line = lines.next()) {
    if (line.trim() === '') continue;
    const cells = line.split('\t');
    if (cells.length !== header.length) {
      throw inputError(
        `${path} line ${lines.lineNo}`,
        `this row has ${cells.length} tab-separated cells but the header has ${header.length}`,
        'give every row one cell per header column',
      );
    }
    rows.push(cells);
  }
  return { header, rows };
}

/** Read a TSV table as records keyed by header name. */
export function readTsvRecords(path: string): Record<string, string>[] {
  const { header, rows } = readTsv(path);
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]!])));
}
