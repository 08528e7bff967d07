/**
 * Building the dense features x samples matrix from HDF5 datasets, shared by the .h5ad and 10x .h5
 * readers: compressed sparse (CSR/CSC) data read in fixed-size blocks of entries, dense 2-D data read
 * in blocks of rows, name lists checked for count, emptiness and duplicates. Every check throws a
 * located inputError: "FILE dataset X/indptr, element 4: ..." (elements, rows and columns 0-based,
 * as h5py and scipy index them).
 */
import { totalmem } from 'node:os';
import { inputError } from '../errors.js';
import type { H5File, NumericArray } from './hdf5.js';
import { MTX_MAX_CELLS } from './mtx.js';
import { quoteText } from './text.js';

/** Entries per block read (data and indices): 4 Mi entries keep each read to tens of MB in wasm. */
let blockEntries = 1 << 22;

/** Change the block size (tests use a few entries to cross block boundaries on small files). */
export function setBlockEntries(n: number): void {
  blockEntries = Math.max(1, Math.floor(n));
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * A numeric block as plain numbers. 64-bit integers arrive as BigInt arrays; they are read through
 * 32-bit halves (much faster than BigInt -> Number) and any value beyond 2^53 becomes NaN, which
 * callers report as out of range.
 */
export function asNumbers(a: NumericArray): ArrayLike<number> {
  if (!(a instanceof BigInt64Array) && !(a instanceof BigUint64Array)) return a;
  const words = new Int32Array(a.buffer, a.byteOffset, a.length * 2);
  const out = new Float64Array(a.length);
  const signed = a instanceof BigInt64Array;
  for (let i = 0; i < a.length; i++) {
    const lo = words[2 * i]! >>> 0;
    const hi = words[2 * i + 1]!;
    const v = (signed ? hi : hi >>> 0) * 4294967296 + lo;
    out[i] = v > MAX_SAFE || v < -MAX_SAFE ? NaN : v;
  }
  return out;
}

/** 0, 1, ..., n - 1 (the 0-based file indices kept in `source.rowLines`/`colColumns`). */
export function indexArray(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Element type of the dense matrix a reader builds (see `ReadOptions` in read-input.ts). */
export type DenseDtype = 'float64' | 'float32';

/** Allocate the dense matrix, refusing sizes one array or this machine cannot hold. */
export function allocDense(where: string, rows: number, cols: number, rowsWhat: string, colsWhat: string, dtype: DenseDtype = 'float64'): Float64Array | Float32Array {
  const cells = rows * cols;
  const bytes = dtype === 'float32' ? 4 : 8;
  const gib = ((cells * bytes) / 2 ** 30).toFixed(1);
  if (rows === 0 || cols === 0) {
    throw inputError(where, `the matrix has ${rows} ${rowsWhat} and ${cols} ${colsWhat}, so it is empty`, `pass a matrix with at least one ${rowsWhat.replace(/s$/, '')} and one ${colsWhat.replace(/s$/, '')}`);
  }
  if (cells > MTX_MAX_CELLS || cells * bytes > totalmem()) {
    throw inputError(
      where,
      `the dense matrix would be ${rows} ${rowsWhat} x ${cols} ${colsWhat} = ${cells} cells (${gib} GiB as ${dtype}), more than ${cells > MTX_MAX_CELLS ? 'the 2^31 - 1 cells one array can hold' : 'the memory of this machine'}`,
      `subset ${rowsWhat} or ${colsWhat} first (e.g. highly variable genes, filtered cells)`,
    );
  }
  try {
    return dtype === 'float32' ? new Float32Array(cells) : new Float64Array(cells);
  } catch {
    throw inputError(where, `cannot allocate the dense ${rows} x ${cols} matrix (${gib} GiB as ${dtype})`, `free memory or subset ${rowsWhat} or ${colsWhat} first`);
  }
}

/** A finite value that overflows the output type (float32 above 3.4e38), or duplicates that add up to infinity. */
function tooLarge(where: string, v: number, label: string, out: Float64Array | Float32Array): Error {
  const type = out instanceof Float32Array ? 'float32' : 'float64';
  return inputError(where, `the value ${String(v)} for ${label} does not fit in ${type} (it, or its sum with a duplicate entry, overflows to infinity)`, 'rescale the data (e.g. to counts or log values) before saving');
}

/** One compressed sparse matrix (scipy CSR/CSC layout) stored as `group`/data, indices, indptr. */
export interface SparseSpec {
  group: string;
  /** Length of the compressed axis (rows for CSR) and of the other axis. */
  nMajor: number;
  nMinor: number;
  /** What the axes are called in messages, and where the expected lengths came from. */
  majorWhat: string;
  minorWhat: string;
  shapeFrom: string;
  /** True when the compressed axis is the samples (h5ad CSR, 10x CSC by barcode). */
  majorIsSample: boolean;
  /** Names for messages: label(major, minor) -> 'cell "c1", gene "g2"'. */
  label: (major: number, minor: number) => string;
}

/** Fill `out` (features x samples, row-major) from a CSR/CSC group. Duplicate entries add up, as in scipy. */
export function fillSparse(h5: H5File, s: SparseSpec, out: Float64Array | Float32Array): void {
  const p = h5.path;
  const g = s.group;
  for (const name of ['data', 'indices', 'indptr']) {
    if (h5.kind(`${g}/${name}`) !== 'dataset') {
      throw inputError(`${p} group ${g}`, `the sparse matrix has no ${name} dataset`, 'write the matrix with anndata, scipy or Cell Ranger, which store data, indices and indptr');
    }
  }
  const dataInfo = h5.info(`${g}/data`);
  const idxInfo = h5.info(`${g}/indices`);
  const ptrInfo = h5.info(`${g}/indptr`);
  for (const [name, info] of [['data', dataInfo], ['indices', idxInfo], ['indptr', ptrInfo]] as const) {
    if (info.shape.length !== 1) {
      throw inputError(`${p} dataset ${g}/${name}`, `this dataset has ${info.shape.length} dimensions, not 1`, 'store data, indices and indptr as 1-D arrays (scipy layout)');
    }
  }
  for (const [name, info] of [['indices', idxInfo], ['indptr', ptrInfo]] as const) {
    if (info.kind !== 'int') {
      throw inputError(`${p} dataset ${g}/${name}`, `the values are of HDF5 type ${info.kind}, not integers`, 'store indices and indptr as integers (scipy layout)');
    }
  }
  const nnz = dataInfo.shape[0]!;
  if (idxInfo.shape[0] !== nnz) {
    throw inputError(
      `${p} dataset ${g}/indices`,
      `it has ${idxInfo.shape[0]} entries but ${g}/data has ${nnz}, and there must be one index per value`,
      'the file is inconsistent (truncated or edited), so write it again from the original data',
    );
  }
  if (ptrInfo.shape[0] !== s.nMajor + 1) {
    throw inputError(
      `${p} dataset ${g}/indptr`,
      `it has ${ptrInfo.shape[0]} entries but ${s.shapeFrom} says ${s.nMajor} ${s.majorWhat}s, so it should have ${s.nMajor + 1}`,
      'the shape and the data disagree, so write the file again from the original data',
    );
  }
  const indptr = asNumbers(h5.readNumeric(`${g}/indptr`, 0, s.nMajor + 1));
  for (let i = 0; i <= s.nMajor; i++) {
    const v = indptr[i]!;
    const where = `${p} dataset ${g}/indptr, element ${i}`;
    if (!(v >= 0 && v <= nnz)) {
      throw inputError(
        where,
        Number.isNaN(v) ? 'the value is beyond 2^53, so it cannot be an offset into data' : `the offset ${v} is outside 0..${nnz} (the number of stored values in ${g}/data)`,
        'indptr must start at 0, never decrease and end at the length of data (scipy layout), so write the file again from the original data',
      );
    }
    if (i === 0 && v !== 0) {
      throw inputError(where, `the first offset is ${v}, not 0`, 'indptr must start at 0 (scipy layout), so write the file again from the original data');
    }
    if (i > 0 && v < indptr[i - 1]!) {
      throw inputError(
        where,
        `the offset ${v} is smaller than the previous one (${indptr[i - 1]}), so ${s.majorWhat} ${i - 1} would have a negative number of entries`,
        'indptr must never decrease (scipy layout), so write the file again from the original data',
      );
    }
  }
  if (indptr[s.nMajor] !== nnz) {
    throw inputError(
      `${p} dataset ${g}/indptr, element ${s.nMajor}`,
      `the last offset is ${indptr[s.nMajor]} but ${g}/data holds ${nnz} values`,
      'the last indptr value must equal the length of data (scipy layout), so write the file again from the original data',
    );
  }

  // Blocks of entries aligned to the data chunks, so each compressed chunk is decompressed once.
  const chunk = dataInfo.chunks?.[0] ?? 0;
  const block = chunk > 0 && chunk < blockEntries ? Math.floor(blockEntries / chunk) * chunk : blockEntries;
  const nSamples = s.majorIsSample ? s.nMajor : s.nMinor;
  let major = 0;
  for (let k0 = 0; k0 < nnz; k0 += block) {
    const k1 = Math.min(nnz, k0 + block);
    const values = asNumbers(h5.readNumeric(`${g}/data`, k0, k1));
    const minors = asNumbers(h5.readNumeric(`${g}/indices`, k0, k1));
    for (let k = k0; k < k1; k++) {
      while (indptr[major + 1]! <= k) major++;
      const j = minors[k - k0]!;
      if (!(j >= 0 && j < s.nMinor)) {
        throw inputError(
          `${p} dataset ${g}/indices, element ${k}`,
          `the ${s.minorWhat} index ${Number.isNaN(j) ? 'beyond 2^53' : j} (in ${s.majorWhat} ${major}) is outside 0..${s.nMinor - 1}, and ${s.shapeFrom} says there are ${s.nMinor} ${s.minorWhat}s`,
          'the indices and the shape disagree, so write the file again from the original data',
        );
      }
      const v = values[k - k0]!;
      if (!Number.isFinite(v)) {
        throw inputError(
          `${p} dataset ${g}/data, element ${k}`,
          `the value ${Number.isNaN(v) && dataInfo.kind !== 'float' ? 'beyond 2^53' : String(v)} for ${s.label(major, j)} is not finite, and NMF needs finite values`,
          'replace missing values (e.g. with 0) before saving, or drop that cell or gene',
        );
      }
      const cell = s.majorIsSample ? j * nSamples + major : major * nSamples + j;
      const sum = (out[cell] += v);
      if (sum - sum !== 0) throw tooLarge(`${p} dataset ${g}/data, element ${k}`, v, s.label(major, j), out);
    }
  }
}

/** Fill `out` (features x samples) from a dense 2-D samples x features dataset (h5ad X), in row blocks. */
export function fillDenseTransposed(
  h5: H5File,
  path: string,
  nSamples: number,
  nFeatures: number,
  label: (sample: number, feature: number) => string,
  out: Float64Array | Float32Array,
): void {
  const info = h5.info(path);
  const chunkRows = info.chunks?.[0] ?? 0;
  let rows = Math.max(1, Math.floor(blockEntries / Math.max(1, nFeatures)));
  if (chunkRows > 0 && rows > chunkRows) rows = Math.floor(rows / chunkRows) * chunkRows;
  for (let r0 = 0; r0 < nSamples; r0 += rows) {
    const r1 = Math.min(nSamples, r0 + rows);
    const block = asNumbers(h5.readNumeric(path, r0, r1));
    for (let i = r0; i < r1; i++) {
      const off = (i - r0) * nFeatures;
      for (let j = 0; j < nFeatures; j++) {
        const v = block[off + j]!;
        if (!Number.isFinite(v)) {
          throw inputError(
            `${h5.path} dataset ${path}, row ${i}, column ${j}`,
            `the value ${Number.isNaN(v) && info.kind !== 'float' ? 'beyond 2^53' : String(v)} for ${label(i, j)} is not finite, and NMF needs finite values`,
            'replace missing values (e.g. with 0) before saving, or drop that cell or gene',
          );
        }
        const cell = j * nSamples + i;
        out[cell] = v;
        if (out[cell]! - out[cell]! !== 0) throw tooLarge(`${h5.path} dataset ${path}, row ${i}, column ${j}`, v, label(i, j), out);
      }
    }
  }
}

/**
 * Check a list of names read from `dataset`: `expected` of them (from `expectedFrom`), none empty,
 * none repeated.
 */
export function checkNames(
  h5: H5File,
  dataset: string,
  names: readonly string[],
  what: string,
  expected: number,
  expectedFrom: string,
  uniqueFix: string,
): void {
  const p = h5.path;
  if (names.length !== expected) {
    throw inputError(
      `${p} dataset ${dataset}`,
      `it lists ${names.length} ${what} names but ${expectedFrom} says there are ${expected} ${what}s`,
      'the names and the matrix disagree, so write the file again from the original data',
    );
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const id = names[i]!;
    const where = `${p} dataset ${dataset}, element ${i}`;
    if (id === '') throw inputError(where, `the name of ${what} ${i} is empty`, `give every ${what} a unique name`);
    const prev = seen.get(id);
    if (prev !== undefined) {
      throw inputError(where, `the ${what} name ${quoteText(id)} appears twice, at elements ${prev} and ${i}`, uniqueFix);
    }
    seen.set(id, i);
  }
}
