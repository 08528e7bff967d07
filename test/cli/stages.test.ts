import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ROOT, tempDir } from './helpers.js';

const INPUT = join(ROOT, 'examples', 'ALL_AML_data.gct');
const common = ['--seed', '7', '--max-iter', '300'];

function perK(dir: string) {
  const c = JSON.parse(readFileSync(join(dir, 'consensus.json'), 'utf8'));
  return c.per_k.map((p: Record<string, unknown>) => ({ k: p.k, order: p.order, membership: p.membership, metrics: p.metrics }));
}

describe('stages, shards and reproducibility on ALL_AML (small: k = 2, 3; 4 restarts)', () => {
  let base: string;
  beforeAll(async () => {
    base = tempDir('nmfc-stages-');
    const r = await cli(['run', '--input', INPUT, '--outdir', join(base, 'a'), '--ks', '2-3', '--restarts', '4', '--null-restarts', '0', '--workers', '1', ...common]);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  it('same seed and parameters give the same labels and metrics, whatever --workers (1 against the default, all cores)', async () => {
    const r = await cli(['run', '--input', INPUT, '--outdir', join(base, 'b'), '--ks', '2-3', '--restarts', '4', '--null-restarts', '0', ...common]);
    expect(r.code, r.stderr).toBe(0);
    expect(perK(join(base, 'b', 'consensus'))).toEqual(perK(join(base, 'a', 'consensus')));
    for (const k of [2, 3]) {
      const shard = `shards/k${k}.r0-3/labels.bin`;
      expect(readFileSync(join(base, 'b', shard))).toEqual(readFileSync(join(base, 'a', shard)));
    }
  }, 300_000);

  it('1 shard, 4 shards, and 4 shards given in reverse order merge to byte-identical consensus outputs', async () => {
    const dir = join(base, 'staged');
    expect((await cli(['preprocess', '--input', INPUT, '--outdir', join(dir, 'preprocess')])).code).toBe(0);
    // one restart per shard, computed in a scrambled order
    for (const [k, r] of [[3, 2], [2, 3], [3, 0], [2, 1], [3, 3], [2, 0], [3, 1], [2, 2]] as const) {
      const res = await cli(['factorize', '--prep', join(dir, 'preprocess'), '--k', String(k), '--restarts', `${r}-${r}`, '--outdir', join(dir, 'shards'), ...common]);
      expect(res.code, res.stderr).toBe(0);
    }
    const together = await cli(['consensus', '--shards', join(dir, 'shards'), '--outdir', join(dir, 'consensus'), '--restarts', '4']);
    expect(together.code, together.stderr).toBe(0);
    const reversed = ['k3.r3-3', 'k3.r2-2', 'k3.r1-1', 'k3.r0-0', 'k2.r3-3', 'k2.r2-2', 'k2.r1-1', 'k2.r0-0'].flatMap((s) => ['--shards', join(dir, 'shards', s)]);
    const rev = await cli(['consensus', ...reversed, '--prep', join(dir, 'preprocess'), '--outdir', join(dir, 'consensus-rev'), '--restarts', '4']);
    expect(rev.code, rev.stderr).toBe(0);
    for (const f of ['consensus.k.2.gct', 'consensus.k.3.gct', 'membership.gct', 'metrics.tsv', 'consensus.json']) {
      const one = readFileSync(join(base, 'a', 'consensus', f));
      expect(readFileSync(join(dir, 'consensus', f)).equals(one), f).toBe(true);
      expect(readFileSync(join(dir, 'consensus-rev', f)).equals(one), f).toBe(true);
    }
    const rep = await cli(['report', '--consensus', join(dir, 'consensus'), '--outdir', join(dir, 'report'), '--annotations', join(ROOT, 'examples', 'ALL_AML_samples.tsv')]);
    expect(rep.code, rep.stderr).toBe(0);
    const html = readFileSync(join(dir, 'report', 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('ALL-T'); // the annotation strip's legend
  }, 300_000);

  it('above --max-consensus-n, consensus works from labels and says what it sampled', async () => {
    const out = join(base, 'large');
    const r = await cli(['consensus', '--shards', join(base, 'a', 'shards'), '--outdir', out, '--max-consensus-n', '20', '--consensus-sample-n', '12']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/n = 38 > --max-consensus-n 20/);
    expect(existsSync(join(out, 'consensus.k.2.gct'))).toBe(false);
    const c = JSON.parse(readFileSync(join(out, 'consensus.json'), 'utf8'));
    for (const p of c.per_k) {
      expect(p.consensus_file).toBeNull();
      expect(p.sampled.subsample_n).toBe(12);
      expect(p.sampled.pac_pairs).toBe((38 * 37) / 2); // fewer pairs than the budget: PAC is exact
      expect(p.membership).toHaveLength(38);
      expect([...p.order].sort((x: number, y: number) => x - y)).toEqual(Array.from({ length: 38 }, (_, i) => i));
    }
    const dense = JSON.parse(readFileSync(join(base, 'a', 'consensus', 'consensus.json'), 'utf8'));
    c.per_k.forEach((p: { metrics: { dispersion: number; pac: number } }, i: number) => {
      expect(p.metrics.dispersion).toBeCloseTo(dense.per_k[i].metrics.dispersion, 12);
      expect(p.metrics.pac).toBe(dense.per_k[i].metrics.pac);
    });
    const tsv = readFileSync(join(out, 'metrics.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(tsv[0]!.slice(-2)).toEqual(['consensus_n', 'pac_pairs']);
    expect(tsv[1]!.slice(-2)).toEqual(['12', String((38 * 37) / 2)]);
    const rep = await cli(['report', '--consensus', out, '--outdir', join(base, 'large-report')]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(readFileSync(join(base, 'large-report', 'report.html'), 'utf8')).toMatch(/seeded subsample of 12 samples/);
  }, 300_000);

  it('a rerun skips what is already complete', async () => {
    const r = await cli(['run', '--input', INPUT, '--outdir', join(base, 'a'), '--ks', '2-3', '--restarts', '4', '--null-restarts', '0', '--workers', '1', ...common]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/preprocess: .* already complete/);
    expect(r.stderr.match(/factorize: .* already complete/g)?.length).toBe(2);
  }, 300_000);

  it('consensus refuses missing and overlapping restarts (exit 4) unless --allow-partial, which it records', async () => {
    const dir = join(base, 'a');
    const missing = await cli(['consensus', '--shards', join(dir, 'shards'), '--outdir', join(base, 'c1'), '--restarts', '6']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/restarts 4-5 are missing/);

    const partial = await cli(['consensus', '--shards', join(dir, 'shards'), '--outdir', join(base, 'c2'), '--restarts', '6', '--allow-partial']);
    expect(partial.code, partial.stderr).toBe(0);
    const c = JSON.parse(readFileSync(join(base, 'c2', 'consensus.json'), 'utf8'));
    expect(c.allow_partial).toBe(true);
    expect(c.missing_restarts).toEqual({ '2': [4, 5], '3': [4, 5] });

    const beyond = await cli(['consensus', '--shards', join(dir, 'shards'), '--outdir', join(base, 'c5'), '--restarts', '3']);
    expect(beyond.code).toBe(4);
    expect(beyond.stderr).toMatch(/beyond --restarts 3/);

    const extra = join(base, 'extra');
    expect((await cli(['factorize', '--prep', join(dir, 'preprocess'), '--k', '2', '--restarts', '3-4', '--outdir', extra, ...common])).code).toBe(0);
    const overlap = await cli(['consensus', '--shards', join(dir, 'shards'), '--shards', extra, '--prep', join(dir, 'preprocess'), '--outdir', join(base, 'c3')]);
    expect(overlap.code).toBe(4);
    expect(overlap.stderr).toMatch(/k2\.r3-4 and \S+k2\.r0-3 overlap/);

    const other = join(base, 'otherseed');
    expect((await cli(['factorize', '--prep', join(dir, 'preprocess'), '--k', '2', '--restarts', '4-5', '--outdir', other, '--seed', '8', '--max-iter', '300'])).code).toBe(0);
    const mixed = await cli(['consensus', '--shards', join(dir, 'shards'), '--shards', other, '--prep', join(dir, 'preprocess'), '--outdir', join(base, 'c4')]);
    expect(mixed.code).toBe(4);
    expect(mixed.stderr).toMatch(/k2\.r4-5: seed is 8 but \S+ has 7/);

    // a shard from another input matrix (one value changed)
    const lines = readFileSync(INPUT, 'utf8').split('\n');
    const cells = lines[3]!.split('\t');
    cells[2] = String(Number(cells[2]) + 1);
    lines[3] = cells.join('\t');
    const otherInput = join(base, 'other.gct');
    (await import('node:fs')).writeFileSync(otherInput, lines.join('\n'));
    const otherPrep = join(base, 'other-prep');
    expect((await cli(['preprocess', '--input', otherInput, '--outdir', otherPrep])).code).toBe(0);
    const foreign = join(base, 'foreign');
    expect((await cli(['factorize', '--prep', otherPrep, '--k', '2', '--restarts', '4-5', '--outdir', foreign, ...common])).code).toBe(0);
    const mixedInput = await cli(['consensus', '--shards', join(dir, 'shards'), '--shards', foreign, '--prep', join(dir, 'preprocess'), '--outdir', join(base, 'c6')]);
    expect(mixedInput.code).toBe(4);
    expect(mixedInput.stderr).toMatch(/foreign\/k2\.r4-5: matrix_sha256 is/);
    expect(existsSync(join(base, 'c6'))).toBe(false);
  }, 300_000);

  it('--config YAML sets parameters below flags and above conf/defaults.yaml', async () => {
    const dir = tempDir('nmfc-config-');
    const cfg = join(dir, 'params.yaml');
    (await import('node:fs')).writeFileSync(cfg, 'ks: [2]\nrestarts: 2\nmax-iter: 40\nstable_checks: 0\nseed: 5\n');
    const r = await cli(['run', '--input', INPUT, '--outdir', join(dir, 'o'), '--config', cfg, '--seed', '6']);
    expect(r.code, r.stderr).toBe(0);
    const shard = JSON.parse(readFileSync(join(dir, 'o', 'shards', 'k2.r0-1', 'shard.json'), 'utf8'));
    expect(shard.seed).toBe(6);
    expect(shard.params.max_iter).toBe(40);
    expect(shard.runs.map((x: { iterations: number }) => x.iterations)).toEqual([40, 40]);
    const bad = join(dir, 'bad.yaml');
    (await import('node:fs')).writeFileSync(bad, 'restarts: many\n');
    const b = await cli(['run', '--input', INPUT, '--outdir', join(dir, 'p'), '--config', bad]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/restarts/);
  }, 300_000);

  it('--help on every subcommand explains every flag', async () => {
    for (const cmd of ['run', 'preprocess', 'factorize', 'consensus', 'report']) {
      const r = await cli([cmd, '--help']);
      expect(r.code).toBe(0);
      // every option line has a description after the flag
      const optLines = r.stdout.split('\n').filter((l) => /^\s+--[a-z]/.test(l));
      expect(optLines.length).toBeGreaterThan(2);
      for (const l of optLines) expect(l.replace(/^\s+--[a-z-]+/, '').replace(/\[[^\]]*\]/g, '').trim().length, `${cmd}: ${l}`).toBeGreaterThan(5);
    }
  });
});
