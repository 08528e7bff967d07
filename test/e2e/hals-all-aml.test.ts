/**
 * --algorithm hals on ALL_AML (issue 16 acceptance): k = 3, at hals's default stop rule (the
 * objective's, tol 1e-4), the consensus membership recovers ALL-B / ALL-T / AML
 * (examples/ALL_AML_samples.tsv) with adjusted Rand index >= 0.75, as brunet and lee do in
 * all-aml.test.ts. 10 restarts: HALS stops within tens of sweeps, so this stays quick.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adjustedRandIndex } from '../../tasks/lib/metrics/index.js';
import { readGct } from '../../tasks/lib/io/gct.js';
import { cli, tempDir } from '../cli/helpers.js';
import { ALL_AML, EXAMPLES } from '../paths.js';

const MIN_ARI3 = 0.75;

describe('hals on ALL_AML', () => {
  it(`k = 3, 10 restarts, default stop rule: consensus ARI against ALL-B/ALL-T/AML >= ${MIN_ARI3}`, async () => {
    const out = tempDir('nmfc-e2e-hals-');
    const r = await cli(['run', '--input', ALL_AML, '--outdir', out, '--ks', '3', '--restarts', '10', '--algorithm', 'hals', '--workers', '2', '--null-restarts', '0', '--backend', 'wasm']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);

    const shard = JSON.parse(readFileSync(join(out, 'shards', 'k3.r0-9', 'shard.json'), 'utf8'));
    expect(shard.algorithm).toBe('hals');
    expect(shard.params.stop).toBe('objective');
    expect(shard.objective).toMatch(/frobenius/);
    // The objective rule ended every restart well before the iteration cap.
    for (const run of shard.runs) expect(run.iterations).toBeLessThan(shard.params.max_iter);

    const phenotype = new Map(readFileSync(join(EXAMPLES, 'ALL_AML_samples.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t') as [string, string]));
    const membership = readGct(join(out, 'consensus', 'membership.gct'));
    const k3 = Array.from({ length: membership.rows }, (_, i) => membership.data[i]!);
    const truth = membership.rowIds.map((s) => phenotype.get(s)!);
    expect(truth.every((p) => p !== undefined)).toBe(true);
    const ari = adjustedRandIndex(k3, truth);
    console.log(`hals ALL_AML k = 3: consensus ARI ${ari.toFixed(3)}, iterations ${shard.runs.map((x: { iterations: number }) => x.iterations).join(',')}`);
    expect(ari).toBeGreaterThanOrEqual(MIN_ARI3);
  }, 300_000);
});
