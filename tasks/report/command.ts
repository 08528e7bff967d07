/**
 * The `report` stage: load consensus.json and the consensus matrices it names, plus optional sample
 * annotations, and render report.html, figures/ and summary.json (tasks/report/index.ts) into a
 * temporary folder that is renamed into --outdir when complete.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseGct } from '../lib/io/gct.js';
import { parseTsv, readTsv } from '../lib/io/tsv.js';
import { decodeNpy } from '../lib/io/npy.js';
import { commitDir, discardDir, stagingDir } from '../lib/io/atomic.js';
import { claimOutput } from '../lib/io/outdir.js';
import { inputError } from '../lib/errors.js';
import { log } from '../lib/log.js';
import { readConsensusFile, readConsensusManifest, type ConsensusManifest } from '../lib/manifest/consensus.js';
import type { Summary } from '../lib/manifest/summary.js';
import type { ReportInput } from './index.js';
import { parseMetageneTable, type MetageneRow } from '../lib/metagenes.js';
import { recommendationLine } from '../lib/recommend.js';

/**
 * The renderer (vega, vega-lite, resvg: a fifth of a second to load) is imported when a report is
 * written, not when the CLI starts: preprocess, factorize and consensus tasks of a workflow never need
 * it. (Loading it in `run` while the factorize threads work measured no faster: they use every core.)
 */
let renderer: Promise<typeof import('./index.js')> | undefined;
function loadRenderer(): Promise<typeof import('./index.js')> {
  renderer ??= import('./index.js');
  return renderer;
}

export interface ReportOptions {
  consensus: string;
  outdir: string;
  /** TSV with a header; first column sample id, then one or more annotation columns (the first is drawn as a strip; each is compared with the clusters by ARI). */
  annotations?: string;
  /** Also write report.pdf. */
  pdf?: boolean;
}

/**
 * --annotations names a file that is there: `run` checks this before it factorizes (hours on a large
 * matrix), without reading the file, which report reads once (so a pipe still works).
 */
export function checkAnnotationsPath(path: string): void {
  if (!existsSync(path)) throw inputError(path, 'file not found', 'check the path given to --annotations');
}

/** Every annotation column after the sample id: name and sample id -> value (empty cells left out). */
export function readAnnotationColumns(path: string): { name: string; values: Map<string, string> }[] {
  checkAnnotationsPath(path);
  const t = readTsv(path);
  if (t.header.length < 2) throw inputError(`${path} line 1`, 'expected at least two tab-separated columns (sample id, group)', 'add a header such as "sample<TAB>group"');
  const seen = new Map<string, number>();
  t.rows.forEach((r, i) => {
    const id = r[0] ?? '';
    const first = seen.get(id);
    // Line numbers count the header; blank lines are rare in annotation files and not counted.
    if (first !== undefined) throw inputError(`${path} line ${i + 2}`, `sample id ${JSON.stringify(id)} appears again (first on line ${first + 2}), so its group is ambiguous`, 'keep one row per sample');
    seen.set(id, i);
  });
  return t.header.slice(1).map((name, c) => {
    const values = new Map<string, string>();
    t.rows.forEach((r) => {
      const v = r[c + 1] ?? '';
      if (v !== '') values.set(r[0] ?? '', v);
    });
    return { name, values };
  });
}

/** metagenes.k<k>.tsv -> its rows (tasks/lib/metagenes.ts). */
function readMetagenes(dir: string, m: ConsensusManifest, file: string, k: number): MetageneRow[] {
  const path = join(dir, file);
  const t = parseTsv(readConsensusFile(dir, m, file), path);
  try {
    return parseMetageneTable(t.header, t.rows, k, path);
  } catch (err) {
    throw inputError(path, (err as Error).message.replace(`${path}: `, ''), 'rerun the consensus stage (this file was written by an older version)');
  }
}

/** Links to every output of the run, relative to the report folder. */
function outputLinks(consensusDir: string, outdir: string, m: ConsensusManifest): { label: string; href: string }[] {
  const rel = (f: string) => relative(resolve(outdir), resolve(consensusDir, f)).split(sep).join('/');
  const files = ['consensus.json', 'metrics.tsv', 'membership.gct', ...m.per_k.flatMap((p) => [p.consensus_file, p.binned?.file, p.metagenes_file].filter((f): f is string => !!f))];
  return [
    ...files.map((f) => ({ label: `consensus/${f}`, href: rel(f) })),
    { label: 'summary.json', href: 'summary.json' },
    { label: 'figures/', href: 'figures/' },
  ];
}

export async function runReport(opts: ReportOptions): Promise<Summary> {
  const release = claimOutput(opts.outdir, 'report', [opts.consensus, ...(opts.annotations ? [opts.annotations] : [])]);
  try {
    return await reportClaimed(opts);
  } finally {
    release();
  }
}

async function reportClaimed(opts: ReportOptions): Promise<Summary> {
  const manifest = readConsensusManifest(opts.consensus);
  const n = manifest.samples.length;
  const matrices = new Map<number, Float64Array>();
  for (const p of manifest.per_k) {
    if (!p.consensus_file) continue;
    const path = join(opts.consensus, p.consensus_file);
    const g = parseGct(readConsensusFile(opts.consensus, manifest, p.consensus_file), path);
    if (g.rows !== n || g.cols !== n) throw inputError(path, `expected a ${n} x ${n} consensus matrix, found ${g.rows} x ${g.cols}`, 'rerun the consensus stage');
    matrices.set(p.k, g.data instanceof Float64Array ? g.data : Float64Array.from(g.data));
  }
  const binned = new Map<number, { values: Float32Array; bins: number; binSize: number }>();
  const metagenes = new Map<number, MetageneRow[]>();
  for (const p of manifest.per_k) {
    if (p.binned) {
      const a = decodeNpy(readConsensusFile(opts.consensus, manifest, p.binned.file), join(opts.consensus, p.binned.file));
      if (!(a.data instanceof Float32Array) || a.shape.join() !== `${p.binned.bins},${p.binned.bins}`) {
        throw inputError(join(opts.consensus, p.binned.file), `expected float32 ${p.binned.bins} x ${p.binned.bins}`, 'rerun the consensus stage');
      }
      binned.set(p.k, { values: a.data, bins: p.binned.bins, binSize: p.binned.bin_size });
    }
    metagenes.set(p.k, readMetagenes(opts.consensus, manifest, p.metagenes_file, p.k));
  }
  const input: ReportInput = { manifest, matrices, binned, metagenes, links: [...outputLinks(opts.consensus, opts.outdir, manifest), ...(opts.pdf ? [{ label: 'report.pdf', href: 'report.pdf' }] : [])] };
  if (opts.annotations) {
    input.annotationColumns = readAnnotationColumns(opts.annotations);
    input.annotations = input.annotationColumns[0]!.values;
  }
  const stage = stagingDir(opts.outdir, 'report');
  try {
    const { writeReport } = await loadRenderer();
    const summary = await writeReport(input, stage, { pdf: opts.pdf === true });
    commitDir(stage, opts.outdir, 'report');
    log.info(`report: ${recommendationLine({ ...summary, baseline: summary.null_restarts > 0 })} -> ${join(opts.outdir, 'report.html')}`);
    return summary;
  } catch (err) {
    discardDir(stage);
    throw err;
  }
}
