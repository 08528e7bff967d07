/**
 * preprocess.json (schemas/preprocess.schema.json): what preprocess read, did and wrote, and the
 * checks later stages make on its folder: matrix.npy against matrix_sha256 (while it is read, in
 * factorize), features.tsv and samples.tsv against their recorded sha256 and counts.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../errors.js';
import { checksumError, readVerified, sha256Bytes, sha256File } from '../io/hash.js';
import type { MatrixSource } from '../io/text.js';
import { LineReader } from '../io/text.js';
import { readManifest, writeManifest } from './validate.js';

export type NegativesPolicy = 'error' | 'clamp' | 'shift';
/**
 * Per-sample normalization. cp10k: each sample (column) scaled to sum 10,000. tpm: scaled to sum
 * 1,000,000 (no gene-length correction). log1p: cp10k, then the natural log(1 + x) of every value.
 */
export type Normalization = 'none' | 'cp10k' | 'tpm' | 'log1p';
/** Feature score for --top-features: variance, cv = sd / mean, fano = variance / mean (all with ddof 1). */
export type FeatureScore = 'variance' | 'cv' | 'fano';

/** One entry of the manifest's list of steps applied, in order. */
export interface PreprocessStep {
  step: string;
  detail: Record<string, unknown>;
}

/**
 * A row (feature) or column (sample) removed by preprocess. `index` is 0-based in the input matrix;
 * `value` is what decided it where there is one (a nonzero count, a feature score).
 */
export interface DroppedItem {
  axis: 'row' | 'column';
  id: string;
  index: number;
  reason: string;
  value?: number;
}

/** Every parameter that changes the result, as recorded in preprocess.json. */
export interface PreprocessParams {
  negatives: NegativesPolicy;
  min_features_per_sample: number;
  min_samples_per_feature: number;
  normalize: Normalization;
  /** --features-file: its path as given and the sha256 of its content; null when not given. */
  features_file: { path: string; sha256: string } | null;
  top_features: number;
  top_features_by: FeatureScore;
  scale_features: boolean;
  /** --transpose: the file was samples x features. */
  transpose: boolean;
  /** --feature-names: the .h5ad var column the feature descriptions came from (absent: none). */
  feature_names?: string;
}

export interface PreprocessManifest {
  schema: 'nmf-consensus/preprocess@1';
  tool_version: string;
  input: { path: string; sha256: string; format: MatrixSource['format']; bytes: number };
  input_shape: { features: number; samples: number };
  shape: { features: number; samples: number };
  params: PreprocessParams;
  steps: PreprocessStep[];
  dropped: DroppedItem[];
  /** Inputs NMF handles poorly, with the fix (tasks/lib/input-warnings.ts); absent when none. */
  warnings?: { code: string; message: string }[];
  files: { matrix: 'matrix.npy'; features: 'features.tsv'; samples: 'samples.tsv' };
  matrix_sha256: string;
  file_sha256: { 'features.tsv': string; 'samples.tsv': string };
  created: string;
}

export function readPreprocessManifest(prepDir: string): PreprocessManifest {
  return readManifest<PreprocessManifest>(join(prepDir, 'preprocess.json'), 'preprocess');
}

export function writePreprocessManifest(prepDir: string, manifest: PreprocessManifest): void {
  writeManifest(join(prepDir, 'preprocess.json'), 'preprocess', manifest);
}

/** Rows of a TSV that preprocess wrote, checked against its recorded sha256 and row count (exit 4). */
function readListed(prepDir: string, prep: PreprocessManifest, file: 'features.tsv' | 'samples.tsv', count: number): string[][] {
  const path = join(prepDir, file);
  const bytes = readVerified(path, prep.file_sha256[file], join(prepDir, 'preprocess.json'), 'rerun preprocess');
  const lines = new LineReader(bytes);
  const header = lines.next();
  const rows: string[][] = [];
  for (let line = lines.next(); line !== null; line = lines.next()) if (line !== '') rows.push(line.split('\t'));
  if (header === null || rows.length !== count) throw inputError(path, `${rows.length} rows where preprocess.json records ${count}`, 'rerun preprocess');
  return rows;
}

/** Sample ids from samples.tsv, verified. */
export function readSampleIds(prepDir: string, prep: PreprocessManifest): string[] {
  return readListed(prepDir, prep, 'samples.tsv', prep.shape.samples).map((r) => r[0] ?? '');
}

/** Feature ids and descriptions from features.tsv, verified. */
export function readFeatureRows(prepDir: string, prep: PreprocessManifest): { id: string; description: string }[] {
  return readListed(prepDir, prep, 'features.tsv', prep.shape.features).map((r) => ({ id: r[0] ?? '', description: r[1] ?? '' }));
}

/** Offset of the data in .npy bytes that start with its first 12 bytes (after the header), or null. */
function npyDataOffset(head: Buffer): number | null {
  if (head.length < 12 || head.toString('latin1', 1, 6) !== 'NUMPY') return null;
  return head[6] === 1 ? 10 + head.readUInt16LE(8) : 12 + head.readUInt32LE(8);
}

function fileHead(path: string): Buffer {
  const head = Buffer.alloc(12);
  const fd = openSync(path, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, 12, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Check a preprocess folder against its manifest before it is trusted as complete: matrix.npy's data
 * against matrix_sha256, features.tsv and samples.tsv against their sha256. Returns the problem, or null.
 */
export function verifyPreprocessFolder(prepDir: string, prep: PreprocessManifest): string | null {
  const npy = join(prepDir, 'matrix.npy');
  if (!existsSync(npy)) return `${npy} is missing`;
  const offset = npyDataOffset(fileHead(npy));
  if (offset === null || sha256File(npy, offset) !== prep.matrix_sha256) return `${npy} does not match matrix_sha256`;
  for (const f of ['features.tsv', 'samples.tsv'] as const) {
    const path = join(prepDir, f);
    if (!existsSync(path) || sha256File(path) !== prep.file_sha256[f]) return `${path} is missing or changed`;
  }
  return null;
}

/**
 * matrix.npy as float32 (features x samples), checked against matrix_sha256 (the hash of its data,
 * not of the header) before use: exit 4 naming the file on a mismatch.
 */
export function readMatrixVerified(prepDir: string, prep: PreprocessManifest): Float32Array {
  const path = join(prepDir, 'matrix.npy');
  const bytes = readFileSync(path);
  const offset = npyDataOffset(bytes) ?? -1;
  const want = prep.shape.features * prep.shape.samples * 4;
  if (offset < 0 || bytes.length - offset !== want || sha256Bytes(bytes.subarray(offset)) !== prep.matrix_sha256) {
    throw checksumError(path, `${join(prepDir, 'preprocess.json')} (matrix_sha256)`, 'rerun preprocess with --force');
  }
  const out = new Float32Array(want / 4);
  new Uint8Array(out.buffer).set(bytes.subarray(offset));
  return out;
}
