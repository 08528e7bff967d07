/**
 * The `consensus` stage: all shards of all k -> consensus.k.<k>.gct (when n <= max_consensus_n),
 * membership.gct (samples x k), metrics.tsv and consensus.json, written to a temporary folder and
 * renamed into --outdir when complete. The outputs depend only on the shards' contents (never on
 * how restarts were split into shards or the order they are given in), so they are byte-identical
 * for any layout: no clock time is written.
 */
import { dirname, join, resolve } from 'node:path';
import { writeGct12 } from '../lib/io/gct.js';
import { writeNpy } from '../lib/io/npy.js';
import { writeTsv } from '../lib/io/tsv.js';
import { commitDir, discardDir, stagingDir } from '../lib/io/atomic.js';
import { claimOutput } from '../lib/io/outdir.js';
import { shardError } from '../lib/errors.js';
import { readFeatureRows, readPreprocessManifest, readSampleIds } from '../lib/manifest/preprocess.js';
import { writeConsensusManifest, type ConsensusManifest, type ConsensusPerK } from '../lib/manifest/consensus.js';
import { log } from '../lib/log.js';
import { toolVersion } from '../lib/paths.js';
import type { Params } from '../lib/params.js';
import { METRIC_COLUMNS } from '../lib/types.js';
import { findShards, groupShards, loadFactors, loadLabels, compactRanges } from './shards.js';
import { consensusForK, type LargeNOptions } from './metrics.js';

/** Random pairs on which PAC is counted above max_consensus_n (standard error <= 0.0005). */
export const PAC_PAIRS = 1_000_000;

/**
 * metagenes.k<k>.tsv: W (features x k) of the restart with the lowest objective, as R NMF's
 * basis(fit): one row per feature (id, description), one column per factor.
 */
function writeMetagenes(path: string, features: readonly { id: string; description: string }[], W: Float32Array, k: number): void {
  const header = ['id', 'description', ...Array.from({ length: k }, (_, f) => `factor_${f + 1}`)];
  writeTsv(path, header, features.map((f, i) => [f.id ?? '', f.description ?? '', ...Array.from(W.subarray(i * k, (i + 1) * k))]));
}

export type LargeNLimits = Pick<LargeNOptions, 'maxConsensusN' | 'sampleN'>;

export function largeN(p: Params): LargeNLimits {
  return { maxConsensusN: p.max_consensus_n, sampleN: p.consensus_sample_n };
}

export interface ConsensusOptions {
  shards: string[];
  outdir: string;
  /** The preprocess folder the shards were made from (sample ids); default: DIR/preprocess beside DIR/shards. */
  prep?: string;
  restarts?: number;
  allowPartial: boolean;
  large: LargeNLimits;
}

export async function runConsensus(opts: ConsensusOptions): Promise<ConsensusManifest> {
  const prepDir = opts.prep ?? join(dirname(resolve(opts.shards[0]!)), 'preprocess');
  const release = claimOutput(opts.outdir, 'consensus', [...opts.shards, prepDir]);
  try {
    return await consensusClaimed(opts, prepDir);
  } finally {
    release();
  }
}

