/**
 * report.pdf (`--pdf`): the recommendation and its reasons on the first page, then one figure per
 * page (metrics, convergence, every heatmap) from the PNGs already rendered. pdfkit embeds PNG
 * natively, so no browser or converter is needed.
 */
import PDFDocument from 'pdfkit';
import type { Summary } from '../lib/manifest/summary.js';

/** The headline: the recommended k, or that there is none and why. */
function verdict(s: Summary): string {
  if (s.recommended_k !== null) return `Recommended number of clusters: k = ${s.recommended_k}`;
  return s.no_structure ? 'No structure: no k is distinguishable from random data, so no number of clusters is recommended' : 'No k could be scored, so none is recommended';
}

export interface PdfFigure {
  title: string;
  png: Buffer;
}

export function buildPdf(summary: Summary, subtitle: string, figures: readonly PdfFigure[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: 'Consensus NMF clustering report', Creator: 'nmf-consensus' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.fontSize(18).text('Consensus NMF clustering report');
  doc.moveDown(0.3).fontSize(10).fillColor('#555').text(subtitle).fillColor('black');
  doc.moveDown().fontSize(14).text(verdict(summary));
  if (summary.runner_up_ks.length > 0) doc.moveDown(0.2).fontSize(11).text(`Runner-up (nearly as distinct): ${summary.runner_up_ks.map((k) => `k = ${k}`).join(', ')}`);
  for (const [name, b] of Object.entries(summary.best_k_by_annotation)) {
    doc.moveDown(0.2).fontSize(11).text(`Best match to the annotation ${name}: k = ${b.k} (adjusted Rand index ${b.ari.toFixed(3)})`);
  }
  doc.moveDown(0.3).fontSize(10).text(`Rule: ${summary.rule}. Why:`);
  for (const r of summary.reasons) doc.moveDown(0.2).text(`- ${r}`, { indent: 10 });
  const width = doc.page.width - 100;
  for (const f of figures) {
    doc.addPage();
    doc.fontSize(12).text(f.title);
    doc.moveDown(0.5);
    doc.image(f.png, { fit: [width, doc.page.height - 160], align: 'center' });
  }
  doc.end();
  return done;
}
