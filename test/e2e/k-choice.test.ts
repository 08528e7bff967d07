/**
 * Issue 13's acceptance on the bundled ALL/AML example with the default parameters (k = 2..5,
 * 20 restarts, 10 on random data, default seed): the real matrix shows structure, names k = 3 as
 * recommended or runner-up and matches the phenotypes best at k = 3; a copy with each sample's values
 * shuffled shows none, and the page says so at the top; the k = 3 metagenes are labelled by cluster.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../cli/helpers.js';
import { ALL_AML, EXAMPLES } from '../paths.js';
import { mulberry32 } from '../metrics/random.js';
import { parseMetageneTable, topByCluster } from '../../tasks/lib/metagenes.js';

/** The GCT with each sample's column shuffled (Fisher-Yates, its own seeded generator). */
function shuffledGct(path: string, seed: number): string {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const rows = lines.slice(3).map((l) => l.split('\t'));
  const rnd = mulberry32(seed);
  for (let j = 2; j < rows[0]!.length; j++) {
    for (let i = rows.length - 1; i > 0; i--) {
      const r = Math.floor(rnd() * (i + 1));
      [rows[i]![j], rows[r]![j]] = [rows[r]![j]!, rows[i]![j]!];
    }
  }
  return [...lines.slice(0, 3), ...rows.map((r) => r.join('\t'))].join('\n') + '\n';
}

const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const ANNOTATIONS = join(EXAMPLES, 'ALL_AML_samples.tsv');

describe.concurrent('choosing k on ALL/AML against a random-data baseline (defaults)', () => {
  it('real matrix: structure, k = 3 recommended or runner-up, phenotype best matched at k = 3; k = 3 metagenes by cluster', async () => {
    const out = tempDir('nmfc-kchoice-real-');
    const r = await cli(['run', '--input', ALL_AML, '--outdir', out, '--annotations', ANNOTATIONS, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const s = json(join(out, 'report', 'summary.json'));
    expect(s.null_restarts).toBe(10);
    expect(s.no_structure).toBe(false);
    expect(s.recommended_k).not.toBeNull();
    expect([s.recommended_k, ...s.runner_up_ks]).toContain(3);
    expect(s.best_k_by_annotation.phenotype.k).toBe(3);
    expect(s.best_k_by_annotation.phenotype.ari).toBeGreaterThan(0.75);
    expect(r.stderr).toMatch(/consensus: recommended k = \d/);

    // metagenes.k3.tsv: one weight column per consensus cluster; each cluster's top features weigh more
    // on their own cluster's factor than on the others
    const [header, ...rows] = readFileSync(join(out, 'consensus', 'metagenes.k3.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(header!.slice(-3)).toEqual(['cluster_1', 'cluster_2', 'cluster_3']);
    const tops = topByCluster(parseMetageneTable(header!, rows, 3, 'metagenes.k3.tsv'), 3, 15);
    tops.forEach((top, c) => {
      expect(top.length).toBe(15);
      for (const f of top) f.weights.forEach((w, o) => o !== c && expect(f.weights[c], `${f.id} in cluster ${c + 1}`).toBeGreaterThan(w));
    });
    // the page's k = 3 metagene table is headed by those clusters
    const page = readFileSync(join(out, 'report', 'report.html'), 'utf8');
    const k3 = page.split('<summary>k = 3')[1]!.split('</details>')[0]!;
    expect([...k3.matchAll(/<th>(cluster \d) <span class="w">\(factor \d\)<\/span><\/th>/g)].map((m) => m[1])).toEqual(['cluster 1', 'cluster 2', 'cluster 3']);
    const firstRow = k3.split('<tr><th>1</th>')[1]!.split('</tr>')[0]!;
    tops.forEach((top) => expect(firstRow).toContain(top[0]!.id));
  }, 900_000);

  it('shuffled matrix: no structure, no k recommended, and the page says so at the top', async () => {
    const dir = tempDir('nmfc-kchoice-shuffled-');
    const input = join(dir, 'shuffled.gct');
    writeFileSync(input, shuffledGct(ALL_AML, 2026));
    const out = join(dir, 'out');
    const r = await cli(['run', '--input', input, '--outdir', out, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const s = json(join(out, 'report', 'summary.json'));
    expect(s.no_structure).toBe(true);
    expect(s.recommended_k).toBeNull();
    expect(s.runner_up_ks).toEqual([]);
    expect(r.stderr).toMatch(/consensus: no k is distinguishable from random data/);
    expect(r.stderr).toMatch(/report: no k is distinguishable from random data/);
    const page = readFileSync(join(out, 'report', 'report.html'), 'utf8');
    const top = page.slice(0, page.indexOf('<h2>'));
    expect(top).toMatch(/<p class="big none">No structure: no k is distinguishable from random data, so no number of clusters is recommended<\/p>/);
    expect(page).not.toMatch(/Recommended number of clusters: k =/);
  }, 900_000);
});