async function consensusClaimed(opts: ConsensusOptions, prepDir: string): Promise<ConsensusManifest> {
  const shards = findShards(opts.shards);
  const groups = groupShards(shards, opts.restarts, opts.allowPartial);
  const ref = shards[0]!.manifest;
  const n = ref.shape.samples;
  const m = ref.shape.features;
  const prep = readPreprocessManifest(prepDir);
  if (prep.matrix_sha256 !== ref.matrix_sha256) {
    throw shardError(`${prepDir}: this preprocess output is not the matrix the shards were made from (matrix_sha256 differs); pass the right folder with --prep.`);
  }
  const samples = readSampleIds(prepDir, prep);
  const features = readFeatureRows(prepDir, prep);
  const large: LargeNOptions = { ...opts.large, pacPairs: PAC_PAIRS, seed: ref.seed };
  if (n > large.maxConsensusN) {
    log.info(`consensus: n = ${n} > --max-consensus-n ${large.maxConsensusN}: no consensus matrices; dispersion exact, PAC on ${PAC_PAIRS} random pairs, tree/cophenetic/silhouette on a subsample of ${Math.min(n, large.sampleN)}`);
  }

  const stage = stagingDir(opts.outdir, 'consensus');
  try {
    const perK: ConsensusPerK[] = [];
    const missing: Record<string, number[]> = {};
    for (const g of groups) {
      if (g.missing.length > 0) {
        missing[String(g.k)] = g.missing;
        log.warn(`consensus: k=${g.k} is missing restarts ${compactRanges(g.missing)} (--allow-partial)`);
      }
      const runs = g.shards.flatMap((s) => s.manifest.runs);
      const Ws = loadFactors(g, m);
      const res = consensusForK(g.k, loadLabels(g, n), n, runs, Ws, m, large);
      let file: string | null = null;
      if (res.C) {
        file = `consensus.k.${g.k}.gct`;
        writeGct12(join(stage, file), samples, samples.map(() => ''), samples, res.C);
      }
      let binned: ConsensusPerK['binned'];
      if (res.binned) {
        binned = { file: `consensus.k.${g.k}.binned.npy`, bins: res.binned.bins, bin_size: res.binned.binSize };
        writeNpy(join(stage, binned.file), res.binned.values, [res.binned.bins, res.binned.bins]);
      }
      const metagenes = `metagenes.k${g.k}.tsv`;
      writeMetagenes(join(stage, metagenes), features, Ws[res.best]!, g.k);
      perK.push({
        k: g.k,
        restarts: runs.length,
        consensus_file: file,
        order: res.order,
        membership: res.membership,
        metrics: res.metrics,
        runs: runs.map((r) => ({ restart: r.restart, iterations: r.iterations, converged: r.converged, objective: r.objective })),
        best_restart: runs[res.best]!.restart,
        metagenes_file: metagenes,
        ...(res.sampled ? { sampled: res.sampled } : {}),
        ...(binned ? { binned } : {}),
      });
      log.info(`consensus: k=${g.k} restarts=${runs.length} cophenetic=${res.metrics.cophenetic.toFixed(4)} dispersion=${res.metrics.dispersion.toFixed(4)} silhouette=${res.metrics.silhouette.toFixed(4)}`);
    }
    const ks = perK.map((p) => p.k);
    const membership = new Float64Array(n * ks.length);
    perK.forEach((p, c) => p.membership.forEach((v, i) => (membership[i * ks.length + c] = v)));
    writeGct12(join(stage, 'membership.gct'), samples, samples.map(() => ''), ks.map((k) => `k=${k}`), membership);
    // After the DESIGN columns: what the consensus metrics were computed on (all n, or a sample).
    const pairs = n * (n - 1) / 2;
    writeTsv(
      join(stage, 'metrics.tsv'),
      [...METRIC_COLUMNS, 'consensus_n', 'pac_pairs'],
      perK.map((p) => [...METRIC_COLUMNS.map((c) => p.metrics[c]), p.sampled?.subsample_n ?? n, p.sampled?.pac_pairs ?? pairs]),
    );
    const manifest: Omit<ConsensusManifest, 'file_sha256'> = {
      schema: 'nmf-consensus/consensus@1',
      tool_version: toolVersion(),
      input_sha256: ref.input_sha256,
      algorithm: ref.algorithm,
      seed: ref.seed,
      backend: ref.backend,
      objective: ref.objective,
      stop_rule: `${ref.stop_rule}; check_every=${ref.params.check_every}, stable_checks=${ref.params.stable_checks}, max_iter=${ref.params.max_iter}`,
      samples,
      ks,
      allow_partial: opts.allowPartial,
      missing_restarts: missing,
      per_k: perK,
      files: { membership: 'membership.gct', metrics: 'metrics.tsv' },
    };
    const written = ['membership.gct', 'metrics.tsv', ...perK.flatMap((p) => [p.consensus_file, p.binned?.file, p.metagenes_file].filter((f): f is string => !!f))];
    const full = writeConsensusManifest(stage, manifest, written);
    commitDir(stage, opts.outdir, 'consensus');
    log.info(`consensus: ks ${ks.join(',')} -> ${opts.outdir}`);
    return full;
  } catch (err) {
    discardDir(stage);
    throw err;
  }
}
