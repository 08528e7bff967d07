/**
 * End-to-end check on ALL_AML against R NMF 0.25 (test/fixtures/golden/esGolub_metrics.tsv, nrun = 50):
 * `run` with k = 2..5 and 50 restarts; cophenetic within 0.02 of R's, and the k = 3 consensus
 * membership recovers ALL-B / ALL-T / AML with adjusted Rand index >= 0.75.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adjustedRandIndex } from '../../tasks/lib/metrics/index.js';
import { readGct } from '../../tasks/lib/io/gct.js';
import { cli, tempDir } from '../cli/helpers.js';
import { ALL_AML, GOLDEN } from '../paths.js';

const COPHENETIC_TOLERANCE = 0.02;
const MIN_ARI3 = 0.75;

function goldenCophenetic(method: string): Map<number, number> {
  const [head, ...rows] = readFileSync(join(GOLDEN, 'esGolub_metrics.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const col = (name: string) => head!.indexOf(name);
  const out = new Map<number, number>();
  for (const r of rows) if (r[col('method')] === method && r[col('nrun')] === '50') out.set(Number(r[col('rank')]), Number(r[col('cophenetic')]));
  return out;
}

/** ALL-B / ALL-T / AML from the sample names (as test/fixtures/esGolub.samples.tsv). */
function phenotype(sample: string): string {
  return sample.startsWith('AML') ? 'AML' : sample.endsWith('T-cell') ? 'ALL-T' : 'ALL-B';
}

// One algorithm at a time: each run's two workers fill the 2-core CI machine, so running both at
// once would only double each test's wall time. No random-data baseline (--null-restarts 0): this
// test compares with R NMF, which has none; test/e2e/k-choice.test.ts checks the baseline.
// --backend wasm: what auto picks on a CPU machine, without GPU probing, whose native messages
// (Dawn on an unusable Vulkan driver) would enter the stderr this test checks for errors.
describe('ALL_AML end to end against R NMF 0.25', () => {
  it.each(['brunet', 'lee'] as const)(`%s: k = 2..5, 50 restarts matches R NMF cophenetic within ${COPHENETIC_TOLERANCE} and k = 3 ARI >= ${MIN_ARI3}`, async (algorithm) => {
    const out = tempDir(`nmfc-e2e-${algorithm}-`);
    // --stop connectivity: R NMF's rule, so both compare like with like (lee's default is the objective rule).
    const r = await cli(['run', '--input', ALL_AML, '--outdir', out, '--ks', '2-5', '--restarts', '50', '--algorithm', algorithm, '--stop', 'connectivity', '--workers', '2', '--null-restarts', '0', '--backend', 'wasm'] /* default seed 123456789 */);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);

    // docs/design.md section 2 layout.
    for (const f of ['preprocess/matrix.npy', 'preprocess/features.tsv', 'preprocess/samples.tsv', 'preprocess/preprocess.json',
      'consensus/membership.gct', 'consensus/metrics.tsv', 'consensus/consensus.json', 'report/report.html', 'report/summary.json',
      ...[2, 3, 4, 5].flatMap((k) => [`shards/k${k}.r0-49/shard.json`, `shards/k${k}.r0-49/labels.bin`, `consensus/consensus.k.${k}.gct`])]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }

    const golden = goldenCophenetic(algorithm);
    const [head, ...rows] = readFileSync(join(out, 'consensus', 'metrics.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(head).toEqual(expect.arrayContaining(['k', 'restarts', 'cophenetic', 'dispersion', 'silhouette', 'pac', 'error_best', 'error_median', 'rel_error_best', 'iterations_median', 'converged_fraction', 'stability_min', 'stability_mean']));
    expect(rows.map((row) => Number(row[head!.indexOf('k')]))).toEqual([2, 3, 4, 5]);
    for (const row of rows) {
      const k = Number(row[head!.indexOf('k')]);
      expect(Number(row[head!.indexOf('restarts')])).toBe(50);
      const rho = Number(row[head!.indexOf('cophenetic')]);
      expect(Math.abs(rho - golden.get(k)!), `k=${k}: ours ${rho}, R ${golden.get(k)}`).toBeLessThanOrEqual(COPHENETIC_TOLERANCE);
    }

    const membership = readGct(join(out, 'consensus', 'membership.gct'));
    expect(membership.colIds).toEqual(['k=2', 'k=3', 'k=4', 'k=5']);
    const k3 = Array.from({ length: membership.rows }, (_, i) => membership.data[i * 4 + 1]!);
    expect(new Set(k3)).toEqual(new Set([1, 2, 3]));
    const ari = adjustedRandIndex(k3, membership.rowIds.map(phenotype));
    expect(ari).toBeGreaterThanOrEqual(MIN_ARI3);

    const summary = JSON.parse(readFileSync(join(out, 'report', 'summary.json'), 'utf8'));
    expect([2, 3, 4, 5]).toContain(summary.recommended_k);
    expect(summary.reasons.length).toBeGreaterThan(0);
  }, 900_000);
});
