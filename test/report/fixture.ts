/** A hand-made ReportInput: n = 12 samples in 3 interleaved blocks, k = 2..5, rho drops after k = 3. */
import type { MetricsRow } from '../../tasks/lib/types.js';
import type { ConsensusManifest, ConsensusPerK } from '../../tasks/lib/manifest/consensus.js';
import type { ReportInput } from '../../tasks/report/index.js';

export const N = 12;
/** Sample i belongs to block i % 3 (interleaved, so the leaf order matters). */
export const BLOCK = Array.from({ length: N }, (_, i) => i % 3);
export const SAMPLES = Array.from({ length: N }, (_, i) => (i === 4 ? '<b>&x' : `S${i + 1}`));

export function row(k: number, over: Partial<MetricsRow> = {}): MetricsRow {
  return {
    k,
    restarts: 20,
    cophenetic: 0.9,
    dispersion: 0.8,
    silhouette: 0.7,
    pac: 0.1,
    error_best: 1234.5,
    error_median: 1300.25,
    rel_error_best: 0.5 - k * 0.02,
    iterations_median: 450,
    converged_fraction: 1,
    stability_min: 0.6,
    stability_mean: 0.8,
    rss_best: 2000 - k * 100,
    evar_best: 0.75 + k * 0.02,
    ...over,
  };
}

export const METRICS: MetricsRow[] = [
  row(2, { cophenetic: 0.962, dispersion: 0.71, silhouette: 0.81, pac: 0.21, stability_mean: 0.9 }),
  row(3, { cophenetic: 0.997, dispersion: 0.95, silhouette: 0.93, pac: 0.02, stability_mean: 0.88 }),
  row(4, { cophenetic: 0.986, dispersion: 0.83, silhouette: 0.95, pac: 0.08, stability_mean: 0.7 }),
  row(5, { cophenetic: 0.975, dispersion: 0.8, silhouette: 0.74, pac: 0.11, stability_mean: 0.6 }),
];

/** Leaf order: block 0, then 1, then 2 (input order inside a block). */
export const ORDER = [0, 1, 2].flatMap((b) => SAMPLES.map((_, i) => i).filter((i) => BLOCK[i] === b));

/** Consensus for k: 1 on the diagonal, `within` inside a block, `between` across (k = 2 merges blocks 1 and 2). */
export function consensusMatrix(k: number): Float64Array {
  const c = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let v: number;
      if (i === j) v = 1;
      else if (BLOCK[i] === BLOCK[j]) v = k <= 3 ? 1 : 0.7;
      else if (k === 2 && BLOCK[i]! > 0 && BLOCK[j]! > 0) v = 0.8;
      else v = 0.05 * (k - 2);
      c[i * N + j] = v;
    }
  }
  return c;
}

function membership(k: number): number[] {
  // k = 2: block 0 | blocks 1+2; k >= 3: the 3 blocks, with block 2 split further for k = 4, 5.
  return SAMPLES.map((_, i) => {
    const b = BLOCK[i]!;
    if (k === 2) return b === 0 ? 1 : 2;
    if (k === 3 || b < 2) return b + 1;
    const pos = ORDER.filter((j) => BLOCK[j] === 2).indexOf(i);
    return Math.min(k, 3 + Math.floor((pos * (k - 2)) / 4));
  });
}

/** A random-data baseline for METRICS: well below the data at every k. */
export const NULL_METRICS: MetricsRow[] = [2, 3, 4, 5].map((k) =>
  row(k, { cophenetic: 0.7 - 0.03 * k, dispersion: 0.1 * k, silhouette: 0.3 - 0.05 * k, pac: 1 - 0.1 * k, stability_mean: 0.2 }),
);

export function makeInput(opts: { materialize?: number[]; annotations?: boolean; metrics?: MetricsRow[]; nulls?: MetricsRow[] } = {}): ReportInput {
  const metrics = opts.metrics ?? METRICS;
  const ks = metrics.map((r) => r.k);
  const materialize = opts.materialize ?? [2, 3, 4];
  const per_k: ConsensusPerK[] = metrics.map((r) => ({
    k: r.k,
    restarts: 20,
    consensus_file: materialize.includes(r.k) ? `consensus.k.${r.k}.gct` : null,
    order: [...ORDER],
    membership: membership(r.k),
    metrics: r,
    runs: Array.from({ length: 20 }, (_, i) => ({ restart: i, iterations: 430 + 10 * ((i * r.k) % 7), converged: i !== 19, objective: 100 + i })),
    best_restart: 0,
    metagenes_file: `metagenes.k${r.k}.tsv`,
    // the best fit agrees with the consensus except for sample 0, which it puts in the last cluster
    best_fit_membership: membership(r.k).map((c, i) => (i === 0 ? r.k : c)),
    factor_of_cluster: Array.from({ length: r.k }, (_, c) => (c + 1) % r.k),
    ...(opts.nulls?.some((x) => x.k === r.k) ? { null_restarts: 10, null_metrics: opts.nulls.find((x) => x.k === r.k)! } : {}),
  }));
  const manifest: ConsensusManifest = {
    schema: 'nmf-consensus/consensus@1',
    tool_version: '0.1.0',
    input_sha256: 'ab'.repeat(32),
    algorithm: 'brunet',
    seed: 123456789,
    backend: 'wasm',
    objective: 'kl',
    stop_rule: 'connectivity unchanged for > 40 checks every 10 iterations (R NMF 0.25)',
    samples: [...SAMPLES],
    ks,
    allow_partial: false,
    missing_restarts: {},
    per_k,
    files: { membership: 'membership.gct', metrics: 'metrics.tsv' },
  };
  const matrices = new Map<number, Float64Array>();
  for (const k of materialize) if (ks.includes(k)) matrices.set(k, consensusMatrix(k));
  const input: ReportInput = { manifest, matrices };
  if (opts.annotations) {
    input.annotations = new Map(SAMPLES.map((s, i) => [s, ['ALL-B', 'ALL-T', 'AML'][BLOCK[i]!]!]));
  }
  return input;
}
