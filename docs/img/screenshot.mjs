// Makes docs/img/report.png, the README's picture of the report: the k = 3 consensus heatmap of
// out/example/report/report.html (from `npm run example`), as Debian's Chromium draws it through
// playwright-core. Run from the repository root: node docs/img/screenshot.mjs
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const report = resolve('out/example/report/report.html');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const tab = await browser.newPage({ viewport: { width: 1000, height: 1000 }, deviceScaleFactor: 1 });
  await tab.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  // The heatmap figures follow the "Consensus matrices" heading in k order; the second is k = 3.
  const figures = await tab.$$('figure');
  const heatmaps = [];
  for (const f of figures) if (await f.$('image')) heatmaps.push(f);
  if (heatmaps.length < 2) throw new Error(`${report}: expected a heatmap for k = 3, found ${heatmaps.length} heatmaps`);
  await heatmaps[1].screenshot({ path: resolve('docs/img/report.png') });
} finally {
  await browser.close();
}
