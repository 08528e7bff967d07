/**
 * The report stage's rendering (docs/design.md sections 1, 2 and 8): from the consensus manifest and matrices,
 * write into `outdir`:
 *   summary.json                  recommended k (gap to the random-data baseline, tasks/lib/recommend.ts),
 *                                 runner-ups, no_structure, best k per annotation column, and why in words
 *   figures/metrics.svg|.png              metrics by k, recommended k marked
 *   figures/convergence.svg|.png          iterations per restart by k
 *   figures/consensus.k<k>.svg            ordered consensus heatmap with membership strips (per k with a
 *                                         matrix, or block means of it from the labels at large n)
 *   figures/consensus.k<k>.figure.png     that figure as PNG
 *   figures/consensus.k<k>.png            the heatmap's pixels alone
 *   report.html                           one self-contained page with all of the above
 * Every file is written atomically. The CLI command that loads the files lives elsewhere.
 */
import { join } from 'node:path';
import { inputError } from '../lib/errors.js';
import { writeFileAtomic } from '../lib/io/atomic.js';
import type { ConsensusManifest, ConsensusPerK } from '../lib/manifest/consensus.js';
import { writeSummary, type Summary } from '../lib/manifest/summary.js';
import { heatmapSpec, metricsSpec, MISSING_ANNOTATION, type HeatmapFigure } from './charts.js';
import { consensusRaster, type HeatmapRaster } from './heatmap.js';
import { buildHtml, type HeatmapSection } from './html.js';
import { encodePng, pngDataUrl } from './png.js';
import { bestKByAnnotation, recommend, recommendationLine } from '../lib/recommend.js';
import { svgToPngAsync } from './png-render.js';
import type { PdfFigure } from './pdf.js';
import { convergenceSpec } from './convergence.js';
import { topByCluster, type MetageneRow } from '../lib/metagenes.js';
import { silhouetteWidthsBy } from '../lib/metrics/silhouette.js';
import { adjustedRandIndex } from '../lib/metrics/ari.js';
import { consensusTree } from '../lib/metrics/hclust.js';

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Largest n whose tree is drawn above the heatmap (3 (n - 1) segments in the SVG). */
const MAX_DENDROGRAM_N = 1000;

/** Features listed per factor in the page (metagenes.k<k>.tsv has all of them). */
const TOP_FEATURES = 15;

/** The most frequent value of each consecutive block of `size` entries (ties: first seen). */
function blockMajority(values: readonly string[], size: number): string[] {
  const out: string[] = [];
  for (let a = 0; a < values.length; a += size) {
    const counts = new Map<string, number>();
    for (const v of values.slice(a, a + size)) counts.set(v, (counts.get(v) ?? 0) + 1);
    out.push([...counts.entries()].reduce((x, y) => (y[1] > x[1] ? y : x))[0]);
  }
  return out;
}

/** ARI of each k's clusters against each annotation column, over the annotated samples. */
function ariRows(input: ReportInput, perK: readonly ConsensusPerK[]): { name: string; ari: number[]; annotated: number }[] {
  const samples = input.manifest.samples;
  return (input.annotationColumns ?? []).map(({ name, values }) => {
    const idx = samples.flatMap((s, i) => (values.has(s) ? [i] : []));
    return {
      name,
      annotated: idx.length,
      ari: perK.map((p) => (idx.length >= 2 ? adjustedRandIndex(idx.map((i) => p.membership[i]!), idx.map((i) => values.get(samples[i]!)!)) : NaN)),
    };
  });
}
import { renderSvg } from './render.js';

/** What the report stage needs: the manifest, the consensus matrices (n*n, row-major) by k. */
export interface ReportInput {
  manifest: ConsensusManifest;
  matrices: Map<number, Float64Array>;
  /** Optional sample annotations: sample id -> group label (the first annotation column, drawn as a strip). */
  annotations?: Map<string, string>;
  /** Every annotation column (name, sample id -> value), each compared with the clusters by ARI. */
  annotationColumns?: { name: string; values: Map<string, string> }[];
  /** Large n: block means of C along the order, by k (from consensus.k.<k>.binned.npy). */
  binned?: Map<number, { values: Float32Array; bins: number; binSize: number }>;
  /** The metagene table of each k (metagenes.k<k>.tsv). */
  metagenes?: Map<number, MetageneRow[]>;
  /** Output files to link from the page, hrefs relative to the report folder. */
  links?: { label: string; href: string }[];
}

