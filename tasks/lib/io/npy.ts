/**
 * NumPy .npy files (format 1.0 written; 1.0, 2.0 and 3.0 read): little-endian, C order. The header
 * is byte-identical to what numpy >= 1.23 `np.save` writes: the dict with sorted keys, spare spaces
 * for growing the first axis (up to 21 digits), space padding so that the data starts at a multiple of
 * 64 bytes, and a trailing newline.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { inputError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';

export type NpyDtype = '<f4' | '<f8' | '|u1' | '<u2' | '<i4';
export type NpyData = Float32Array | Float64Array | Uint8Array | Uint16Array | Int32Array;

export interface NpyArray {
  data: NpyData;
  shape: number[];
  dtype: NpyDtype;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int32Array) return '<i4';
  throw new TypeError('writeNpy: unsupported array type');
}

function checkLittleEndianHost(): void {
  if (endianness() !== 'LE') throw new Error('npy: big-endian hosts are not supported');
}

/** The .npy header (magic, version, length, dict, padding, newline) as numpy writes it. */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const hlen = dict.length + 1;
  const padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ARRAY_ALIGN);
  const text = dict + ' '.repeat(padlen) + '\n';
  if (text.length > 0xffff) throw new Error('npy: header too long for format 1.0');
  const out = new Uint8Array(10 + text.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = text.length & 0xff;
  out[9] = text.length >> 8;
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/** The header and a view of the data bytes (no copy). `shape`'s product must equal `data.length`. */
function npyParts(data: NpyData, shape: readonly number[]): [Uint8Array, Uint8Array] {
  checkLittleEndianHost();
  const size = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || size !== data.length) {
    throw new RangeError(`writeNpy: shape (${shape.join(', ')}) does not match ${data.length} values`);
  }
  return [npyHeader(dtypeOf(data), shape), new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

/** Encode an array as .npy bytes. `shape`'s product must equal `data.length`. */
export function encodeNpy(data: NpyData, shape: readonly number[]): Uint8Array {
  const [header, body] = npyParts(data, shape);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/** Write an array as a NumPy .npy (v1.0) file, atomically, straight from `data` (no copy of it in memory). */
export function writeNpy(path: string, data: NpyData, shape: readonly number[]): void {
  writeFileAtomic(path, npyParts(data, shape));
}

const DTYPES: Record<string, { dtype: NpyDtype; size: number; make: (b: ArrayBuffer, n: number) => NpyData }> = {
  '<f4': { dtype: '<f4', size: 4, make: (b, n) => new Float32Array(b, 0, n) },
  '<f8': { dtype: '<f8', size: 8, make: (b, n) => new Float64Array(b, 0, n) },
  '|u1': { dtype: '|u1', size: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  '<u1': { dtype: '|u1', size: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  '<u2': { dtype: '<u2', size: 2, make: (b, n) => new Uint16Array(b, 0, n) },
  '<i4': { dtype: '<i4', size: 4, make: (b, n) => new Int32Array(b, 0, n) },
};

/** Decode .npy bytes; `name` is used in error messages. */
export function decodeNpy(bytes: Uint8Array, name: string): NpyArray {
  checkLittleEndianHost();
  const bad = (problem: string, fix: string): Error => inputError(name, problem, fix);
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw bad('this is not a NumPy .npy file (the magic bytes \\x93NUMPY are missing)', 'pass a file written by numpy.save or by the preprocess stage');
  }
  const major = bytes[6]!;
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = bytes[8]! | (bytes[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw bad('the .npy header is truncated', 'rewrite the file');
    hlen = (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16)) + bytes[11]! * 0x1000000;
    start = 12;
  } else {
    throw bad(`the .npy format version ${major}.${bytes[7]} is not supported`, 'save it with numpy.save (format 1.0, 2.0 or 3.0)');
  }
  if (start + hlen > bytes.length) throw bad('the .npy header is truncated', 'rewrite the file');
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + start, hlen).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw bad(`the .npy header ${JSON.stringify(header.trim().slice(0, 80))} lacks descr, fortran_order or shape`, 'rewrite the file with numpy.save');
  }
  const info = DTYPES[descr];
  if (!info) {
    const hint = descr.startsWith('>') ? 'it is big-endian, so convert it with arr.astype(arr.dtype.newbyteorder("<"))' : 'convert it to float32, float64, uint8, uint16 or int32';
    throw bad(`the .npy dtype ${JSON.stringify(descr)} is not supported`, hint);
  }
  if (fortran === 'True') {
    throw bad('the .npy array is in Fortran (column-major) order', 'save it in C order, e.g. numpy.save(path, numpy.ascontiguousarray(arr))');
  }
  const parts = shapeText.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (!parts.every((t) => /^\d+L?$/.test(t))) {
    throw bad(`the .npy shape (${shapeText}) is malformed`, 'rewrite the file with numpy.save');
  }
  const shape = parts.map((t) => Number.parseInt(t, 10));
  const n = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + hlen;
  const need = n * info.size;
  if (bytes.length - dataStart !== need) {
    throw bad(
      `the .npy data is ${bytes.length - dataStart} bytes but shape (${shape.join(', ')}) of ${descr} needs ${need}`,
      'the file is truncated or corrupt, so rewrite it',
    );
  }
  const copy = new ArrayBuffer(need);
  new Uint8Array(copy).set(bytes.subarray(dataStart, dataStart + need));
  return { data: info.make(copy, n), shape, dtype: info.dtype };
}

export function readNpy(path: string): NpyArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(path, code === 'ENOENT' ? 'the .npy file does not exist' : `the .npy file cannot be read (${code ?? 'error'})`, 'check the path (rerun the stage that writes it)');
  }
  return decodeNpy(bytes, path);
}
