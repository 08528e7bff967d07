/**
 * The `preprocess` stage: read GCT/TSV/CSV, a 10x MTX folder, AnnData .h5ad or 10x .h5, apply the
 * negatives policy, drop all-zero rows and columns, and write matrix.npy (float32, features x samples), features.tsv, samples.tsv and
 * preprocess.json into its own folder. The folder is built under a temporary name and renamed, so a
 * killed run leaves nothing a later stage could take for a result; a rerun on the same input and
 * parameters is skipped.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readInput, type MatrixSource } from '../lib/io/read-input.js';
import { findMtxFiles, isMtxPath } from '../lib/io/mtx.js';
import { sha256File } from '../lib/io/hash.js';
import { writeNpy } from '../lib/io/npy.js';
import { writeTsv } from '../lib/io/tsv.js';
import { commitDir, discardDir, stagingDir } from '../lib/io/atomic.js';
import { readManifest, writeManifest } from '../lib/manifest/validate.js';
import { inputError } from '../lib/errors.js';
import { log } from '../lib/log.js';
import { toolVersion } from '../lib/paths.js';
import { preprocessMatrix, type NegativesPolicy, type PreprocessStep, type DroppedItem } from './transform.js';

export interface PreprocessManifest {
  schema: 'nmf-consensus/preprocess@1';
  tool_version: string;
  input: { path: string; sha256: string; format: MatrixSource['format']; bytes: number };
  input_shape: { features: number; samples: number };
  shape: { features: number; samples: number };
  params: { negatives: NegativesPolicy };
  steps: PreprocessStep[];
  dropped: DroppedItem[];
  files: { matrix: 'matrix.npy'; features: 'features.tsv'; samples: 'samples.tsv' };
  matrix_sha256: string;
  created: string;
}

export interface PreprocessOptions {
  input: string;
  outdir: string;
  negatives: NegativesPolicy;
  force?: boolean;
}

/**
 * The input's identity: the file's sha256, or for a 10x MTX folder (or its .mtx path) the sha256 of
 * the three files' hashes, so a changed barcode list also counts as a new input.
 */
function inputIdentity(path: string): { sha256: string; bytes: number } {
  if (!statSync(path).isDirectory() && !isMtxPath(path)) return { sha256: sha256File(path), bytes: statSync(path).size };
  const f = findMtxFiles(path);
  const parts = [f.matrix, f.features, f.barcodes];
  return {
    sha256: createHash('sha256').update(parts.map(sha256File).join('\n')).digest('hex'),
    bytes: parts.reduce((s, p) => s + statSync(p).size, 0),
  };
}

export function readPreprocessManifest(prepDir: string): PreprocessManifest {
  return readManifest<PreprocessManifest>(join(prepDir, 'preprocess.json'), 'preprocess');
}

export async function runPreprocess(opts: PreprocessOptions): Promise<PreprocessManifest> {
  if (!existsSync(opts.input)) {
    throw inputError(opts.input, 'file not found', 'check the path given to --input');
  }
  const { sha256: sha, bytes } = inputIdentity(opts.input);
  const done = join(opts.outdir, 'preprocess.json');
  if (!opts.force && existsSync(done)) {
    const prev = readPreprocessManifest(opts.outdir);
    if (prev.input.sha256 === sha && prev.params.negatives === opts.negatives && prev.tool_version === toolVersion()) {
      log.info(`preprocess: ${opts.outdir} is already complete for this input; skipping`);
      return prev;
    }
  }

  const read = await readInput(opts.input);
  const { matrix, steps, dropped } = preprocessMatrix(read, { negatives: opts.negatives });
  if (matrix.rows === 0 || matrix.cols === 0) {
    throw inputError(opts.input, `no data left after dropping ${dropped.length} all-zero rows/columns (${matrix.rows} x ${matrix.cols})`, 'check that the file holds the expression values');
  }
  for (const d of dropped) log.info(`preprocess: dropped ${d.axis} '${d.id}' (${d.reason})`);

  const stage = stagingDir(opts.outdir);
  try {
    const f32 = Float32Array.from(matrix.data);
    writeNpy(join(stage, 'matrix.npy'), f32, [matrix.rows, matrix.cols]);
    writeTsv(join(stage, 'features.tsv'), ['id', 'description'], matrix.rowIds.map((id, i) => [id, matrix.rowDescriptions[i] ?? '']));
    writeTsv(join(stage, 'samples.tsv'), ['id'], matrix.colIds.map((id) => [id]));
    const manifest: PreprocessManifest = {
      schema: 'nmf-consensus/preprocess@1',
      tool_version: toolVersion(),
      input: { path: opts.input, sha256: sha, format: read.source.format, bytes },
      input_shape: { features: read.rows, samples: read.cols },
      shape: { features: matrix.rows, samples: matrix.cols },
      params: { negatives: opts.negatives },
      steps,
      dropped,
      files: { matrix: 'matrix.npy', features: 'features.tsv', samples: 'samples.tsv' },
      matrix_sha256: createHash('sha256').update(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength)).digest('hex'),
      created: new Date().toISOString(),
    };
    writeManifest(join(stage, 'preprocess.json'), 'preprocess', manifest);
    commitDir(stage, opts.outdir);
    log.info(`preprocess: ${matrix.rows} features x ${matrix.cols} samples -> ${opts.outdir}`);
    return manifest;
  } catch (err) {
    discardDir(stage);
    throw err;
  }
}
