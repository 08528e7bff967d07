/**
 * The `preprocess` stage: read GCT/TSV/CSV, a 10x MTX folder, AnnData .h5ad or 10x .h5, apply the
 * transforms of transform.ts in their documented order (negatives policy, drop all-zero rows and
 * columns, then the optional filters, normalization, feature list, top features and feature scaling),
 * and write matrix.npy (float32, features x samples), features.tsv, samples.tsv and preprocess.json
 * into its own folder. The folder is built under a temporary name and renamed, so a killed run or a
 * failure leaves nothing a later stage could take for a result; a rerun on the same input and
 * parameters (every one of them, and the content of --features-file) is skipped.
 *
 * Memory: MTX and HDF5 inputs are read straight into a float32 dense matrix, the transforms work in
 * place on it, and matrix.npy is written from it without a copy, so the peak is about one float32
 * dense copy plus the reader's buffers (bench workload preprocess-h5ad).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readInput, readMatrixFile, isHdf5Input } from '../lib/io/read-input.js';
import { findMtxFiles, isMtxPath } from '../lib/io/mtx.js';
import { sha256File } from '../lib/io/hash.js';
import { readTextOnce } from '../lib/io/read-once.js';
import { writeNpy } from '../lib/io/npy.js';
import { writeTsv } from '../lib/io/tsv.js';
import { commitDir, discardDir, stagingDir } from '../lib/io/atomic.js';
import { claimOutput } from '../lib/io/outdir.js';
import {
  readPreprocessManifest,
  verifyPreprocessFolder,
  writePreprocessManifest,
  type FeatureScore,
  type NegativesPolicy,
  type Normalization,
  type PreprocessManifest,
  type PreprocessParams,
} from '../lib/manifest/preprocess.js';
import { inputError, usageError } from '../lib/errors.js';
import { log } from '../lib/log.js';
import { toolVersion } from '../lib/paths.js';
import type { Params } from '../lib/params.js';
import type { ReadMatrix } from '../lib/io/text.js';
import { preprocessMatrix, transposeInput, type DroppedItem, type PreprocessStep } from './transform.js';
import { checkFloat32Range } from './float32.js';
import { readFeatureList } from './feature-list.js';
import { inputWarnings, summarizeValues } from '../lib/input-warnings.js';

export interface PreprocessOptions {
  input: string;
  outdir: string;
  negatives: NegativesPolicy;
  /** Keep a sample only when it is nonzero in at least this many features (default 0: off). */
  minFeaturesPerSample?: number;
  /** Keep a feature only when it is nonzero in at least this many samples (default 0: off). */
  minSamplesPerFeature?: number;
  normalize?: Normalization;
  /** Keep only the features listed in this file. */
  featuresFile?: string;
  /** Keep the N features with the highest score (default 0: off). */
  topFeatures?: number;
  topFeaturesBy?: FeatureScore;
  scaleFeatures?: boolean;
  /** The file holds samples x features: transpose it first. */
  transpose?: boolean;
  /** .h5ad: the var column with the feature names shown beside the ids (e.g. gene symbols). */
  featureNames?: string;
  force?: boolean;
}

/** The preprocess options held in the parameter set (flags > --config YAML > conf/defaults.yaml). */
export function preprocessOptionsFromParams(p: Params): Omit<PreprocessOptions, 'input' | 'outdir' | 'featuresFile' | 'featureNames' | 'force'> {
  return {
    negatives: p.negatives,
    minSamplesPerFeature: p.min_samples_per_feature,
    minFeaturesPerSample: p.min_features_per_sample,
    normalize: p.normalize,
    topFeatures: p.top_features,
    topFeaturesBy: p.top_features_by,
    scaleFeatures: p.scale_features,
    transpose: p.transpose,
  };
}

/** Parameters from the options, with the defaults that keep the input as it is. */
function paramsOf(opts: PreprocessOptions, featuresFile: { path: string; sha256: string } | null): PreprocessParams {
  return {
    negatives: opts.negatives,
    min_features_per_sample: opts.minFeaturesPerSample ?? 0,
    min_samples_per_feature: opts.minSamplesPerFeature ?? 0,
    normalize: opts.normalize ?? 'none',
    features_file: featuresFile,
    top_features: opts.topFeatures ?? 0,
    top_features_by: opts.topFeaturesBy ?? 'fano',
    scale_features: opts.scaleFeatures === true,
    transpose: opts.transpose === true,
    ...(opts.featureNames !== undefined ? { feature_names: opts.featureNames } : {}),
  };
}

