import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport } from '../../tasks/report/index.js';
import { NmfError } from '../../tasks/lib/errors.js';
import type { Summary } from '../../tasks/lib/manifest/summary.js';
import { CONSENSUS_RAMP, rampColor } from '../../tasks/report/heatmap.js';
import { decodePng, pixelAt } from './pngdecode.js';
import { makeInput, METRICS, N, NULL_METRICS, row } from './fixture.js';
import { metageneRows } from '../../tasks/lib/metagenes.js';

let dir: string;
let summary: Summary;
let html: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nmf-report-'));
  summary = await writeReport(makeInput({ annotations: true, nulls: NULL_METRICS }), join(dir, 'a'));
  html = readFileSync(join(dir, 'a', 'report.html'), 'utf8');
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const fig = (name: string, sub = 'a') => join(dir, sub, 'figures', name);

describe('writeReport', () => {
  it('recommends k = 3 by the gap to random data, and writes the same summary.json', () => {
    expect(summary.recommended_k).toBe(3);
    expect(summary.no_structure).toBe(false);
    expect(summary.runner_up_ks).toEqual([]);
    expect(summary.schema).toBe('nmf-consensus/summary@1');
    expect(summary.rule).toBe('null-gap');
    // k=3: cophenetic (0.997 - 0.61) / 0.39, dispersion (0.95 - 0.3) / 0.7, silhouette (0.93 - 0.15) / 0.85
    const s3 = summary.scores.find((x) => x.k === 3)!;
    expect(s3.score).toBeCloseTo(((0.997 - 0.61) / 0.39 + 0.65 / 0.7 + 0.78 / 0.85) / 3, 12);
    expect(summary.reasons[0]).toMatch(/^k=3 is the farthest from random data: score 0\.946/);
    expect(summary.reasons.join(' ')).toMatch(/Brunet's rule .* agrees: k=3 \(0\.997, then 0\.986 at k=4/);
    expect(summary.ks).toEqual([2, 3, 4, 5]);
    expect(summary.metrics).toEqual(METRICS);
    expect(summary.null_metrics).toEqual(NULL_METRICS);
    expect(summary.null_restarts).toBe(10);
    const onDisk = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8'));
    expect(onDisk).toEqual(summary);
  });

  it('writes the figures for materialized k only', () => {
    for (const k of [2, 3, 4]) {
      expect(existsSync(fig(`consensus.k${k}.svg`))).toBe(true);
      expect(existsSync(fig(`consensus.k${k}.png`))).toBe(true);
    }
    expect(existsSync(fig('consensus.k5.svg'))).toBe(false);
    expect(existsSync(fig('consensus.k5.png'))).toBe(false);
    expect(existsSync(fig('metrics.svg'))).toBe(true);
  });

  it('the metrics SVG has the axis titles, the panels and the recommended k', () => {
    const svg = readFileSync(fig('metrics.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const t of ['k (number of clusters)', 'cophenetic ρ', 'dispersion', 'silhouette', 'PAC', 'stability', 'relative error']) {
      expect(svg).toContain(t);
    }
    expect(svg).toContain('recommended k = 3');
    expect(svg).toContain('stroke-dasharray'); // the rule at the recommended k
    for (const t of ['explained variance (best)', 'RSS (best)', 'random data']) expect(svg).toContain(t);
    // the baseline is drawn: a grey line in every panel that has null values (6 of the 8 metrics)
    expect((svg.match(/<path[^>]*stroke="#888888"/g) ?? []).length).toBeGreaterThanOrEqual(6);
  });

  it('bounded metrics are drawn on fixed axes: 0 to 1, and -1 to 1 for silhouette and stability', () => {
    const svg = readFileSync(fig('metrics.svg'), 'utf8');
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    // tick labels of the panels: 0 and 1 (cophenetic, dispersion, PAC, relative error, explained variance), -1 (silhouette, stability)
    expect(labels.filter((t) => t === '1').length).toBeGreaterThanOrEqual(7);
    expect(labels.filter((t) => t === '−1' || t === '-1').length).toBe(2);
  });

  it('the heatmap PNG decodes, is enlarged to >= 300 px, and shows the ordered blocks', () => {
    const d = decodePng(readFileSync(fig('consensus.k3.png')));
    expect(d.width).toBe(300); // 12 cells x 25
    expect(d.height).toBe(300);
    const dark = [1, 3, 5].map((i) => parseInt(CONSENSUS_RAMP[8]!.slice(i, i + 2), 16));
    expect(pixelAt(d, 10, 90)).toEqual(dark); // inside the first block (ordered samples 0..3)
    expect(pixelAt(d, 290, 10)).toEqual(rampColor(0.05)); // first block x third block: 0.05
    expect(pixelAt(d, 150, 150)).toEqual(dark); // second block
  });

  it('the heatmap SVG draws the silhouette, best-fit, consensus and annotation tracks', () => {
    const svg = readFileSync(fig('consensus.k3.svg'), 'utf8');
    for (const t of ['silhouette', 'best fit', 'consensus', 'annotation']) expect(svg).toContain(`>${t}</text>`);
    // silhouette bars: one per sample (12), grey (all widths here are >= 0)
    expect((svg.match(/fill="#666666"/g) ?? []).length).toBe(N);
    // best fit strip: sample 0 (first in the order) is put in cluster 3 by the best fit, so the best-fit strip
    // has one more run than the consensus strip (4 runs on the top and 4 on the left, against 3 + 3)
    const rects = (cls: string) => (svg.match(new RegExp(`class="mark-rect role-mark ${cls}"`, 'g')) ?? []).length;
    expect(rects('concat_1_layer_3_marks')).toBe(1);
    const group = (cls: string) => svg.split(`class="mark-rect role-mark ${cls}"`)[1]!.split('</g>')[0]!;
    expect((group('concat_1_layer_2_marks').match(/<path/g) ?? []).length).toBe(6);
    expect((group('concat_1_layer_3_marks').match(/<path/g) ?? []).length).toBe(8);
  });

  it('the heatmap SVG embeds exactly that PNG, with strips, legend and title', () => {
    const svg = readFileSync(fig('consensus.k3.svg'), 'utf8');
    const b64 = readFileSync(fig('consensus.k3.png')).toString('base64');
    expect(svg).toContain(`data:image/png;base64,${b64}`);
    expect(svg).toContain('k = 3, ρ = 0.997');
    expect(svg).toContain('cluster (k = 3)');
    expect(svg).toContain('ALL-T'); // annotation legend
    expect(svg).toContain('&lt;b&gt;&amp;x'); // sample label, escaped by vega
  });

  it('report.html is self-contained', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link|@import|url\(\s*["']?https?:/i);
    expect(html).toContain('<svg');
  });

  it('report.html inlines every materialized heatmap and says when one is skipped', () => {
    for (const k of [2, 3, 4]) {
      const b64 = readFileSync(fig(`consensus.k${k}.png`)).toString('base64');
      expect(html).toContain(`data:image/png;base64,${b64}`);
    }
    expect(html).toMatch(/<h3 id="k5">k = 5<\/h3>\s*<p class="note">Heatmap skipped: the consensus matrix for k = 5 was not materialized/);
  });

  it('report.html has the recommendation, reasons, parameters, help and metrics table', () => {
    expect(html).toContain('Recommended number of clusters: k = 3');
    expect(html).toContain('a drop of 0.011');
    expect(html).toMatch(/gap = \(real - random\) \/ \(1 - random\)/); // the rule, on the page
    expect(html).toMatch(/<th>null_cophenetic<\/th>/);
    expect(html).toMatch(/<td class="null">0\.610<\/td>/); // null cophenetic at k=3
    for (const s of ['brunet (objective: kl)', '123456789', 'wasm', 'connectivity unchanged for &gt; 40 checks']) {
      expect(html).toContain(s);
    }
    expect(html).toMatch(/Lower is better/);
    expect(html).toMatch(/<tr class="rec"><td>3<\/td>/);
    for (const col of ['cophenetic', 'rel_error_best', 'iterations_median', 'converged_fraction', 'stability_min']) {
      expect(html).toContain(`<th>${col}</th>`);
    }
    expect(html).toContain('<td class="best">0.997</td>');
    expect(html).not.toContain('<td class="best">0.600</td>'); // stability_min is equal at every k
  });

  it('escapes sample ids in the HTML', () => {
    expect(html).toContain('&lt;b&gt;&amp;x');
    expect(html).not.toContain('<b>&x');
  });

  it('inlined SVG ids are unique across figures', () => {
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('writeReport variants', () => {
  it('without annotations and without a baseline: no annotation strip; says structure was not tested', async () => {
    const metrics = [2, 3, 4].map((k) => row(k, { cophenetic: 0.9 + k * 0.01 }));
    const s = await writeReport(makeInput({ metrics, materialize: [3] }), join(dir, 'b'));
    expect(s.recommended_k).toBe(4);
    expect(s.null_restarts).toBe(0);
    expect(s.reasons.join(' ')).toMatch(/--null-restarts 0/);
    expect(s.reasons.join(' ')).toMatch(/never decreases/);
    const svg = readFileSync(fig('consensus.k3.svg', 'b'), 'utf8');
    expect(svg).not.toContain('ALL-T');
    expect(svg).not.toContain('annotation');
    const page = readFileSync(join(dir, 'b', 'report.html'), 'utf8');
    expect(page.match(/<figure>/g)?.length).toBe(3); // metrics + convergence + k=3
  });

  it('rejects an order that is not a permutation and a matrix of the wrong size', async () => {
    const bad = makeInput();
    bad.manifest.per_k[1]!.order[0] = bad.manifest.per_k[1]!.order[1]!;
    await expect(writeReport(bad, join(dir, 'c'))).rejects.toSatisfy(
      (e: unknown) => e instanceof NmfError && e.code === 3 && /not a permutation/.test(e.message),
    );
    const bad2 = makeInput();
    bad2.matrices.set(3, new Float64Array(N * N - 1));
    await expect(writeReport(bad2, join(dir, 'd'))).rejects.toThrow(/143 values but 12 samples need 144/);
  });
});

describe('prefixSvgIds', () => {
  it('prefixes ids and their references so inlined SVGs do not collide', async () => {
    const { prefixSvgIds } = await import('../../tasks/report/html.js');
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use xlink:href="#clip1"/></g></svg>';
    const out = prefixSvgIds(svg, 'k3-');
    expect(out).toBe(
      '<svg><defs><clipPath id="k3-clip1"><rect/></clipPath></defs><g clip-path="url(#k3-clip1)"><use xlink:href="#k3-clip1"/></g></svg>',
    );
  });
});

const summaryOf = (d: string): Summary => JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8'));

describe('input warnings', () => {
  it('are shown under the recommendation, with their fix, and only when there are some', async () => {
    const input = makeInput({ nulls: NULL_METRICS });
    input.manifest.input_warnings = [{ code: 'counts-unnormalized', message: 'the values look like counts; pass --normalize cp10k.' }];
    await writeReport(input, join(dir, 'warn'));
    const page = readFileSync(join(dir, 'warn', 'report.html'), 'utf8');
    const box = page.split('<div class="input-warn">')[1]!.split('</div>')[0]!;
    expect(box).toContain('<li>The values look like counts; pass --normalize cp10k.</li>');
    expect(page.indexOf('input-warn">')).toBeGreaterThan(page.indexOf('rec-box'));
    expect(page.indexOf('input-warn">')).toBeLessThan(page.indexOf('<h2>'));
    expect(html).not.toContain('<div class="input-warn">');
  });
});

describe('no structure', () => {
  it('the page says so at the top, recommends nothing and marks no k', async () => {
    // the data are no better than their random baseline at any k
    const s = await writeReport(makeInput({ annotations: true, nulls: METRICS }), join(dir, 'none'), { pdf: true });
    expect(readFileSync(join(dir, 'none', 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(s.no_structure).toBe(true);
    expect(s.recommended_k).toBeNull();
    expect(summaryOf(join(dir, 'none')).recommended_k).toBeNull();
    const page = readFileSync(join(dir, 'none', 'report.html'), 'utf8');
    const box = page.split('<div class="rec-box')[1]!.split('</div>')[0]!;
    expect(box).toMatch(/No structure: no k is distinguishable from random data, so no number of clusters is recommended/);
    expect(page.indexOf('No structure')).toBeLessThan(page.indexOf('<h2>'));
    expect(page).toContain('<title>Consensus NMF report: no structure found</title>');
    expect(page).not.toContain('(recommended)');
    expect(page).not.toContain('<tr class="rec">');
    expect(readFileSync(fig('metrics.svg', 'none'), 'utf8')).toContain('no k recommended');
  });
});

describe('report sections beyond the heatmaps', () => {
  it('writes every figure as SVG and PNG, with convergence, ARI, metagenes and file links', async () => {
    const input = makeInput({ annotations: true });
    const ids = Array.from({ length: 30 }, (_, i) => `gene${i}`);
    const symbols = ids.map((_, i) => (i === 0 ? 'CD19' : 'na'));
    // factor 0 holds genes 0..29 with decreasing weight, the other factors 1 each
    input.metagenes = new Map(
      input.manifest.per_k.map((p) => [
        p.k,
        metageneRows(ids, symbols, Float64Array.from({ length: 30 * p.k }, (_, t) => (t % p.k === 0 ? 30 - Math.floor(t / p.k) : 1)), p.k, p.factor_of_cluster!),
      ]),
    );
    input.annotationColumns = [{ name: 'phenotype', values: input.annotations! }];
    input.links = [{ label: 'consensus/metrics.tsv', href: '../consensus/metrics.tsv' }];
    await writeReport(input, join(dir, 'c'));
    for (const f of ['metrics.svg', 'metrics.png', 'convergence.svg', 'convergence.png', 'consensus.k3.svg', 'consensus.k3.figure.png']) {
      expect(existsSync(fig(f, 'c')), f).toBe(true);
    }
    const png = readFileSync(fig('metrics.png', 'c'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1200); // width of the rendered figure
    const page = readFileSync(join(dir, 'c', 'report.html'), 'utf8');
    expect(page).toContain('<h2>Convergence</h2>');
    expect(page).toContain('converged: k=2: 95%');
    expect(page).toMatch(/<th>phenotype<\/th><td>\d+<\/td>/); // ARI row
    // factor 1 (index 0) is matched to cluster k (factor_of_cluster = [1, 2, .., 0]); its most specific feature, gene0, is listed first there
    expect(page).toMatch(/<th>cluster 3 <span class="w">\(factor 1\)<\/span><\/th><\/tr>/);
    expect(page).toMatch(/<tr><th>1<\/th><td><\/td><td><\/td><td><b>CD19<\/b> <span class="id">gene0<\/span> <span class="w">score 0\.\d+, weight 30\.0<\/span><\/td><\/tr>/);
    expect(summaryOf(join(dir, 'c')).best_k_by_annotation).toEqual({ phenotype: { k: 3, ari: 1 } });
    expect(page).toContain('<a href="../consensus/metrics.tsv">consensus/metrics.tsv</a>');
  });
});

describe('dendrogramSegments', () => {
  it('draws 3 segments per merge, leaves at the bottom on their columns, the root bar at the top', async () => {
    const { dendrogramSegments } = await import('../../tasks/report/dendrogram.js');
    const { averageLinkage } = await import('../../tasks/lib/metrics/hclust.js');
    // 4 samples: {0, 2} close, {1, 3} close
    const D = Float64Array.from([0, 0.9, 0.1, 0.8, 0.9, 0, 0.85, 0.2, 0.1, 0.85, 0, 0.9, 0.8, 0.2, 0.9, 0]);
    const tree = averageLinkage(D, 4);
    const segs = dendrogramSegments(tree, 10, 20, 70);
    expect(segs.length).toBe(9);
    const leafX = new Set(Array.from(tree.order, (_, p) => 10 + (p + 0.5) * 20));
    const bottoms = segs.filter((s) => s.y === 70);
    expect(bottoms.length).toBe(4);
    for (const s of bottoms) expect(leafX.has(s.x)).toBe(true);
    const root = segs[segs.length - 1]!;
    expect(root.y).toBe(0);
    expect(root.y2).toBe(0);
    expect(Math.min(root.x, root.x2)).toBeGreaterThan(10);
    expect(Math.max(root.x, root.x2)).toBeLessThan(90);
  });

  it('is drawn above each heatmap of a small matrix', () => {
    const svg = readFileSync(fig('consensus.k3.svg'), 'utf8');
    expect(svg).toContain('class="mark-rule role-mark concat_0_marks"'); // the tree, above the matrix
    expect((svg.match(/<line/g) ?? []).length).toBeGreaterThanOrEqual(3 * (N - 1));
  });
});

describe('report.pdf', () => {
  it('holds the summary page and one page per figure', async () => {
    await writeReport(makeInput({ annotations: true }), join(dir, 'pdf'), { pdf: true });
    const pdf = readFileSync(join(dir, 'pdf', 'report.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = (pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? []).length;
    expect(pages).toBe(1 + 2 + 3); // summary, metrics, convergence, heatmaps k = 2, 3, 4
  });
});
