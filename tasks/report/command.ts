/**
 * The `report` stage: load consensus.json and the consensus matrices it names, plus optional sample
 * annotations, and render report.html, figures/ and summary.json (tasks/report/index.ts) into a
 * temporary folder that is renamed into --outdir when complete.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readGct } from '../lib/io/gct.js';
import { readTsv } from '../lib/io/tsv.js';
import { commitDir, discardDir, stagingDir } from '../lib/io/atomic.js';
import { inputError } from '../lib/errors.js';
import { log } from '../lib/log.js';
import type { ReportInput, Summary } from '../lib/types.js';
import { readConsensusManifest } from '../consensus/command.js';
import { writeReport } from './index.js';

export interface ReportOptions {
  consensus: string;
  outdir: string;
  /** TSV with a header; first column sample id, second column the group shown as a strip. */
  annotations?: string;
}

export function readAnnotations(path: string): Map<string, string> {
  if (!existsSync(path)) throw inputError(path, 'file not found', 'check the path given to --annotations');
  const t = readTsv(path);
  if (t.header.length < 2) throw inputError(`${path} line 1`, 'expected at least two tab-separated columns (sample id, group)', 'add a header such as "sample<TAB>group"');
  const out = new Map<string, string>();
  t.rows.forEach((r) => out.set(r[0] ?? '', r[1] ?? ''));
  return out;
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
    matrices.set(p.k, g.data);
  }
  const input: ReportInput = { manifest, matrices };
  if (opts.annotations) input.annotations = readAnnotations(opts.annotations);
  const stage = stagingDir(opts.outdir);
  try {
    const summary = await writeReport(input, stage);
    commitDir(stage, opts.outdir);
    log.info(`report: recommended k = ${summary.recommended_k} -> ${join(opts.outdir, 'report.html')}`);
    return summary;
  } catch (err) {
    discardDir(stage);
    throw err;
  }
}
