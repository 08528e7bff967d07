/**
 * shard.json (schemas/shard.schema.json): one factorize shard (one k, a contiguous restart range),
 * with the sha256 of each of its files, so consensus and a rerun of factorize can check a shard
 * before they trust it.
 */
import { join } from 'node:path';
import type { Algorithm, StopRule } from '../types.js';
import { readVerified } from '../io/hash.js';
import { readManifest, writeManifest } from './validate.js';

export const LABEL_LAYOUT = 'restart-major: for each restart first..last, one label 0..k-1 per sample' as const;

export interface BackendSelection {
  requested: string;
  reason: string;
  device?: string;
  skipped?: string[];
}

export type ShardFile = 'labels.bin' | 'W.npy' | 'best_W.npy' | 'best_H.npy';
export const SHARD_FILES: readonly ShardFile[] = ['labels.bin', 'W.npy', 'best_W.npy', 'best_H.npy'];

export interface ShardManifest {
  schema: 'nmf-consensus/shard@1';
  tool_version: string;
  input_sha256: string;
  matrix_sha256: string;
  shape: { features: number; samples: number };
  algorithm: Algorithm;
  k: number;
  restarts: { first: number; last: number };
  seed: number;
  params: { max_iter: number; check_every: number; stable_checks: number; eps: number; stop: StopRule; tol: number };
  backend: string;
  /**
   * How the backend was chosen (engine/backend.ts): requested by name or by auto, the device auto
   * checked, and the candidates it skipped. Machine-dependent, so not part of a shard's identity.
   */
  backend_selection?: BackendSelection;
  objective: string;
  stop_rule: string;
  /** True for a shard of the random-data baseline (A with each sample's column permuted). */
  randomized?: boolean;
  labels: { file: 'labels.bin'; dtype: 'uint8' | 'uint16'; layout: typeof LABEL_LAYOUT };
  factors: { W: 'W.npy'; best_W: 'best_W.npy'; best_H: 'best_H.npy'; best_restart: number };
  sha256: Record<ShardFile, string>;
  runs: { restart: number; iterations: number; converged: boolean; objective: number; rel_error: number }[];
  elapsed_s: number;
  created: string;
}

export function readShardManifest(dir: string): ShardManifest {
  return readManifest<ShardManifest>(join(dir, 'shard.json'), 'shard', 4);
}

export function writeShardManifest(dir: string, manifest: ShardManifest): void {
  writeManifest(join(dir, 'shard.json'), 'shard', manifest);
}

/** A file of the shard, read once and checked against shard.json (exit 4 naming it on a mismatch). */
export function readShardFile(dir: string, m: ShardManifest, file: ShardFile): Buffer {
  return readVerified(join(dir, file), m.sha256[file], join(dir, 'shard.json'), 'rerun factorize for this shard');
}
