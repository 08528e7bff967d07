/**
 * The report as a person sees it: the ALL_AML example (with its phenotype annotations) opened in
 * Debian's Chromium, driven by playwright-core. Zero console errors, every figure drawn with a
 * non-zero size, each heatmap's tracks (silhouette, best fit, consensus, annotation) and the metrics'
 * random-data curves drawn, the recommended k and the best k for the phenotypes shown, k = 3 clusters matching ALL-B / ALL-T / AML, and a
 * screenshot kept as a test artifact (out/test-artifacts/). Chromium is installed by .ci/run; on a
 * machine without it the test is skipped outside CI and fails in CI.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { ROOT, cli, tempDir } from '../cli/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for this test`);
const ARTIFACTS = join(ROOT, 'out', 'test-artifacts');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!have)('report.html in Chromium (ALL_AML example, annotations)', () => {
  let out: string;
  let browser: Browser;
  beforeAll(async () => {
    out = tempDir('nmfc-browser-');
    const r = await cli([
      'run', '--input', join(ROOT, 'examples', 'ALL_AML_data.gct'), '--annotations', join(ROOT, 'examples', 'ALL_AML_samples.tsv'),
      '--outdir', out, '--restarts', '10', '--backend', 'wasm',
    ]);
    expect(r.code, r.stderr).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('opens with no console errors, draws every figure and shows the recommended k', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(pathToFileURL(join(out, 'report', 'report.html')).href, { waitUntil: 'load' });

    const figures = await page.$$eval('figure', (fs) =>
      fs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const images = [...f.querySelectorAll('image')].map((im) => im.getBoundingClientRect());
        return { w: box?.width ?? 0, h: box?.height ?? 0, images: images.map((b) => b.width * b.height) };
      }),
    );
    expect(figures.length).toBe(2 + 4); // metrics, convergence, heatmaps for k = 2..5
    for (const f of figures) {
      expect(f.w).toBeGreaterThan(100);
      expect(f.h).toBeGreaterThan(100);
    }
    const heatImages = figures.slice(2).map((f) => f.images);
    for (const im of heatImages) expect(im.length === 1 && im[0]! > 10_000, 'each heatmap shows its image').toBe(true);

    // Every heatmap draws its tracks: silhouette bars (one per sample, 38) and the best-fit, consensus
    // and annotation strips, each labelled, with a non-zero drawn size.
    const tracks = await page.$$eval('figure', (fs) =>
      fs.slice(2).map((f) => {
        const names = [...f.querySelectorAll('text')].map((t) => t.textContent ?? '');
        const bars = [...f.querySelectorAll('path')].filter((p) => p.getAttribute('fill') === '#666666' || p.getAttribute('fill') === '#d62728');
        const area = bars.reduce((sum, b) => {
          const r = b.getBoundingClientRect();
          return sum + r.width * r.height;
        }, 0);
        return { names, bars: bars.length, area };
      }),
    );
    for (const t of tracks) {
      for (const name of ['silhouette', 'best fit', 'consensus', 'annotation']) expect(t.names, name).toContain(name);
      expect(t.bars).toBe(38);
      expect(t.area).toBeGreaterThan(0);
    }
    // The metrics figure draws the random-data baseline (dashed grey) on its panels.
    const nullLines = await page.$$eval('figure:first-of-type path', (ps) => ps.filter((p) => p.getAttribute('stroke') === '#888888' && (p.getBoundingClientRect().width > 0)).length);
    expect(nullLines).toBeGreaterThanOrEqual(6);

    const summary = JSON.parse(readFileSync(join(out, 'report', 'summary.json'), 'utf8'));
    const box = await page.textContent('.rec-box .big');
    expect(summary.no_structure).toBe(false);
    expect(box).toBe(`Recommended number of clusters: k = ${summary.recommended_k}`);
    const best = await page.textContent('.rec-box .best-ann');
    expect(best).toMatch(/Best match to the annotation phenotype: k = 3 \(adjusted Rand index 0\.\d{3}\)/);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'report-all-aml.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    expect(errors).toEqual([]);
  }, 120_000);

  it('k = 3 separates ALL-B, ALL-T and AML, and the page reports the ARI', async () => {
    const c = JSON.parse(readFileSync(join(out, 'consensus', 'consensus.json'), 'utf8'));
    const k3 = c.per_k.find((p: { k: number }) => p.k === 3);
    const group = (s: string) => (s.startsWith('AML') ? 'AML' : s.endsWith('T-cell') ? 'ALL-T' : 'ALL-B');
    // each of the three clusters is dominated by one phenotype, a different one each
    const majority = [1, 2, 3].map((cl) => {
      const members = c.samples.filter((_: string, i: number) => k3.membership[i] === cl).map(group);
      const counts = new Map<string, number>();
      for (const g of members) counts.set(g, (counts.get(g) ?? 0) + 1);
      const [top, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
      return { top, purity: n / members.length };
    });
    expect(new Set(majority.map((m) => m.top))).toEqual(new Set(['ALL-B', 'ALL-T', 'AML']));
    for (const m of majority) expect(m.purity).toBeGreaterThanOrEqual(0.8);

    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(out, 'report', 'report.html')).href);
    const ari = await page.$$eval('table.ari tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? '')));
    expect(ari.length).toBe(1);
    expect(ari[0]![0]).toBe('phenotype');
    expect(ari[0]![1]).toBe('38');
    expect(Number(ari[0]![3])).toBeGreaterThanOrEqual(0.75); // k = 3 (columns: name, count, k=2, k=3, ...)
  }, 120_000);
});
