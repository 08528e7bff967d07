import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, writeTemp } from './helpers.js';

const header = (n: number) => ['Name', 'Description', ...Array.from({ length: n }, (_, j) => `s${j + 1}`)].join('\t');
const gct = (rows: string[], n = 4, dims = `${rows.length}\t${n}`, head = header(n)) => ['#1.2', dims, head, ...rows].join('\n') + '\n';
const good = ['g1\tna\t1\t2\t3\t4', 'g2\tna\t5\t6\t7\t8', 'g3\tna\t2\t2\t9\t1', 'g4\tna\t3\t1\t1\t5', 'g5\tna\t1\t7\t2\t2'];

interface Case {
  name: string;
  file: string;
  /** Text the one-line message must contain (file name, line, column, fix). */
  expect: RegExp[];
  args?: string[];
}

const cases: Case[] = [
  { name: 'ragged GCT row', file: gct([good[0]!, 'g2\tna\t5\t6\t7', ...good.slice(2)]), expect: [/line 5/, /4 values|expected|found/i] },
  { name: 'header dimension mismatch', file: gct(good, 4, `5\t6`), expect: [/line 2|line 3/, /6/] },
  { name: 'non-numeric cell', file: gct([good[0]!, 'g2\tna\t5\tabc\t7\t8', ...good.slice(2)]), expect: [/line 5, column 4/, /abc/] },
  { name: 'NaN cell', file: gct([good[0]!, 'g2\tna\t5\tNaN\t7\t8', ...good.slice(2)]), expect: [/line 5, column 4/] },
  { name: 'Inf cell', file: gct([good[0]!, 'g2\tna\t5\t6\tInf\t8', ...good.slice(2)]), expect: [/line 5, column 5/] },
  { name: 'negative value without --negatives', file: gct([good[0]!, 'g2\tna\t5\t6\t-7\t8', ...good.slice(2)]), expect: [/line 5, column 5/, /--negatives clamp/] },
  { name: 'duplicate sample ids', file: gct(good, 4, undefined, ['Name', 'Description', 's1', 's2', 's1', 's4'].join('\t')), expect: [/line 3/, /s1/, /column 3.*column 5|columns? 3 and 5/] },
  { name: 'empty matrix', file: '#1.2\n0\t4\n' + header(4) + '\n', expect: [/empty|no (data|rows)/i] },
  { name: 'k >= min(rows, columns)', file: gct(good), args: ['--ks', '4'], expect: [/k = 4/, /min\(5, 4\)/] },
];

describe('bad input: one sentence naming file and place, exit 3, nothing half-written', () => {
  it.each(cases)('$name', async (c) => {
    const dir = tempDir();
    const input = writeTemp(dir, 'bad.gct', c.file);
    const out = join(dir, 'out');
    const r = await cli(['run', '--input', input, '--outdir', out, '--restarts', '2', ...(c.args ?? ['--ks', '2'])]);
    expect(r.code).toBe(3);
    const lines = r.stderr.trim().split('\n');
    const msg = lines[lines.length - 1]!;
    expect(msg).toContain('bad.gct');
    for (const re of c.expect) expect(msg).toMatch(re);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Nothing a later stage could take for a result, and no temp folders left behind.
    if (existsSync(out)) {
      expect(existsSync(join(out, 'consensus'))).toBe(false);
      expect(existsSync(join(out, 'shards'))).toBe(false);
      expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
    }
  });

  it('factorize alone refuses k >= min(rows, columns) with exit 3', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'ok.gct', gct(good));
    expect((await cli(['preprocess', '--input', input, '--outdir', join(dir, 'prep')])).code).toBe(0);
    const r = await cli(['factorize', '--prep', join(dir, 'prep'), '--k', '4', '--restarts', '0-1', '--outdir', join(dir, 'shards')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/preprocess\.json: k = 4 is not below min\(features, samples\) = min\(5, 4\)/);
  });

  it('--negatives clamp and shift accept negative values and record the step', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'neg.gct', gct([good[0]!, 'g2\tna\t5\t6\t-7\t8', ...good.slice(2)]));
    for (const policy of ['clamp', 'shift']) {
      const r = await cli(['preprocess', '--input', input, '--outdir', join(dir, policy), '--negatives', policy]);
      expect(r.code).toBe(0);
      const manifest = JSON.parse((await import('node:fs')).readFileSync(join(dir, policy, 'preprocess.json'), 'utf8'));
      expect(JSON.stringify(manifest.steps)).toContain(policy);
    }
  });

  it('drops and lists all-zero rows and columns', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'z.gct', gct([...good, 'g6\tna\t0\t0\t0\t0'].map((r) => `${r}\t0`), 5));
    const r = await cli(['preprocess', '--input', input, '--outdir', join(dir, 'prep')]);
    expect(r.code).toBe(0);
    const manifest = JSON.parse((await import('node:fs')).readFileSync(join(dir, 'prep', 'preprocess.json'), 'utf8'));
    expect(manifest.shape).toEqual({ features: 5, samples: 4 });
    expect(manifest.dropped.map((d: { axis: string; id: string }) => `${d.axis}:${d.id}`).sort()).toEqual(['column:s5', 'row:g6']);
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['run', '--input', 'x.gct', '--outdir', 'o', '--algorithm', 'als'], /algorithm/],
    [['run', '--input', 'x.gct', '--outdir', 'o', '--ks', '1-3'], /at least 2/],
    [['run', '--input', 'x.gct', '--outdir', 'o', '--seed', 'abc'], /seed/],
    [['factorize', '--prep', 'p', '--k', '3', '--restarts', '9-2', '--outdir', 'o'], /backwards/],
    [['frobnicate'], /Unknown|command/i],
  ])('%j', async (args, re) => {
    const r = await cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unavailable explicit backend exits 5', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'ok.gct', gct(good));
    const r = await cli(['run', '--input', input, '--outdir', join(dir, 'o'), '--ks', '2', '--restarts', '2', '--backend', 'tensorflow']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/backend 'tensorflow' is unavailable/);
  });
});
