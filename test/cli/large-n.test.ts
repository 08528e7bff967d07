/**
 * Single-cell scale through the CLI: 20,000 samples are above the default --max-consensus-n, so
 * consensus works from labels (no n x n matrix), and the report stays small: block-mean heatmaps,
 * no per-sample table, report.html under 10 MB.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, writeTemp } from './helpers.js';
import { mulberry32 } from '../metrics/random.js';

const M = 12;
const N = 20_000;

function plantedTsv(): string {
  const rand = mulberry32(5);
  const group = Array.from({ length: N }, () => Math.floor(rand() * 3));
  const lines = [['id', ...Array.from({ length: N }, (_, j) => `c${j}`)].join('\t')];
  for (let i = 0; i < M; i++) lines.push([`g${i}`, ...group.map((g) => ((i % 3 === g ? 4 : 0.3) + rand()).toFixed(2))].join('\t'));
  return lines.join('\n') + '\n';
}

describe('20,000 samples: labels-only consensus and a small report', () => {
  it('runs end to end with block-mean heatmaps and report.html under 10 MB', async () => {
    const dir = tempDir('nmfc-large-');
    const input = writeTemp(dir, 'cells.tsv', plantedTsv());
    const out = join(dir, 'out');
    const r = await cli(['run', '--input', input, '--outdir', out, '--ks', '2-4', '--restarts', '6', '--max-iter', '100', '--stable-checks', '0', '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/n = 20000 > --max-consensus-n 10000/);
    expect(readdirSync(join(out, 'consensus')).filter((f) => /^consensus\.k\.\d+\.gct$/.test(f))).toEqual([]);
    const c = JSON.parse(readFileSync(join(out, 'consensus', 'consensus.json'), 'utf8'));
    for (const p of c.per_k) {
      expect(p.sampled.subsample_n).toBe(5000);
      expect(p.binned.bins).toBe(500);
      expect(existsSync(join(out, 'consensus', p.binned.file))).toBe(true);
    }
    const html = join(out, 'report', 'report.html');
    expect(statSync(html).size).toBeLessThan(10 * 1024 * 1024);
    const page = readFileSync(html, 'utf8');
    expect(page.match(/<figure>/g)?.length).toBe(2 + 3); // metrics, convergence, a heatmap per k
    expect(page).toContain('each row and column of this image is a block of 40 consecutive samples');
    expect(page).toContain('the per-sample table is left out of this page');
    // the planted 3 groups come back at k = 3
    const k3 = c.per_k.find((p: { k: number }) => p.k === 3);
    expect(new Set(k3.membership).size).toBe(3);
    // the random-data baseline ran too (at most --restarts restarts), and the block-mean heatmap draws
    // the best fit's track beside the consensus strip (no per-sample silhouette without C)
    for (const p of c.per_k) expect(p.null_restarts).toBe(6);
    const svg = readFileSync(join(out, 'report', 'figures', 'consensus.k3.svg'), 'utf8');
    expect(svg).toContain('>best fit</text>');
    expect(svg).not.toContain('>silhouette</text>');
  }, 600_000);
});
