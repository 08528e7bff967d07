/**
 * Inputs NMF handles poorly are named with the fix (issue 13 part 5): in the run log, in
 * preprocess.json and at the top of the report; and not for an input that is fine.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, writeTemp } from './helpers.js';
import { mulberry32 } from '../metrics/random.js';
import { ALL_AML } from '../paths.js';

/** features x samples TSV with an id column; `cell` gives each value. */
function tsv(m: number, n: number, cell: (i: number, j: number) => number): string {
  const lines = [['id', ...Array.from({ length: n }, (_, j) => `s${j}`)].join('\t')];
  for (let i = 0; i < m; i++) lines.push([`g${i}`, ...Array.from({ length: n }, (_, j) => String(cell(i, j)))].join('\t'));
  return lines.join('\n') + '\n';
}

const FAST = ['--ks', '2', '--restarts', '2', '--max-iter', '50', '--backend', 'wasm'];
const warningsOf = (prep: string) => (JSON.parse(readFileSync(join(prep, 'preprocess.json'), 'utf8')).warnings ?? []).map((w: { code: string }) => w.code);

describe('input warnings', () => {
  it('sparse counts without --normalize: the log, preprocess.json and the report say so; --normalize cp10k: quiet', async () => {
    const dir = tempDir('nmfc-warn-');
    const rnd = mulberry32(8);
    const input = writeTemp(dir, 'counts.tsv', tsv(60, 12, (i, j) => (rnd() < 0.3 ? 0 : Math.floor(1 + 30 * rnd() * (1 + ((i + j) % 3))))));
    const r = await cli(['run', '--input', input, '--outdir', join(dir, 'a'), ...FAST]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warn.*preprocess: the values look like counts .* pass --normalize cp10k/);
    expect(warningsOf(join(dir, 'a', 'preprocess'))).toEqual(['counts-unnormalized']);
    const page = readFileSync(join(dir, 'a', 'report', 'report.html'), 'utf8');
    expect(page).toMatch(/<div class="input-warn">.*The values look like counts/s);
    const ok = await cli(['run', '--input', input, '--outdir', join(dir, 'b'), '--normalize', 'cp10k', ...FAST]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).not.toMatch(/look like counts/);
    expect(warningsOf(join(dir, 'b', 'preprocess'))).toEqual([]);
    expect(readFileSync(join(dir, 'b', 'report', 'report.html'), 'utf8')).not.toContain('<div class="input-warn">');
  }, 300_000);

  it('log2 values and 5,001 features without selection are named; --top-features quiets the second', async () => {
    const dir = tempDir('nmfc-warn-');
    const rnd = mulberry32(9);
    const input = writeTemp(dir, 'log2.tsv', tsv(5001, 6, () => Number((3 + 10 * rnd()).toFixed(3))));
    const r = await cli(['preprocess', '--input', input, '--outdir', join(dir, 'p')]);
    expect(r.code, r.stderr).toBe(0);
    expect(warningsOf(join(dir, 'p'))).toEqual(['many-features-unselected', 'log-transformed']);
    expect(r.stderr).toMatch(/5001 features are used without selection.*--top-features 2000/);
    expect(r.stderr).toMatch(/the values look log-transformed/);
    const sel = await cli(['preprocess', '--input', input, '--outdir', join(dir, 'q'), '--top-features', '1000']);
    expect(sel.code, sel.stderr).toBe(0);
    expect(warningsOf(join(dir, 'q'))).toEqual(['log-transformed']);
  }, 300_000);

  it('the ALL/AML example (integer intensities, 5,000 preselected genes) gets no warning', async () => {
    const dir = tempDir('nmfc-warn-');
    const r = await cli(['preprocess', '--input', ALL_AML, '--outdir', join(dir, 'p')]);
    expect(r.code, r.stderr).toBe(0);
    expect(warningsOf(join(dir, 'p'))).toEqual([]);
    expect(r.stderr).not.toMatch(/look like counts|log-transformed|without selection/);
  });
});