/** Same result: every parameter equal, the features file compared by content (not by path). */
function sameParams(prev: Partial<PreprocessParams>, cur: PreprocessParams): boolean {
  const key = (p: Partial<PreprocessParams>) =>
    JSON.stringify({ ...p, features_file: p.features_file ? p.features_file.sha256 : null });
  return key({ ...paramsOf({ input: '', outdir: '', negatives: 'error' }, null), ...prev }) === key(cur);
}

/** The input must exist and be reachable: a missing path and an unreadable one get different advice. */
function checkInputPath(path: string): void {
  try {
    statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw inputError(path, 'the file does not exist', 'check the path given to --input');
    const why = code === 'ELOOP' ? 'a loop of symbolic links' : code === 'EACCES' ? 'permission denied' : code ?? 'error';
    throw inputError(path, `the file cannot be read (${why})`, 'check the path given to --input and its permissions');
  }
}

/** The input read once: its identity (sha256 and size as stored) and its parsed matrix, on demand. */
interface LoadedInput {
  sha256: string;
  bytes: number;
  matrix: () => Promise<ReadMatrix>;
}

/**
 * Text inputs (and anything that is not a regular file: a named pipe, `<(...)`) are read once as a
 * stream, hashed on the way and parsed from memory. HDF5 needs random access and 10x MTX is three
 * files: those are hashed in a pass of their own before the reader opens them.
 */
function hasHdf5Magic(b: Buffer): boolean {
  return b.length >= 8 && b.toString('latin1', 0, 8) === '\x89HDF\r\n\x1a\n';
}

async function loadInput(path: string, featureNames?: string): Promise<LoadedInput> {
  const st = statSync(path);
  if (st.isDirectory() || isMtxPath(path)) {
    const f = findMtxFiles(path);
    const parts = [f.matrix, f.features, f.barcodes];
    return {
      // The sha256 of the three files' hashes, so a changed barcode list also counts as a new input.
      sha256: createHash('sha256').update(parts.map(sha256File).join('\n')).digest('hex'),
      bytes: parts.reduce((s, p) => s + statSync(p).size, 0),
      matrix: () => readInput(path, 'auto', { dtype: 'float32' }),
    };
  }
  if (st.isFile() && isHdf5Input(path)) {
    return { sha256: sha256File(path), bytes: st.size, matrix: () => readInput(path, 'auto', { dtype: 'float32', ...(featureNames !== undefined ? { featureNames } : {}) }) };
  }
  const once = await readTextOnce(path);
  if (!st.isFile() && hasHdf5Magic(once.text)) {
    throw inputError(path, 'this is an HDF5 file (.h5ad/.h5) arriving through a pipe, and HDF5 is read with random access', 'pass the file itself rather than a pipe or <(...)');
  }
  return { sha256: once.sha256, bytes: once.bytes, matrix: async () => readMatrixFile(path, 'auto', {}, once.text) };
}

export async function runPreprocess(opts: PreprocessOptions): Promise<PreprocessManifest> {
  checkInputPath(opts.input);
  const inputs = [opts.input, ...(opts.featuresFile !== undefined ? [opts.featuresFile] : [])];
  const release = claimOutput(opts.outdir, 'preprocess', inputs);
  try {
    return await preprocessClaimed(opts);
  } finally {
    release();
  }
}

