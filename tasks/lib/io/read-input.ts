/**
 * One entry point for matrix input: GCT 1.2/1.3, TSV, CSV (each optionally gzipped) and 10x MTX
 * directories. `auto` picks MTX for a directory or a .mtx/.mtx.gz name, GCT when the first line is a
 * GCT version line (`#1.x`) or the name ends in .gct, then CSV/TSV by extension (.csv;
 * .tsv/.txt/.tab), then by sniffing the header.
 */
import { statSync } from 'node:fs';
import { usageError } from '../errors.js';
import { parseDelimited, separatorForPath } from './delimited.js';
import { parseGct } from './gct.js';
import { isMtxPath, readMtxDir } from './mtx.js';
import { loadTextBytes, type ReadMatrix } from './text.js';

export type InputFormat = 'auto' | 'gct' | 'tsv' | 'csv' | 'mtx';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // missing: the text loader reports it
  }
}

export type { ReadMatrix, MatrixSource, SourcedMatrix, MetaTable } from './text.js';
export { cellLocation } from './text.js';

/** True when the buffer's first line starts with `#1.` (after an optional BOM). */
function looksLikeGct(buf: Buffer): boolean {
  const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  return buf.toString('latin1', start, start + 3) === '#1.';
}

export function readMatrixFile(path: string, format: InputFormat = 'auto'): ReadMatrix {
  if (!['auto', 'gct', 'tsv', 'csv', 'mtx'].includes(format)) {
    throw usageError(`unknown input format ${JSON.stringify(format)}; use auto, gct, tsv, csv or mtx.`);
  }
  if (format === 'mtx' || (format === 'auto' && (isMtxPath(path) || isDirectory(path)))) return readMtxDir(path);
  const buf = loadTextBytes(path);
  switch (format) {
    case 'gct':
      return parseGct(buf, path);
    case 'tsv':
      return parseDelimited(buf, path, '\t');
    case 'csv':
      return parseDelimited(buf, path, ',');
    default: {
      const lower = path.toLowerCase().replace(/\.(gz|gzip)$/, '');
      if (looksLikeGct(buf) || lower.endsWith('.gct')) return parseGct(buf, path);
      return parseDelimited(buf, path, separatorForPath(path));
    }
  }
}