export { brunetRule, recommend, BRUNET_RULE } from '../lib/recommend.js';
export { encodePng, crc32 } from './png.js';

function checkPerK(p: ConsensusPerK, n: number): void {
  const where = `consensus.json per_k k=${p.k}`;
  const fix = 'rerun the consensus stage';
  if (p.membership.length !== n) {
    throw inputError(where, `membership has ${p.membership.length} entries but there are ${n} samples`, fix);
  }
  if (p.order.length !== n) throw inputError(where, `order has ${p.order.length} entries but there are ${n} samples`, fix);
  const seen = new Uint8Array(n);
  for (const j of p.order) {
    if (!Number.isInteger(j) || j < 0 || j >= n || seen[j]) {
      throw inputError(where, `order is not a permutation of 0..${n - 1} (entry ${j})`, fix);
    }
    seen[j] = 1;
  }
}

/** Partial-restart caveats, for the reasons. */
function partialReasons(input: ReportInput): string[] {
  const m = input.manifest;
  if (!m.allow_partial) return [];
  const restarts = (r: readonly number[]) => `${r.length} restart${r.length === 1 ? '' : 's'}`;
  const data = Object.entries(m.missing_restarts)
    .filter(([, r]) => r.length > 0)
    .map(([k, r]) => `k=${k} is missing ${restarts(r)} (--allow-partial), so its metrics rest on fewer restarts than requested.`);
  // A k with no baseline at all is already named by the recommendation ("left out of the choice").
  const baseline = Object.entries(m.missing_null_restarts ?? {})
    .filter(([k, r]) => r.length > 0 && m.per_k.some((p) => String(p.k) === k && p.null_metrics))
    .map(([k, r]) => `k=${k}'s random-data baseline is missing ${restarts(r)} (--allow-partial), so its null values rest on fewer restarts than requested.`);
  return [...data, ...baseline];
}

/** Render the report into `outdir` and return the summary that was written to summary.json. */
export interface WriteReportOptions {
  /** Also write report.pdf (summary page + one figure per page). */
  pdf?: boolean;
}

