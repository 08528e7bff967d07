/** summary.json (schemas/summary.schema.json): the recommended k, the rule and the reasons in words. */
import { join } from 'node:path';
import type { MetricsRow } from '../types.js';
import { readManifest, writeManifest } from './validate.js';

export interface Summary {
  schema: 'nmf-consensus/summary@1';
  /** null when no k is distinguishable from random data (no_structure) or none could be scored. */
  recommended_k: number | null;
  /** Other ks whose score is within the rule's tolerance of the recommended k's (tasks/lib/recommend.ts). */
  runner_up_ks: number[];
  /** True when a random-data baseline was computed and no k differs from it. */
  no_structure: boolean;
  rule: string;
  reasons: string[];
  ks: number[];
  metrics: MetricsRow[];
  /** Restarts per k of the random-data baseline (0: none). */
  null_restarts: number;
  /** The baseline's metrics, one row per k that has one. */
  null_metrics: MetricsRow[];
  /** Per k the rule's score and the normalized gap of each metric; null where there is none. */
  scores: { k: number; score: number | null; cophenetic: number | null; dispersion: number | null; silhouette: number | null }[];
  /** Per annotation column, the k whose clusters match it best (adjusted Rand index). */
  best_k_by_annotation: Record<string, { k: number; ari: number }>;
}

export function readSummary(reportDir: string): Summary {
  return readManifest<Summary>(join(reportDir, 'summary.json'), 'summary');
}

export function writeSummary(reportDir: string, summary: Summary): void {
  writeManifest(join(reportDir, 'summary.json'), 'summary', summary);
}
