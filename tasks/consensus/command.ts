/**
 * The `consensus` stage: all shards of all k, and of the random-data baseline (null.k<k>.*) ->
 * consensus.k.<k>.gct (when n <= max_consensus_n), membership.gct (samples x k), metrics.tsv (with
 * the baseline's null_* columns), metagenes.k<k>.tsv and consensus.json, written to a temporary folder and
 * renamed into --outdir when complete. The outputs depend only on the shards' contents (never on
 * how restarts were split into shards or the order they are given in), so they are byte-identical
 * for any layout: no clock time is written.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { writeGct12 } from '../lib/io/gct.js';
import { writeNpy } from '../lib/io/npy.js';
import { writeTsv } from '../lib/io/tsv.js';
import { commitDir, discardDir, stagingDir } from '../lib/io/atomic.js';
import { claimOutput } from '../lib/io/outdir.js';
import { shardError } from '../lib/errors.js';
import { readFeatureRows, readMatrixVerified, readPreprocessManifest, readSampleIds, type PreprocessManifest } from '../lib/manifest/preprocess.js';
import { writeConsensusManifest, type ConsensusManifest, type ConsensusPerK } from '../lib/manifest/consensus.js';
import { log } from '../lib/log.js';
import { toolVersion } from '../lib/paths.js';
import type { Params } from '../lib/params.js';
import { METRIC_COLUMNS } from '../lib/types.js';
import { findShards, groupBaseline, groupShards, loadFactors, loadLabels, compactRanges } from './shards.js';
import { consensusForK, type LargeNOptions } from './metrics.js';
import { metageneRows, metageneTable, bestFitMembership } from '../lib/metagenes.js';
import { matchFactorsToClusters } from '../lib/metrics/assignment.js';
import { recommend, recommendationLine } from '../lib/recommend.js';
import type { MetricsRow } from '../lib/types.js';

/** Random pairs on which PAC is counted above max_consensus_n (standard error <= 0.0005). */
export const PAC_PAIRS = 1_000_000;

/**
 * metagenes.k<k>.tsv: W (features x k) of the restart with the lowest objective (R NMF's basis(fit)),
 * one row per feature with its symbol, Kim & Park score and the consensus cluster of its largest
 * factor, one weight column per cluster (tasks/lib/metagenes.ts).
 */
function writeMetagenes(path: string, features: readonly { id: string; description: string }[], W: Float32Array, k: number, factorOfCluster: readonly number[]): void {
  const t = metageneTable(metageneRows(features.map((f) => f.id), features.map((f) => f.description), W, k, factorOfCluster), k);
  writeTsv(path, t.header, t.cells);
}

/** ||A||_F^2 of the preprocessed matrix (checked against its matrix_sha256), for the RSS column. */
function sumOfSquares(prepDir: string, prep: PreprocessManifest): number {
  const a = readMatrixVerified(prepDir, prep);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! ** 2;
  return s;
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
  /** The null_restarts parameter: the baseline has min(this, restarts) per k; 0 = none (default: inferred, see groupBaseline). */
  nullRestarts?: number;
  allowPartial: boolean;
  large: LargeNLimits;
}

export async function runConsensus(opts: ConsensusOptions): Promise<ConsensusManifest> {
  // Relative to the working folder when it can be, so messages name paths as the user wrote them.
  const prepDir = opts.prep ?? (relative(process.cwd(), join(dirname(resolve(opts.shards[0]!)), 'preprocess')) || '.');
  const release = claimOutput(opts.outdir, 'consensus', [...opts.shards, prepDir]);
  try {
    return await consensusClaimed(opts, prepDir);
  } finally {
    release();
  }
}