export async function writeReport(input: ReportInput, outdir: string, opts: WriteReportOptions = {}): Promise<Summary> {
  const pdfFigures: PdfFigure[] = [];
  const rendering: Promise<void>[] = [];
  /**
   * Render a figure's PNG once, for `file` and the PDF, on the thread pool (awaited before the page is
   * written); the PDF keeps the order in which figures were asked for.
   */
  const figurePng = (title: string, svg: string, width: number, file: string): void => {
    const figure: PdfFigure = { title, png: Buffer.alloc(0) };
    pdfFigures.push(figure);
    rendering.push(svgToPngAsync(svg, width).then((buf) => {
      figure.png = buf;
      writeFileAtomic(file, buf);
    }));
  };
  const m = input.manifest;
  const n = m.samples.length;
  if (m.per_k.length === 0) throw inputError('consensus.json', 'per_k is empty (no k to report)', 'rerun the consensus stage');
  const perK = [...m.per_k].sort((a, b) => a.k - b.k);
  for (const p of perK) checkPerK(p, n);
  const rows = perK.map((p) => p.metrics);
  const nulls = perK.flatMap((p) => (p.null_metrics ? [p.null_metrics] : []));

  const rec = recommend(rows, nulls);
  const ari = ariRows(input, perK);
  const bestByAnnotation = bestKByAnnotation(ari, perK.map((p) => p.k));
  const annotationReasons = Object.entries(bestByAnnotation).map(
    ([name, b]) => `the annotation column "${name}" is matched best at k=${b.k} (adjusted Rand index ${b.ari.toFixed(3)}).`,
  );
  const summary: Summary = {
    schema: 'nmf-consensus/summary@1',
    recommended_k: rec.recommended_k,
    runner_up_ks: rec.runner_up_ks,
    no_structure: rec.no_structure,
    rule: rec.rule,
    reasons: [...rec.reasons.slice(0, 1), ...annotationReasons.map((r) => r[0]!.toUpperCase() + r.slice(1)), ...rec.reasons.slice(1), ...partialReasons(input)],
    ks: [...m.ks],
    metrics: rows.map((r) => ({ ...r })),
    null_restarts: Math.max(0, ...perK.map((p) => p.null_restarts ?? 0)),
    null_metrics: nulls.map((r) => ({ ...r })),
    // JSON has no NaN: a k without a baseline (consensus --allow-partial) or a metric has no gap.
    scores: rec.scores.map((x) => ({ k: x.k, score: orNull(x.score), cophenetic: orNull(x.gaps.cophenetic), dispersion: orNull(x.gaps.dispersion), silhouette: orNull(x.gaps.silhouette) })),
    best_k_by_annotation: bestByAnnotation,
  };

  let annotation: string[] | undefined;
  const annotationNotes: string[] = [];
  if (input.annotations && input.annotations.size > 0) {
    const ann = input.annotations;
    annotation = m.samples.map((s) => ann.get(s) ?? MISSING_ANNOTATION);
    const unmatched = m.samples.filter((s) => !ann.has(s)).length;
    const known = new Set(m.samples);
    const extra = [...ann.keys()].filter((id) => !known.has(id)).length;
    if (unmatched === n) {
      annotationNotes.push('No annotation id matched a sample id, so the annotation strip is left out.');
      annotation = undefined;
    } else {
      if (unmatched > 0) annotationNotes.push(`${unmatched} of ${n} samples have no annotation; they are shown as "${MISSING_ANNOTATION}".`);
      if (extra > 0) annotationNotes.push(`${extra} annotated id${extra === 1 ? '' : 's'} matched no sample and ${extra === 1 ? 'was' : 'were'} ignored.`);
    }
  }

  const figdir = join(outdir, 'figures');
  const metricsSvg = await renderSvg(metricsSpec(rows, rec.recommended_k, nulls));
  writeFileAtomic(join(figdir, 'metrics.svg'), metricsSvg);
  figurePng('Consensus metrics by k', metricsSvg, 1200, join(figdir, 'metrics.png'));
  const convergenceSvg = await renderSvg(convergenceSpec(perK));
  writeFileAtomic(join(figdir, 'convergence.svg'), convergenceSvg);
  figurePng('Convergence: iterations per restart', convergenceSvg, 800, join(figdir, 'convergence.png'));

  /** Write one heatmap's matrix PNG, figure SVG and figure PNG; return its page section. */
  const writeHeatmap = async (
    p: ConsensusPerK,
    raster: HeatmapRaster,
    fig: Omit<HeatmapFigure, 'k' | 'rho' | 'imageUrl'>,
    note: string | undefined,
  ): Promise<HeatmapSection> => {
    const png = encodePng(raster.width, raster.height, raster.pixels, 3);
    const names = [`consensus.k${p.k}.svg`, `consensus.k${p.k}.figure.png`, `consensus.k${p.k}.png`];
    writeFileAtomic(join(figdir, names[2]!), png);
    const svg = await renderSvg(heatmapSpec({ k: p.k, rho: p.metrics.cophenetic, imageUrl: pngDataUrl(png), ...fig }));
    writeFileAtomic(join(figdir, names[0]!), svg);
    figurePng(`Consensus matrix, k = ${p.k}`, svg, 900, join(figdir, names[1]!));
    return { k: p.k, svg, files: names.map((f) => `figures/${f}`), silhouette: !!fig.silhouette, ...(note ? { note } : {}) };
  };

  const heatmaps: HeatmapSection[] = [];
  for (const p of perK) {
    const matrix = input.matrices.get(p.k);
    const blocks = input.binned?.get(p.k);
    if (!matrix && blocks) {
      // Large n: one row/column per block of consecutive samples in the order, strips by majority.
      const ordered = <T>(a: readonly T[]) => p.order.map((j) => String(a[j]));
      const bins = Array.from({ length: blocks.bins }, (_, b) => b);
      const raster = consensusRaster(Float64Array.from(blocks.values), blocks.bins, bins);
      const note =
        `n = ${n} is above the consensus stage's limit, so C was not built: each row and column of this image is a block of ` +
        `${blocks.binSize} consecutive samples in the order (clusters, then decreasing consensus to their cluster), and each pixel the ` +
        `mean consensus of two blocks, computed exactly from the restart labels; strips show each block's most frequent cluster and annotation.`;
      const fig = {
        samples: bins.map((b) => `block ${b + 1}`),
        order: bins,
        membership: blockMajority(ordered(p.membership), blocks.binSize).map(Number),
        ...(p.best_fit_membership ? { bestFit: blockMajority(ordered(p.best_fit_membership), blocks.binSize).map(Number) } : {}),
        ...(annotation ? { annotation: blockMajority(ordered(annotation), blocks.binSize) } : {}),
      };
      heatmaps.push(await writeHeatmap(p, raster, fig, note));
      continue;
    }
    if (!matrix) {
      heatmaps.push({ k: p.k, svg: null, files: [] });
      continue;
    }
    if (matrix.length !== n * n) {
      throw inputError(
        p.consensus_file ?? `consensus matrix k=${p.k}`,
        `has ${matrix.length} values but ${n} samples need ${n * n}`,
        'rerun the consensus stage',
      );
    }
    const raster = consensusRaster(matrix, n, p.order);
    // The tree is recomputed from C (deterministic: the same as the consensus stage's) to draw it.
    const tree = n <= MAX_DENDROGRAM_N ? consensusTree(matrix, n) : undefined;
    // Per-sample silhouette on 1 - C with the consensus clusters (its mean is the metric).
    const silhouette = Array.from(silhouetteWidthsBy(n, p.membership, (i, j) => 1 - matrix[j * n + i]!));
    const fig = {
      samples: m.samples,
      order: p.order,
      membership: p.membership,
      silhouette,
      ...(p.best_fit_membership ? { bestFit: p.best_fit_membership } : {}),
      ...(annotation ? { annotation } : {}),
      ...(tree ? { tree } : {}),
    };
    const note = raster.block > 1 ? `Each pixel of the image is the mean of a ${raster.block} x ${raster.block} block of the matrix.` : undefined;
    heatmaps.push(await writeHeatmap(p, raster, fig, note));
  }

  writeSummary(outdir, summary);
  const metagenes = new Map<number, MetageneRow[][]>();
  for (const p of perK) {
    const t = input.metagenes?.get(p.k);
    if (t) metagenes.set(p.k, topByCluster(t, p.k, TOP_FEATURES));
  }
  const html = buildHtml({
    manifest: m,
    summary,
    metricsSvg,
    convergenceSvg,
    heatmaps,
    ari,
    metagenes,
    links: input.links ?? [],
    ...(annotation ? { annotation } : {}),
    annotationNotes,
  });
  // Every figure is on disk before the page that links them (and nothing still writes if one failed).
  const failed = (await Promise.allSettled(rendering)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  writeFileAtomic(join(outdir, 'report.html'), html);
  if (opts.pdf) {
    const subtitle = `${n} samples, k = ${m.ks.join(', ')}, ${m.algorithm} NMF, seed ${m.seed}, backend ${m.backend}, nmf-consensus ${m.tool_version}`;
    // Loaded only for --pdf: pdfkit is a tenth of a second of start-up that most runs do not need.
    const { buildPdf } = await import('./pdf.js');
    writeFileAtomic(join(outdir, 'report.pdf'), await buildPdf(summary, subtitle, pdfFigures));
  }
  return summary;
}
