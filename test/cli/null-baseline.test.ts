/**
 * The random-data baseline through the CLI (issue 13): null shards (null.k<k>.*) made by run and by
 * factorize --null, merged by consensus into null metrics, independent of how they are sharded; the
 * recommendation on a synthetic matrix with planted groups; --null-restarts 0.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from './helpers.js';
import { mulberry32 } from '../metrics/random.js';
import { parseMetageneTable, topByCluster } from '../../tasks/lib/metagenes.js';

const GROUPS = 4;
const PER_GROUP = 10;
const MARKERS = 40;
const BACKGROUND = 80;

/**
 * features x samples GCT: 4 groups of 10 samples; features g*40 .. g*40+39 are high (7-9) in the
 * samples of group g and background (1-2) elsewhere; 80 more features are background everywhere.
 * Samples are interleaved (sample j is in group j % 4) so the order in the file gives nothing away.
 */
function plantedGct(seed: number): string {
  const rnd = mulberry32(seed);
  const n = GROUPS * PER_GROUP;
  const m = GROUPS * MARKERS + BACKGROUND;
  const samples = Array.from({ length: n }, (_, j) => `s${j}_g${j % GROUPS}`);
  const rows = Array.from({ length: m }, (_, i) => {
    const g = i < GROUPS * MARKERS ? Math.floor(i / MARKERS) : -1;
    const vals = samples.map((_, j) => (1 + rnd() + (j % GROUPS === g ? 6 + 2 * rnd() : 0)).toFixed(4));
    return [`f${i}`, g >= 0 ? `MARK${g}` : 'na', ...vals].join('\t');
  });
  return ['#1.2', `${m}\t${n}`, ['Name', 'Description', ...samples].join('\t'), ...rows].join('\n') + '\n';
}

const FAST = ['--max-iter', '400', '--backend', 'wasm', '--workers', '2'];
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

