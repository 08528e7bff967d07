/**
 * consensus.json (schemas/consensus.schema.json): per k the leaf order, membership and metrics, plus
 * the identity of the run and the sha256 of every other file in the folder, which report checks
 * before it reads one.
 */
import { join } from 'node:path';
import type { Algorithm, MetricsRow } from '../types.js';
import { shardError } from '../errors.js';
import { readVerified, sha256File } from '../io/hash.js';
import { readManifest, writeManifest } from './validate.js';

/** Per-k entry of consensus.json. */
export interface ConsensusPerK {
  k: number;
  restarts: number;
  /** File name of the consensus GCT inside the consensus folder, or null when not materialized. */
  consensus_file: string | null;
  /** Leaf order of the average-linkage tree: 0-based sample indices. */
  order: number[];
  /** Cut of the tree into k clusters, 1..k, numbered in leaf order; indexed by sample (input order). */
  membership: number[];
  metrics: MetricsRow;
  /** Every restart's fit, ascending restart: for the convergence figure. */
  runs: { restart: number; iterations: number; converged: boolean; objective: number }[];
  /** The restart with the lowest objective; its W is in metagenes_file. */
  best_restart: number;
  /** metagenes.k<k>.tsv: W of the best restart, features x factors. */
  metagenes_file: string;
  /** Present when n was above max_consensus_n: how the metrics were sampled. */
  sampled?: SampledMetrics;
  /** Large n: block means of C along `order` (bins x bins float32 .npy), for the heatmap. */
  binned?: { file: string; bins: number; bin_size: number };
  /** Factor (0-based) of the best restart matched to each consensus cluster 1..k. */
  factor_of_cluster?: number[];
  /** The best restart's own membership (argmax of H per sample), in matched cluster numbers. */
  best_fit_membership?: number[];
  /** Restarts of the random-data baseline for this k (0 or absent: none). */
  null_restarts?: number;
  /** Metrics of the random-data baseline (A with each sample's column permuted) at this k. */
  null_metrics?: MetricsRow;
}

/** Above max_consensus_n, C is not built; this records what the metrics were computed on. */
export interface SampledMetrics {
  /** Samples in the subsample whose consensus gives the tree, cophenetic and silhouette. */
  subsample_n: number;
  stratified_by: string;
  /** Random pairs PAC was counted on (all pairs when there are fewer). */
  pac_pairs: number;
  seed: number;
  dispersion: string;
  order: string;
}

export interface ConsensusManifest {
  schema: 'nmf-consensus/consensus@1';
  tool_version: string;
  input_sha256: string;
  algorithm: Algorithm;
  seed: number;
  backend: string;
  objective: string;
  stop_rule: string;
  samples: string[];
  ks: number[];
  allow_partial: boolean;
  /** Restarts missing per k when --allow-partial was used (empty otherwise). */
  missing_restarts: Record<string, number[]>;
  /** Random-data baseline restarts missing per k when --allow-partial was used (absent when none). */
  missing_null_restarts?: Record<string, number[]>;
  per_k: ConsensusPerK[];
  files: { membership: string; metrics: string };
  /** preprocess.json's input warnings, carried to the report (absent when none). */
  input_warnings?: { code: string; message: string }[];
  /** sha256 of every other file of the folder, by name. */
  file_sha256: Record<string, string>;
}

/** Read consensus.json; undefined metrics are stored as null (JSON has no NaN) and come back as NaN. */
export function readConsensusManifest(dir: string): ConsensusManifest {
  const m = readManifest<ConsensusManifest>(join(dir, 'consensus.json'), 'consensus');
  for (const p of m.per_k) {
    for (const metrics of [p.metrics, p.null_metrics]) {
      const row = (metrics ?? {}) as unknown as Record<string, number | null>;
      for (const key of Object.keys(row)) if (row[key] === null) row[key] = NaN;
    }
  }
  return m;
}

/** Record the sha256 of each listed file of `dir` and write consensus.json there. */
export function writeConsensusManifest(dir: string, manifest: Omit<ConsensusManifest, 'file_sha256'>, files: readonly string[]): ConsensusManifest {
  const full: ConsensusManifest = { ...manifest, file_sha256: Object.fromEntries([...files].sort().map((f) => [f, sha256File(join(dir, f))])) };
  writeManifest(join(dir, 'consensus.json'), 'consensus', full);
  return full;
}

/** A file of the consensus folder, checked against consensus.json before use (exit 4 on a mismatch). */
export function readConsensusFile(dir: string, m: ConsensusManifest, file: string): Buffer {
  const sha = m.file_sha256[file];
  const manifest = join(dir, 'consensus.json');
  if (sha === undefined) throw shardError(`${join(dir, file)}: not listed in ${manifest}, so it cannot be checked; rerun the consensus stage.`);
  return readVerified(join(dir, file), sha, manifest, 'rerun the consensus stage');
}