async function preprocessClaimed(opts: PreprocessOptions): Promise<PreprocessManifest> {
  const list = opts.featuresFile !== undefined ? readFeatureList(opts.featuresFile) : undefined;
  const params = paramsOf(opts, list ? { path: list.path, sha256: list.sha256 } : null);
  const input = await loadInput(opts.input, opts.featureNames);
  const sha = input.sha256;
  const done = join(opts.outdir, 'preprocess.json');
  if (!opts.force && existsSync(done)) {
    const prev = readPreprocessManifest(opts.outdir);
    if (prev.input.sha256 === sha && sameParams(prev.params, params) && prev.tool_version === toolVersion()) {
      // Trust a complete folder only after checking what it holds against its manifest.
      const problem = verifyPreprocessFolder(opts.outdir, prev);
      if (problem === null) {
        log.info(`preprocess: ${opts.outdir} is already complete for this input and these parameters; skipping`);
        for (const w of prev.warnings ?? []) log.warn(`preprocess: ${w.message}`);
        return prev;
      }
      log.info(`preprocess: ${opts.outdir} is not intact (${problem}); recomputing`);
    }
  }

  // float32 for the MTX and HDF5 readers (large single-cell inputs): half the memory of float64.
  const raw = await input.matrix();
  const format = raw.source.format;
  if (opts.featureNames !== undefined && format !== 'h5ad') {
    throw usageError(`--feature-names ${opts.featureNames}: only .h5ad inputs have var columns to choose from; ${opts.input} is ${format}, whose feature names come from the file (GCT description, features.tsv second column), so leave the flag out.`);
  }
  const flipped = params.transpose ? transposeInput(raw) : undefined;
  const read = flipped ? flipped.matrix : raw;
  const inputShape = { features: read.rows, samples: read.cols };
  // The values as given (before any step changes them), for the input warnings.
  const values = summarizeValues(read.data);
  const { matrix, steps, dropped } = preprocessMatrix(read, {
    negatives: params.negatives,
    minFeaturesPerSample: params.min_features_per_sample,
    minSamplesPerFeature: params.min_samples_per_feature,
    normalize: params.normalize,
    ...(list ? { featureList: list } : {}),
    topFeatures: params.top_features,
    topFeaturesBy: params.top_features_by,
    scaleFeatures: params.scale_features,
    inPlace: true,
  });
  if (flipped) steps.unshift(flipped.step);
  logDropped(steps, dropped);
  if (list) {
    const fl = steps.find((s) => s.step === 'features-file')!.detail as { missing: string[]; ambiguous: string[] };
    const absent = [...fl.missing, ...fl.ambiguous];
    if (absent.length > 0) {
      log.warn(`preprocess: ${absent.length} of the ${list.ids.length} ids in ${list.path} match no feature (e.g. ${absent.slice(0, 5).map((x) => `'${x}'`).join(', ')}); all are listed in preprocess.json`);
    }
  }
  const f32 = matrix.data instanceof Float32Array ? matrix.data : Float32Array.from(matrix.data);
  checkFloat32Range(matrix, f32);
  const warnings = inputWarnings(values, { features: matrix.rows, selected: params.top_features > 0 || list !== undefined, normalize: params.normalize });
  for (const w of warnings) log.warn(`preprocess: ${w.message}`);

  const stage = stagingDir(opts.outdir, 'preprocess');
  try {
    writeNpy(join(stage, 'matrix.npy'), f32, [matrix.rows, matrix.cols]);
    writeTsv(join(stage, 'features.tsv'), ['id', 'description'], matrix.rowIds.map((id, i) => [id, matrix.rowDescriptions[i] ?? '']));
    writeTsv(join(stage, 'samples.tsv'), ['id'], matrix.colIds.map((id) => [id]));
    const manifest: PreprocessManifest = {
      schema: 'nmf-consensus/preprocess@1',
      tool_version: toolVersion(),
      input: { path: opts.input, sha256: sha, format, bytes: input.bytes },
      input_shape: inputShape,
      shape: { features: matrix.rows, samples: matrix.cols },
      params,
      steps,
      dropped,
      ...(warnings.length > 0 ? { warnings } : {}),
      files: { matrix: 'matrix.npy', features: 'features.tsv', samples: 'samples.tsv' },
      matrix_sha256: createHash('sha256').update(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength)).digest('hex'),
      file_sha256: { 'features.tsv': sha256File(join(stage, 'features.tsv')), 'samples.tsv': sha256File(join(stage, 'samples.tsv')) },
      created: new Date().toISOString(),
    };
    writePreprocessManifest(stage, manifest);
    commitDir(stage, opts.outdir, 'preprocess');
    log.info(`preprocess: ${matrix.rows} features x ${matrix.cols} samples -> ${opts.outdir}`);
    return manifest;
  } catch (err) {
    discardDir(stage);
    throw err;
  }
}

/** One line per step that dropped something, naming the first few ids (all are in preprocess.json). */
function logDropped(steps: PreprocessStep[], dropped: DroppedItem[]): void {
  const byReason = new Map<string, DroppedItem[]>();
  for (const d of dropped) {
    const k = `${d.reason}\t${d.axis}`;
    if (!byReason.has(k)) byReason.set(k, []);
    byReason.get(k)!.push(d);
  }
  for (const [k, items] of byReason) {
    const [reason, axis] = k.split('\t') as [string, string];
    const what = axis === 'row' ? 'feature' : 'sample';
    const shown = items.slice(0, 5).map((d) => `'${d.id}'`).join(', ');
    log.info(`preprocess: dropped ${items.length} ${what}${items.length === 1 ? '' : 's'} (${reason}): ${shown}${items.length > 5 ? ', ...' : ''}`);
  }
  log.info(`preprocess: steps ${steps.map((s) => s.step).join(' -> ')}`);
}