describe('random-data baseline (null shards)', () => {
  let dir: string;
  let input: string;
  beforeAll(async () => {
    dir = tempDir('nmfc-null-');
    input = join(dir, 'planted.gct');
    writeFileSync(input, plantedGct(11));
    const r = await cli(['run', '--input', input, '--outdir', join(dir, 'run'), '--ks', '3-5', '--restarts', '10', ...FAST]);
    expect(r.code, r.stderr).toBe(0);
  }, 600_000);

  it('run writes one null shard per k, and consensus merges them into null metrics and metrics.tsv columns', () => {
    const shards = readdirSync(join(dir, 'run', 'shards')).filter((d) => !d.startsWith('.')).sort();
    expect(shards).toEqual(['k3.r0-9', 'k4.r0-9', 'k5.r0-9', 'null.k3.r0-9', 'null.k4.r0-9', 'null.k5.r0-9']);
    expect(json(join(dir, 'run', 'shards', 'null.k4.r0-9', 'shard.json')).randomized).toBe(true);
    expect(json(join(dir, 'run', 'shards', 'k4.r0-9', 'shard.json')).randomized).toBeUndefined();
    const c = json(join(dir, 'run', 'consensus', 'consensus.json'));
    for (const p of c.per_k) {
      expect(p.null_restarts).toBe(10);
      // random data: far less stable than the planted groups
      expect(p.null_metrics.dispersion).toBeLessThan(p.metrics.dispersion - 0.2);
    }
    const [head, ...lines] = readFileSync(join(dir, 'run', 'consensus', 'metrics.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    for (const col of ['null_restarts', 'null_cophenetic', 'null_dispersion', 'null_silhouette', 'null_pac', 'null_rel_error_best', 'null_evar_best']) {
      expect(head, col).toContain(col);
    }
    const k4 = lines.find((l) => l[0] === '4')!;
    expect(Number(k4[head!.indexOf('null_dispersion')])).toBe(c.per_k.find((p: { k: number }) => p.k === 4).null_metrics.dispersion);
  });

  it('a planted 4-group matrix: k = 4 is recommended, and consensus and report log the same line', async () => {
    const s = json(join(dir, 'run', 'report', 'summary.json'));
    expect(s.no_structure).toBe(false);
    expect(s.recommended_k).toBe(4);
    expect(s.null_restarts).toBe(10);
    expect(s.null_metrics.map((r: { k: number }) => r.k)).toEqual([3, 4, 5]);
    const again = await cli(['consensus', '--shards', join(dir, 'run', 'shards'), '--outdir', join(dir, 'c2'), '--restarts', '10', '--null-restarts', '10']);
    expect(again.code, again.stderr).toBe(0);
    const line = /consensus: (recommended k = .*)/.exec(again.stderr)?.[1];
    expect(line).toMatch(/^recommended k = 4\b/);
    const rep = await cli(['report', '--consensus', join(dir, 'c2'), '--outdir', join(dir, 'r2')]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stderr).toContain(`report: ${line} -> `);
  }, 300_000);

  it('metagenes at k = 4: columns are consensus clusters, each led by the markers of the group in that cluster', () => {
    const c = json(join(dir, 'run', 'consensus', 'consensus.json'));
    const p = c.per_k.find((q: { k: number }) => q.k === 4);
    const [header, ...rows] = readFileSync(join(dir, 'run', 'consensus', 'metagenes.k4.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    const table = parseMetageneTable(header!, rows, 4, 'metagenes.k4.tsv');
    expect(header!.slice(-4)).toEqual(['cluster_1', 'cluster_2', 'cluster_3', 'cluster_4']);
    const tops = topByCluster(table, 4, 10);
    tops.forEach((top, ci) => {
      // the planted group of the samples in consensus cluster ci + 1
      const groups = c.samples.filter((_: string, j: number) => p.membership[j] === ci + 1).map((s: string) => s.slice(-1));
      expect(new Set(groups).size).toBe(1);
      expect(top.length).toBe(10);
      for (const f of top) {
        expect(f.symbol).toBe(`MARK${groups[0]}`);
        // each top feature weighs more on its own cluster's factor than on any other
        f.weights.forEach((w, o) => o !== ci && expect(f.weights[ci]!).toBeGreaterThan(w));
      }
    });
    // the best fit's own membership agrees with the consensus on planted groups
    expect(p.best_fit_membership).toEqual(p.membership);
  });

  it('null shards give the same consensus whether split into one shard or two (and differ from the data)', async () => {
    const prep = join(dir, 'staged', 'preprocess');
    expect((await cli(['preprocess', '--input', input, '--outdir', prep])).code).toBe(0);
    const f = (out: string, range: string, extra: string[] = []) =>
      cli(['factorize', '--prep', prep, '--k', '3', '--restarts', range, '--outdir', join(dir, 'staged', out), ...FAST, ...extra]);
    for (const out of ['one', 'two']) expect((await f(out, '0-9')).code).toBe(0);
    expect((await f('one', '0-9', ['--null'])).code).toBe(0);
    expect((await f('two', '5-9', ['--null'])).code).toBe(0);
    expect((await f('two', '0-4', ['--null'])).code).toBe(0);
    const one = readFileSync(join(dir, 'staged', 'one', 'null.k3.r0-9', 'labels.bin'));
    const two = Buffer.concat([0, 5].map((a) => readFileSync(join(dir, 'staged', 'two', `null.k3.r${a}-${a + 4}`, 'labels.bin'))));
    expect(two.equals(one)).toBe(true);
    expect(one.equals(readFileSync(join(dir, 'staged', 'one', 'k3.r0-9', 'labels.bin')))).toBe(false);
    for (const out of ['one', 'two']) {
      const r = await cli(['consensus', '--shards', join(dir, 'staged', out), '--prep', prep, '--outdir', join(dir, 'staged', `c-${out}`)]);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const file of ['metrics.tsv', 'consensus.json', 'metagenes.k3.tsv']) {
      expect(readFileSync(join(dir, 'staged', 'c-two', file)).equals(readFileSync(join(dir, 'staged', 'c-one', file))), file).toBe(true);
    }
    // the same null shards as run's (same seed and parameters): the same null metrics
    const staged = json(join(dir, 'staged', 'c-one', 'consensus.json')).per_k[0].null_metrics;
    expect(staged).toEqual(json(join(dir, 'run', 'consensus', 'consensus.json')).per_k[0].null_metrics);
  }, 300_000);

  it('consensus refuses a folder with only null shards (exit 4)', async () => {
    const r = await cli(['consensus', '--shards', join(dir, 'staged', 'one', 'null.k3.r0-9'), '--prep', join(dir, 'staged', 'preprocess'), '--outdir', join(dir, 'c-null')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/only random-data baseline shards .* run factorize without --null/);
    expect(existsSync(join(dir, 'c-null'))).toBe(false);
  });

  it('--null-restarts 0: no null shards or columns, and the page says structure was not tested', async () => {
    const out = join(dir, 'off');
    const r = await cli(['run', '--input', input, '--outdir', out, '--ks', '3-4', '--restarts', '4', '--null-restarts', '0', ...FAST]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(out, 'shards')).filter((d) => d.startsWith('null.'))).toEqual([]);
    expect(readFileSync(join(out, 'consensus', 'metrics.tsv'), 'utf8')).not.toContain('null_');
    const s = json(join(out, 'report', 'summary.json'));
    expect(s.null_restarts).toBe(0);
    expect(s.no_structure).toBe(false);
    expect(readFileSync(join(out, 'report', 'report.html'), 'utf8')).toMatch(/Whether any k differs from random data was not tested/);
  }, 300_000);
});
