/**
 * The `report` stage: load consensus.json and the consensus matrices it names, plus optional sample
 * annotations, and render report.html, figures/ and summary.json (tasks/report/index.ts) into a
 * temporary folder that is renamed into --outdir when complete.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { readGct } from '../lib/io/gct.js';
import { readTsv } from '../lib/io/tsv.js';
import { readNpy } from '../lib/io/npy.js';
import { commitDir, discardDir, stagingDir } from '../lib/io/atomic.js';
import { inputError } from '../lib/errors.js';
import { log } from '../lib/log.js';
import type { ConsensusManifest, ReportInput, Summary } from '../lib/types.js';
import { readConsensusManifest } from '../consensus/command.js';
import { writeReport } from './index.js';

export interface ReportOptions {
  consensus: string;
  outdir: string;
  /** TSV with a header; first column sample id, then one or more annotation columns (the first is drawn as a strip; each is compared with the clusters by ARI). */
  annotations?: string;
  /** Also write report.pdf. */
  pdf?: boolean;
}

/** Every annotation column after the sample id: name and sample id -> value (empty cells left out). */
export function readAnnotationColumns(path: string): { name: string; values: Map<string, string> }[] {
  if (!existsSync(path)) throw inputError(path, 'file not found', 'check the path given to --annotations');
  const t = readTsv(path);
  if (t.header.length < 2) throw inputError(`${path} line 1`, 'expected at least two tab-separated columns (sample id, group)', 'add a header such as "sample<TAB>group"');
  return t.header.slice(1).map((name, c) => {
    const values = new Map<string, string>();
    t.rows.forEach((r) => {
      const v = r[c + 1] ?? '';
      if (v !== '') values.set(r[0] ?? '', v);
    });
    return { name, values };
  });
}

/** The first annotation column: sample id -> group, drawn as the heatmaps' annotation strip. */
export function readAnnotations(path: string): Map<string, string> {
  return readAnnotationColumns(path)[0]!.values;
}

/** metagenes.k<k>.tsv -> ids and W (features x k). */
function readBasis(path: string, k: number): { ids: string[]; W: Float64Array; k: number } {
  const t = readTsv(path);
  const W = new Float64Array(t.rows.length * k);
  t.rows.forEach((r, i) => {
    for (let f = 0; f < k; f++) W[i * k + f] = Number(r[2 + f]);
  });
  return { ids: t.rows.map((r) => r[0] ?? ''), W, k };
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
  const manifest = readConsensusManifest(opts.consensus);
  const n = manifest.samples.length;
  const matrices = new Map<number, Float64Array>();
  for (const p of manifest.per_k) {
    if (!p.consensus_file) continue;
    const path = join(opts.consensus, p.consensus_file);
    const g = readGct(path);
    if (g.rows !== n || g.cols !== n) throw inputError(path, `expected a ${n} x ${n} consensus matrix, found ${g.rows} x ${g.cols}`, 'rerun the consensus stage');
    matrices.set(p.k, g.data instanceof Float64Array ? g.data : Float64Array.from(g.data));
  }
  const binned = new Map<number, { values: Float32Array; bins: number; binSize: number }>();
  const bases = new Map<number, { ids: string[]; W: Float64Array; k: number }>();
  for (const p of manifest.per_k) {
    if (p.binned) {
      const a = readNpy(join(opts.consensus, p.binned.file));
      if (!(a.data instanceof Float32Array) || a.shape.join() !== `${p.binned.bins},${p.binned.bins}`) {
        throw inputError(join(opts.consensus, p.binned.file), `expected float32 ${p.binned.bins} x ${p.binned.bins}`, 'rerun the consensus stage');
      }
      binned.set(p.k, { values: a.data, bins: p.binned.bins, binSize: p.binned.bin_size });
    }
    bases.set(p.k, readBasis(join(opts.consensus, p.metagenes_file), p.k));
  }
  const input: ReportInput = { manifest, matrices, binned, bases, links: [...outputLinks(opts.consensus, opts.outdir, manifest), ...(opts.pdf ? [{ label: 'report.pdf', href: 'report.pdf' }] : [])] };
  if (opts.annotations) {
    input.annotationColumns = readAnnotationColumns(opts.annotations);
    input.annotations = input.annotationColumns[0]!.values;
  }
  const stage = stagingDir(opts.outdir);
  try {
    const summary = await writeReport(input, stage, { pdf: opts.pdf === true });
    commitDir(stage, opts.outdir);
    log.info(`report: recommended k = ${summary.recommended_k} -> ${join(opts.outdir, 'report.html')}`);
    return summary;
  } catch (err) {
    discardDir(stage);
    throw err;
  }
}