async function consensusClaimed(opts: ConsensusOptions, prepDir: string): Promise<ConsensusManifest> {
  const found = findShards(opts.shards);
  // The random-data baseline's shards (randomized) are merged per k apart from the data's.
  const shards = found.filter((s) => !s.manifest.randomized);
  const nullShards = found.filter((s) => s.manifest.randomized);
  if (shards.length === 0) throw shardError(`${opts.shards.join(', ')}: only random-data baseline shards (null.k*) were found; run factorize without --null for the data itself.`);
  const groups = groupShards(shards, opts.restarts, opts.allowPartial);
  const nullGroups = groupBaseline(groups, nullShards, opts.nullRestarts, opts.restarts, opts.allowPartial, shards[0]!);
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

  const sumSquares = sumOfSquares(prepDir, prep);
  const stage = stagingDir(opts.outdir, 'consensus');
  try {
    const perK: ConsensusPerK[] = [];
    const missing: Record<string, number[]> = {};
    const missingNull: Record<string, number[]> = {};
    for (const g of groups) {
      if (g.missing.length > 0) {
        missing[String(g.k)] = g.missing;
        log.warn(`consensus: k=${g.k} is missing restarts ${compactRanges(g.missing)} (--allow-partial)`);
      }
      const runs = g.shards.flatMap((s) => s.manifest.runs);
      const Ws = loadFactors(g, m);
      const labels = loadLabels(g, n);
      const res = consensusForK(g.k, labels, n, runs, Ws, m, large, sumSquares);
      // The best fit's factors, matched one-to-one to the consensus clusters (metagenes and the best-fit track).
      const bestLabels = labels.subarray(res.best * n, (res.best + 1) * n);
      const factorOfCluster = matchFactorsToClusters(bestLabels, res.membership, g.k);
      const ng = nullGroups.find((x) => x.k === g.k);
      let nullMetrics: MetricsRow | undefined;
      if (ng && ng.shards.length > 0) {
        const nullRuns = ng.shards.flatMap((s) => s.manifest.runs);
        nullMetrics = consensusForK(g.k, loadLabels(ng, n), n, nullRuns, loadFactors(ng, m), m, large, sumSquares).metrics;
        if (ng.missing.length > 0) log.warn(`consensus: k=${g.k} random-data baseline is missing restarts ${compactRanges(ng.missing)} (--allow-partial)`);
      }
      if (ng && ng.missing.length > 0) missingNull[String(g.k)] = ng.missing;
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
      writeMetagenes(join(stage, metagenes), features, Ws[res.best]!, g.k, factorOfCluster);
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
        factor_of_cluster: factorOfCluster,
        best_fit_membership: bestFitMembership(bestLabels, factorOfCluster),
        ...(ng && nullMetrics ? { null_restarts: ng.restarts.length, null_metrics: nullMetrics } : {}),
      });
      const vs = (key: 'cophenetic' | 'dispersion' | 'silhouette') => `${key}=${res.metrics[key].toFixed(4)}${nullMetrics ? ` (random ${nullMetrics[key].toFixed(4)})` : ''}`;
      log.info(`consensus: k=${g.k} restarts=${runs.length} ${vs('cophenetic')} ${vs('dispersion')} ${vs('silhouette')}`);
    }
    const ks = perK.map((p) => p.k);
    const membership = new Float64Array(n * ks.length);
    perK.forEach((p, c) => p.membership.forEach((v, i) => (membership[i * ks.length + c] = v)));
    writeGct12(join(stage, 'membership.gct'), samples, samples.map(() => ''), ks.map((k) => `k=${k}`), membership);
    // After METRIC_COLUMNS: what the consensus metrics were computed on (all n, or a sample).
    const pairs = n * (n - 1) / 2;
    // Then, with a random-data baseline, its restarts and the baseline's value of every metric.
    const withNull = perK.some((p) => p.null_metrics);
    const nullCols = METRIC_COLUMNS.filter((c) => c !== 'k' && c !== 'restarts');
    writeTsv(
      join(stage, 'metrics.tsv'),
      [...METRIC_COLUMNS, 'consensus_n', 'pac_pairs', ...(withNull ? ['null_restarts', ...nullCols.map((c) => `null_${c}`)] : [])],
      perK.map((p) => [
        ...METRIC_COLUMNS.map((c) => p.metrics[c]),
        p.sampled?.subsample_n ?? n,
        p.sampled?.pac_pairs ?? pairs,
        ...(withNull ? [p.null_restarts ?? 0, ...nullCols.map((c) => p.null_metrics?.[c] ?? NaN)] : []),
      ]),
    );
    const manifest: Omit<ConsensusManifest, 'file_sha256'> = {
      schema: 'nmf-consensus/consensus@1',
      tool_version: toolVersion(),
      input_sha256: ref.input_sha256,
      algorithm: ref.algorithm,
      seed: ref.seed,
      backend: ref.backend,
      objective: ref.objective,
      stop_rule: `${ref.stop_rule}; max_iter=${ref.params.max_iter}`,
      samples,
      ks,
      allow_partial: opts.allowPartial,
      missing_restarts: missing,
      ...(Object.keys(missingNull).length > 0 ? { missing_null_restarts: missingNull } : {}),
      per_k: perK,
      files: { membership: 'membership.gct', metrics: 'metrics.tsv' },
      ...(prep.warnings && prep.warnings.length > 0 ? { input_warnings: prep.warnings } : {}),
    };
    const written = ['membership.gct', 'metrics.tsv', ...perK.flatMap((p) => [p.consensus_file, p.binned?.file, p.metagenes_file].filter((f): f is string => !!f))];
    const full = writeConsensusManifest(stage, manifest, written);
    commitDir(stage, opts.outdir, 'consensus');
    const rec = recommend(perK.map((p) => p.metrics), perK.flatMap((p) => (p.null_metrics ? [p.null_metrics] : [])));
    log.info(`consensus: ${recommendationLine(rec)}`);
    log.info(`consensus: ks ${ks.join(',')} -> ${opts.outdir}`);
    return full;
  } catch (err) {
    discardDir(stage);
    throw err;
  }
}
