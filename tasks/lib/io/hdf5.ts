/**
 * HDF5 access for the .h5ad and 10x .h5 readers, on h5wasm (libhdf5 compiled to WebAssembly; the
 * node build reads the host file directly, so only the slices asked for enter wasm memory).
 *
 * h5wasm is loaded lazily (`loadHdf5`, async: the wasm compiles in about 0.25 s) so commands that
 * never read HDF5 do not pay for it; the readers themselves are synchronous once it is loaded.
 * The compression plugins of h5wasm-plugins (LZF, which h5py and anndata write, plus zstd, blosc,
 * bitshuffle...) are put on libhdf5's plugin path; gzip is built in.
 *
 * Every call into h5wasm goes through `H5File`, which turns its failures into one located
 * `inputError` (exit 3). libhdf5 reports errors by printing an "HDF5-DIAG" stack to stderr and
 * h5wasm ignores the status of a dataset read (it would return whatever was in the buffer), and a
 * wasm abort prints its own lines: so output on fd 2 is captured for the duration of each call and
 * any HDF5-DIAG or abort text there counts as a failure of that call, with its innermost message as
 * the reason. Nothing of it reaches the user's terminal.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as H5 from 'h5wasm/node';
import { NmfError, inputError } from '../errors.js';
import { quoteText } from './text.js';

type H5Lib = typeof H5;
let lib: H5Lib | null = null;
let loading: Promise<H5Lib> | null = null;
/** Instances loaded so far; a wasm abort leaves libhdf5 mid-call, so the next load starts a fresh one. */
let generation = 0;

/**
 * Load h5wasm and register the compression plugins. Idempotent, except after a wasm abort (see
 * `H5File.call`), when it loads a fresh instance: a second import of the module under another URL
 * instantiates a new wasm memory and libhdf5.
 */
export async function loadHdf5(): Promise<void> {
  if (lib) return;
  loading ??= (async () => {
    const url = import.meta.resolve('h5wasm/node');
    const m = (await import(generation === 0 ? url : `${url}?instance=${generation}`)) as H5Lib;
    generation++;
    const mod = await m.ready;
    const pluginDir = join(dirname(fileURLToPath(import.meta.resolve('h5wasm-plugins'))), 'plugins');
    mod.insert_plugin_search_path(pluginDir, 0);
    return m;
  })();
  try {
    lib = await loading;
  } finally {
    loading = null;
  }
}

