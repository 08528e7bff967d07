/**
 * One entry point for matrix input: GCT 1.2/1.3, TSV, CSV (each optionally gzipped), 10x MTX
 * directories, AnnData .h5ad and 10x Genomics .h5. `auto` picks MTX for a directory or a .mtx/.mtx.gz
 * name, HDF5 for a .h5ad/.h5/.hdf5 name or a file with the HDF5 signature (then AnnData when it has
 * an `X`, 10x when it has a `matrix` group), GCT when the first line is a GCT version line (`#1.x`)
 * or the name ends in .gct, then CSV/TSV by extension (.csv; .tsv/.txt/.tab), then by sniffing the
 * header.
 *
 * HDF5 goes through h5wasm, which loads asynchronously: use `readInput`, which loads it when needed;
 * `readMatrixFile` reads HDF5 only once it is loaded.
 *
 * `dtype: 'float32'` makes the MTX and HDF5 readers (single-cell data: counts or float32 values)
 * build the dense matrix as float32, half the memory; text readers always return float64.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { inputError, usageError } from '../errors.js';
import { parseDelimited, separatorForPath } from './delimited.js';
import { parseGct } from './gct.js';
import { readH5ad } from './h5ad.js';
import { H5File, hasHdf5Signature, loadHdf5 } from './hdf5.js';
import { isMtxPath, readMtxDir } from './mtx.js';
import { findTenxGroup, readTenxH5 } from './tenx-h5.js';
import { loadTextBytes, quoteText, type ReadMatrix } from './text.js';

export type InputFormat = 'auto' | 'gct' | 'tsv' | 'csv' | 'mtx' | 'h5ad' | '10x-h5';

export interface ReadOptions {
  /** Element type of the dense matrix from the MTX and HDF5 readers (default float64). */
  dtype?: 'float64' | 'float32';
  /** .h5ad only: the var column that holds the feature names (descriptions), e.g. gene symbols. */
  featureNames?: string;
}

const FORMATS: readonly InputFormat[] = ['auto', 'gct', 'tsv', 'csv', 'mtx', 'h5ad', '10x-h5'];

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

function isHdf5Path(path: string): boolean {
  return /\.(h5ad|h5|hdf5)$/i.test(path);
}

/** True when `format` (or, for auto, the name or the signature) says the input is HDF5. */
export function isHdf5Input(path: string, format: InputFormat = 'auto'): boolean {
  if (format === 'h5ad' || format === '10x-h5') return true;
  if (format !== 'auto' || isMtxPath(path) || isDirectory(path)) return false;
  return isHdf5Path(path) || hasHdf5Signature(path);
}

/** Read any supported input, loading the HDF5 library first when the input needs it. */
export async function readInput(path: string, format: InputFormat = 'auto', options: ReadOptions = {}): Promise<ReadMatrix> {
  if (FORMATS.includes(format) && isHdf5Input(path, format)) await loadHdf5();
  return readMatrixFile(path, format, options);
}

function readHdf5(path: string, format: InputFormat, dtype: 'float64' | 'float32', featureNames?: string): ReadMatrix {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw inputError(path, 'the file does not exist', 'check the path given to --input');
  }
  if (!hasHdf5Signature(path)) {
    const head = loadHead(path);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      throw inputError(path, 'this is a gzip-compressed file, but HDF5 files (.h5ad/.h5) are read uncompressed', 'gunzip it and pass the .h5ad/.h5 file');
    }
    throw inputError(
      path,
      size === 0 ? 'the file is empty' : 'the file does not start with the HDF5 signature, so it is not an HDF5 (.h5ad/.h5) file or its start is corrupt',
      'pass the original .h5ad or 10x .h5 file (copy or download it again), or name a text matrix .tsv, .csv or .gct',
    );
  }
  const h5 = H5File.open(path);
  try {
    if (format === 'h5ad') return readH5ad(h5, dtype, featureNames);
    if (format === '10x-h5') return readTenxH5(h5, dtype);
    if (h5.kind('X') !== 'missing') return readH5ad(h5, dtype, featureNames);
    if (findTenxGroup(h5)) return readTenxH5(h5, dtype);
    const top = h5.keys('');
    throw inputError(
      path,
      `this HDF5 file is neither AnnData (it has no X) nor a 10x Genomics matrix (it has no matrix group); its top-level entries are ${
        top.length ? top.slice(0, 8).map((k) => quoteText(k)).join(', ') + (top.length > 8 ? ', ...' : '') : 'none'
      }`,
      'pass an AnnData .h5ad (adata.write_h5ad) or a Cell Ranger filtered_feature_bc_matrix.h5, or export the matrix to MTX, TSV or GCT',
    );
  } finally {
    h5.close();
  }
}

/** The first bytes of a file (without reading all of it). */
function loadHead(path: string): Buffer {
  const buf = Buffer.alloc(8);
  try {
    const fd = openSync(path, 'r');
    try {
      return buf.subarray(0, readSync(fd, buf, 0, 8, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return Buffer.alloc(0);
  }
}

/**
 * Read any supported input synchronously (HDF5 only after `loadHdf5`; `readInput` does both).
 * `loaded`: the text content already read once by read-once.ts (then only GCT/TSV/CSV apply).
 */
export function readMatrixFile(path: string, format: InputFormat = 'auto', options: ReadOptions = {}, loaded?: Buffer): ReadMatrix {
  const dtype = options.dtype ?? 'float64';
  if (!FORMATS.includes(format)) {
    throw usageError(`unknown input format ${JSON.stringify(format)}; use ${FORMATS.slice(0, -1).join(', ')} or ${FORMATS.at(-1)}.`);
  }
  if (loaded) return parseText(path, format, loadTextBytes(path, loaded));
  if (format === 'mtx' || (format === 'auto' && (isMtxPath(path) || isDirectory(path)))) return readMtxDir(path, dtype);
  if (isHdf5Input(path, format)) return readHdf5(path, format, dtype, options.featureNames);
  return parseText(path, format, loadTextBytes(path));
}

/** Parse GCT/TSV/CSV bytes (already gunzipped); `loaded` text skips every file access (pipes). */
function parseText(path: string, format: InputFormat, buf: Buffer): ReadMatrix {
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