/** After a wasm abort: drop this instance so that the next `loadHdf5` starts a new one. */
function poison(): void {
  lib = null;
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * True when the file holds the HDF5 signature at offset 0 or at 512, 1024, 2048... (a file with a
 * user block), as libhdf5 looks for it.
 */
export function hasHdf5Signature(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const size = statSync(path).size;
    const buf = Buffer.alloc(8);
    for (let off = 0; off + 8 <= size && off <= 1 << 20; off = off === 0 ? 512 : off * 2) {
      if (readSync(fd, buf, 0, 8, off) === 8 && buf.equals(SIGNATURE)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Capturing what libhdf5 and the wasm runtime print. Emscripten writes fd 2 through the CommonJS
// `fs.writeSync` (NODERAWFS) and abort messages through console.error (process.stderr.write).

const cjsFs = createRequire(import.meta.url)('node:fs') as { writeSync: (...a: unknown[]) => number };

function captureStderr(into: string[]): () => void {
  const realWriteSync = cjsFs.writeSync;
  const realWrite = process.stderr.write;
  cjsFs.writeSync = (fd: unknown, data: unknown, ...rest: unknown[]): number => {
    if (fd !== 2) return realWriteSync(fd, data, ...rest);
    if (typeof data === 'string') {
      into.push(data);
      return Buffer.byteLength(data);
    }
    const bytes = data as Uint8Array;
    const off = typeof rest[0] === 'number' ? rest[0] : 0;
    const len = typeof rest[1] === 'number' ? rest[1] : bytes.length - off;
    into.push(Buffer.from(bytes.buffer, bytes.byteOffset + off, len).toString('utf8'));
    return len;
  };
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stderr.write;
  return () => {
    cjsFs.writeSync = realWriteSync;
    process.stderr.write = realWrite;
  };
}

/** The innermost message of an HDF5-DIAG stack ("truncated file: eof = 3000, ..."), or an abort's. */
function diagReason(text: string): string | null {
  let last: string | null = null;
  for (const m of text.matchAll(/#\d+: .*? in [\w.]+\(\): (.*)/g)) last = m[1]!.trim();
  if (last) return last;
  const abort = /Aborted\((.*?)\)/.exec(text);
  if (abort) return abort[1]!.replace(/\. perhaps a side module.*$/, '');
  return null;
}

// ---------------------------------------------------------------------------------------------

/** What is at a path inside the file. */
export type H5Kind = 'group' | 'dataset' | 'missing' | 'other';

/** A numeric 1-D slice: float, or integer (64-bit integers arrive as BigInt arrays). */
export type NumericArray =
  | Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array
  | BigInt64Array | BigUint64Array;

export interface DatasetInfo {
  shape: number[];
  /** 'float', 'int', 'string', or the HDF5 class for anything else (e.g. 'compound', 'enum'). */
  kind: 'float' | 'int' | 'string' | 'compound' | 'enum' | 'other';
  /** Bytes per element. */
  size: number;
  /** Chunk shape when chunked (reads aligned to it decompress each chunk once). */
  chunks: number[] | null;
  /** Compression filters by name (e.g. ['deflate'], ['lzf']). */
  filters: string[];
  /** Compound member names (for old AnnData obs/var tables). */
  members: string[];
}

const CLASS_NAMES: Record<number, DatasetInfo['kind']> = { 0: 'int', 1: 'float', 3: 'string', 6: 'compound', 8: 'enum' };

/**
 * One open HDF5 file. Paths are relative to the root, without a leading slash ("X/data"); `path`
 * (the file name as given) starts every message.
 */
export class H5File {
  private readonly f: H5.File;
  private readonly h5: H5Lib;

  private constructor(
    readonly path: string,
    h5: H5Lib,
  ) {
    this.h5 = h5;
    this.f = this.call('open the file', () => new h5.File(path, 'r'));
  }

  /** Open `path` read-only; h5wasm must have been loaded (`loadHdf5`). */
  static open(path: string): H5File {
    if (!lib) throw new Error('HDF5 support is not loaded (or was reset by a wasm abort): await loadHdf5() or use readInput before reading .h5/.h5ad');
    return new H5File(path, lib);
  }

  close(): void {
    try {
      this.call('close the file', () => this.f.close());
    } catch {
      // Closing after a failed read may fail again; the first error is the one that matters.
    }
  }

  /**
   * Run one h5wasm call; any exception, abort or HDF5-DIAG output becomes an inputError naming the
   * file, the dataset when there is one, and `what` failed (e.g. "read it").
   */
  call<T>(what: string, fn: () => T, at?: { dataset?: string; fix?: string }): T {
    const printed: string[] = [];
    const restore = captureStderr(printed);
    let result: T | undefined;
    let thrown: unknown;
    let failed = false;
    try {
      result = fn();
    } catch (err) {
      thrown = err;
      failed = true;
    } finally {
      restore();
    }
    if (thrown instanceof NmfError) throw thrown;
    const text = printed.join('');
    if (thrown instanceof WebAssembly.RuntimeError || text.includes('Aborted(')) poison();
    if (!failed && !/HDF5-DIAG|Aborted\(/.test(text)) return result as T;
    let reason = diagReason(text);
    if (reason === null && thrown !== undefined) reason = String((thrown as Error).message ?? thrown).split('\n')[0]!.slice(0, 200);
    throw inputError(
      at?.dataset ? `${this.path} dataset ${at.dataset}` : this.path,
      `the HDF5 library could not ${what} (${(reason ?? 'unknown error').replace(/[\s;]+/g, ' ').trim()})`,
      at?.fix ?? 'the file may be truncated or corrupt, so copy or download it again, or re-save it with h5py or anndata',
    );
  }

  /** Names in a group ("" is the root). */
  keys(group: string): string[] {
    return this.call(group === '' ? 'list the root group' : `list group ${group}`, () => {
      const g = group === '' ? this.f : this.f.get(group);
      return g instanceof this.h5.Group ? g.keys() : [];
    });
  }

  /** What is at `path`, without asking libhdf5 about names that are not there (that prints errors). */
  kind(path: string): H5Kind {
    const parts = path.split('/');
    let parent = '';
    for (let i = 0; i < parts.length; i++) {
      if (!this.keys(parent).includes(parts[i]!)) return 'missing';
      const here = parts.slice(0, i + 1).join('/');
      const obj = this.call(`open ${here}`, () => this.f.get(here));
      if (i === parts.length - 1) {
        if (obj instanceof this.h5.Dataset) return 'dataset';
        if (obj instanceof this.h5.Group) return 'group';
        return 'other';
      }
      if (!(obj instanceof this.h5.Group)) return 'missing';
      parent = here;
    }
    return 'missing';
  }

  private dataset(path: string): H5.Dataset {
    const d = this.call('open it', () => this.f.get(path), { dataset: path });
    if (!(d instanceof this.h5.Dataset)) {
      throw inputError(`${this.path} dataset ${path}`, 'this is not a dataset', 'check that the file was written by anndata or Cell Ranger');
    }
    return d;
  }

  /** Attribute names of a group or dataset. */
  attrNames(path: string): string[] {
    return this.call(`read the attributes of ${path || 'the root group'}`, () => {
      const o = path === '' ? this.f : this.f.get(path);
      return o && 'attrs' in o ? Object.keys(o.attrs) : [];
    });
  }

  /** An attribute's value (string, number array, BigInt array...), or undefined when absent. */
  attr(path: string, name: string): unknown {
    if (!this.attrNames(path).includes(name)) return undefined;
    return this.call(`read attribute ${name} of ${path || 'the root group'}`, () => {
      const o = path === '' ? this.f : this.f.get(path);
      return o && 'attrs' in o ? o.attrs[name]?.value : undefined;
    });
  }

  info(path: string): DatasetInfo {
    const d = this.dataset(path);
    return this.call('read its type', () => {
      const m = d.metadata;
      return {
        shape: m.shape ?? [],
        kind: CLASS_NAMES[m.type] ?? 'other',
        size: m.size,
        chunks: m.chunks,
        filters: d.filters.map((f) => f.name),
        members: m.compound_type?.members.map((x) => x.name) ?? [],
      };
    }, { dataset: path });
  }

  /**
   * Elements [start, stop) of a 1-D numeric dataset, or rows [start, stop) of a 2-D one (row-major).
   */
  readNumeric(path: string, start: number, stop: number): NumericArray {
    const d = this.dataset(path);
    const info = this.info(path);
    if (info.kind !== 'float' && info.kind !== 'int') {
      throw inputError(`${this.path} dataset ${path}`, `the values are of HDF5 type ${info.kind}, not numbers`, 'store the matrix as integer or floating-point numbers');
    }
    if (info.kind === 'float' && info.size !== 4 && info.size !== 8) {
      throw inputError(`${this.path} dataset ${path}`, `the values are ${info.size * 8}-bit floats, which are not read`, 'store them as float32 or float64');
    }
    const ranges: [number, number][] = [[start, stop]];
    return this.call(`read elements ${start}..${stop - 1}`, () => d.slice(ranges) as NumericArray, { dataset: path, fix: this.readFix(path, info) });
  }

  /** All elements of a 1-D string dataset (variable- or fixed-length, UTF-8 or ASCII). */
  readStrings(path: string): string[] {
    const d = this.dataset(path);
    const info = this.info(path);
    if (info.kind === 'compound') return this.readStringsField(path, 'index');
    const fix = this.readFix(path, info);
    return this.call(
      'read it',
      () => {
        const v = d.value;
        if (Array.isArray(v)) return v.map((x) => String(x));
        if (ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<number | bigint>, (x) => String(x));
        return [String(v)];
      },
      { dataset: path, fix },
    );
  }

  /** One field of a compound dataset (AnnData < 0.7 stored obs/var as tables with an `index` field). */
  readStringsField(path: string, field: string): string[] {
    const d = this.dataset(path);
    const info = this.info(path);
    const at = info.members.indexOf(field);
    if (at < 0) {
      throw inputError(
        `${this.path} dataset ${path}`,
        `this table has no ${quoteText(field)} column (its columns are ${info.members.map((m) => quoteText(m)).join(', ') || 'none'})`,
        'write the file with anndata, which stores the cell and gene names there',
      );
    }
    return this.call('read it', () => (d.value as unknown[][]).map((row) => String(row[at])), { dataset: path, fix: this.readFix(path, info) });
  }

  /**
   * h5wasm-plugins 0.2.1's LZF filter (the HDFGroup port) cannot decompress a chunk unless the
   * dataset records the uncompressed chunk size: its "buffer too small" path has no retry and reads
   * errno through `__errno_location`, which h5wasm does not export, so the wasm aborts. h5py records
   * the size for numbers but not for strings, so anndata's compression="lzf" names are unreadable;
   * say so rather than "corrupt".
   */
  private readFix(path: string, info: DatasetInfo): string | undefined {
    if (info.filters.includes('lzf') && info.kind === 'string') {
      return 'the LZF plugin of h5wasm cannot decompress LZF-compressed strings such as these names, so re-save the file with gzip, e.g. adata.write_h5ad(path, compression="gzip"), or without compression';
    }
    return undefined;
  }
}

/** Shape/length attributes arrive as number or BigInt arrays; as plain numbers (null if not integral). */
export function toIntList(v: unknown): number[] | null {
  if (typeof v === 'number' || typeof v === 'bigint') v = [v];
  if (!Array.isArray(v) && !ArrayBuffer.isView(v)) return null;
  const out: number[] = [];
  for (const x of Array.from(v as ArrayLike<unknown>)) {
    const n = Number(x);
    if (!Number.isSafeInteger(n) || n < 0) return null;
    out.push(n);
  }
  return out;
}
