/** Vega-Lite specs of the report's figures: metrics by k (with the random-data baseline), and the ordered consensus heatmap with its tracks. */
import type { TopLevelSpec } from 'vega-lite';
import type { MetricsRow } from '../lib/types.js';
import { CONSENSUS_RAMP } from './heatmap.js';
import { dendrogramSegments } from './dendrogram.js';
import { ANNOTATION_COLORS, CLUSTER_COLORS, MISSING_ANNOTATION, MISSING_COLOR, cycle } from './palette.js';
import type { Tree } from '../lib/metrics/hclust.js';

export const X_TITLE = 'k (number of clusters)';

/**
 * The metrics panels: column, y-axis title, which direction is better, and the fixed y range of a
 * bounded metric (so a 0.005 change does not fill the panel); RSS is unbounded and starts at 0.
 */
export const METRIC_PANELS: readonly {
  key: keyof MetricsRow;
  /** Panel title. */
  title: string;
  /** y-axis title (short: a rotated title longer than the panel pushes the panel title up). */
  axis: string;
  better: 'higher' | 'lower';
  domain?: [number, number];
}[] = [
  { key: 'cophenetic', title: 'cophenetic correlation', axis: 'cophenetic ρ', better: 'higher', domain: [0, 1] },
  { key: 'dispersion', title: 'dispersion', axis: 'dispersion', better: 'higher', domain: [0, 1] },
  { key: 'silhouette', title: 'silhouette', axis: 'silhouette', better: 'higher', domain: [-1, 1] },
  { key: 'pac', title: 'PAC', axis: 'PAC', better: 'lower', domain: [0, 1] },
  { key: 'stability_mean', title: 'factor stability (mean)', axis: 'stability', better: 'higher', domain: [-1, 1] },
  { key: 'rel_error_best', title: 'relative error (best)', axis: 'relative error', better: 'lower', domain: [0, 1] },
  { key: 'evar_best', title: 'explained variance (best)', axis: 'explained var.', better: 'higher', domain: [0, 1] },
  { key: 'rss_best', title: 'RSS (best)', axis: 'RSS', better: 'lower' },
];

const FONT = 'Helvetica, Arial, sans-serif';
const REC_COLOR = '#d62728';
const DATA_COLOR = '#1f4e79';
const NULL_COLOR = '#888888';

/**
 * Small multiples, one per metric (panels whose values are all missing are left out): the data as a
 * solid line, the random-data baseline (when given) as a dashed grey line, and a dashed red rule at
 * the recommended k (none when no k is recommended).
 */
export function metricsSpec(rows: readonly MetricsRow[], recommendedK: number | null, nulls: readonly MetricsRow[] = []): TopLevelSpec {
  const sorted = [...rows].sort((a, b) => a.k - b.k);
  const ks = sorted.map((r) => r.k);
  const lo = Math.min(...ks);
  const hi = Math.max(...ks);
  const pad = Math.max(0.3, (hi - lo) * 0.05);
  const panels = METRIC_PANELS.filter((p) => sorted.some((r) => Number.isFinite(r[p.key])));
  const line = (values: { k: number; value: number }[], color: string, dashed: boolean, p: (typeof METRIC_PANELS)[number]) => ({
    data: { values },
    mark: { type: 'line' as const, point: { filled: true, size: dashed ? 25 : 45, color }, color, ...(dashed ? { strokeDash: [4, 3] } : {}) },
    encoding: {
      x: {
        field: 'k',
        type: 'quantitative' as const,
        title: X_TITLE,
        scale: { domain: [lo - pad, hi + pad], nice: false, zero: false },
        axis: { values: ks, format: 'd', grid: false },
      },
      y: {
        field: 'value',
        type: 'quantitative' as const,
        title: p.axis,
        scale: p.domain ? { domain: p.domain, nice: false, zero: false, clamp: true } : { zero: true, nice: true },
        axis: { tickCount: 5, format: p.domain ? '.2~f' : '.3~s' },
      },
    },
  });
  const charts = panels.map((p) => {
    const values = (rs: readonly MetricsRow[]) => rs.filter((r) => Number.isFinite(r[p.key])).map((r) => ({ k: r.k, value: r[p.key] }));
    const nullValues = values([...nulls].sort((a, b) => a.k - b.k));
    return {
      // Two lines: vega estimates text width without a canvas (0.8 em per character), and a title
      // wider than the panel would widen every cell of the grid.
      title: {
        text: p.title,
        subtitle: `${p.better} is better`,
        fontSize: 12,
        subtitleFontSize: 10,
        subtitleColor: '#666',
        font: FONT,
        subtitleFont: FONT,
        frame: 'group' as const,
        offset: 6,
      },
      width: 230,
      height: 150,
      layer: [
        ...(recommendedK !== null
          ? [{ data: { values: [{ k: recommendedK }] }, mark: { type: 'rule' as const, color: REC_COLOR, strokeDash: [5, 3], strokeWidth: 1.5 }, encoding: { x: { field: 'k', type: 'quantitative' as const } } }]
          : []),
        ...(nullValues.length > 0 ? [line(nullValues, NULL_COLOR, true, p)] : []),
        line(values(sorted), DATA_COLOR, false, p),
      ],
    };
  });
  const subtitle = [
    recommendedK !== null ? `dashed red line: recommended k = ${recommendedK}` : 'no k recommended',
    ...(nulls.length > 0 ? ['dashed grey: random data (each sample\u2019s values shuffled)'] : []),
  ].join('; ');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Consensus metrics by k', subtitle, font: FONT, subtitleFont: FONT, anchor: 'start' },
    background: 'white',
    padding: 10,
    columns: 3,
    concat: charts,
    spacing: { row: 25, column: 35 },
    config: { font: FONT, axis: { labelFont: FONT, titleFont: FONT }, view: { stroke: '#ccc' } },
  } as TopLevelSpec;
}

export { MISSING_ANNOTATION } from './palette.js';

export interface HeatmapFigure {
  k: number;
  rho: number;
  /** PNG data URL of the ordered matrix (square). */
  imageUrl: string;
  /** Sample ids in input order. */
  samples: readonly string[];
  /** Leaf order: 0-based indices into `samples`. */
  order: readonly number[];
  /** Cluster 1..k per sample (input order). */
  membership: readonly number[];
  /** The best restart's own membership (argmax of H), in matched cluster numbers, per sample. */
  bestFit?: readonly number[];
  /** Silhouette width of each sample on 1 - C (input order), drawn as bars above the strips. */
  silhouette?: readonly number[];
  /** Group label per sample (input order), when annotations were given. */
  annotation?: readonly string[];
  /** The average-linkage tree, drawn above the heatmap when given. */
  tree?: Tree;
}

/** Height of the dendrogram above the heatmap, in pixels. */
const DENDROGRAM_HEIGHT = 70;
/** Height of the silhouette track; its zero line sits at 3/4 of it (widths are mostly positive). */
const SILHOUETTE_HEIGHT = 24;
/** Most bars in the silhouette track: above it, consecutive samples are averaged. */
const MAX_SILHOUETTE_BARS = 500;

interface Rect {
  x: number;
  x2: number;
  y: number;
  y2: number;
  group: string;
}

/**
 * Consecutive runs of equal labels along the order, as strip rects on the top (in `top`, a y band)
 * and on the left (in `left`, an x band).
 */
function stripRuns(labels: readonly string[], ox: number, oy: number, size: number, top: [number, number], left: [number, number] | null): Rect[] {
  const n = labels.length;
  const cell = size / n;
  const out: Rect[] = [];
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || labels[i] !== labels[start]) {
      out.push({ x: ox + start * cell, x2: ox + i * cell, y: top[0], y2: top[1], group: labels[start]! });
      if (left) out.push({ x: left[0], x2: left[1], y: oy + start * cell, y2: oy + i * cell, group: labels[start]! });
      start = i;
    }
  }
  return out;
}

const px = (field: string) => ({ field, type: 'quantitative' as const, scale: null, axis: null });

/** A strip of coloured runs (cluster or annotation) beside the heatmap, with its legend (or none). */
function stripLayer(runs: unknown[], domain: string[], range: string[], legend: Record<string, unknown> | null) {
  return {
    data: { values: runs },
    mark: { type: 'rect' as const, aria: false },
    encoding: {
      x: px('x'),
      x2: { field: 'x2' },
      y: px('y'),
      y2: { field: 'y2' },
      color: { field: 'group', type: 'nominal' as const, scale: { domain, range }, legend },
    },
  };
}

/** Silhouette bars along the order (block means above MAX_SILHOUETTE_BARS), zero line included. */
function silhouetteLayers(widths: readonly number[], order: readonly number[], ox: number, size: number): unknown[] {
  const n = order.length;
  const block = Math.ceil(n / MAX_SILHOUETTE_BARS);
  const zero = SILHOUETTE_HEIGHT * 0.75;
  const bars: { x: number; x2: number; y: number; y2: number; group: string }[] = [];
  for (let a = 0; a < n; a += block) {
    const idx = order.slice(a, a + block);
    const v = idx.reduce((s, j) => s + (Number.isFinite(widths[j]!) ? widths[j]! : 0), 0) / idx.length;
    const h = v >= 0 ? v * zero : v * (SILHOUETTE_HEIGHT - zero);
    bars.push({ x: ox + (a * size) / n, x2: ox + ((a + idx.length) * size) / n, y: zero - h, y2: zero, group: v < 0 ? 'neg' : 'pos' });
  }
  return [
    stripLayer(bars, ['pos', 'neg'], ['#666666', '#d62728'], null),
    {
      data: { values: [{ x: ox, x2: ox + size, y: zero }] },
      mark: { type: 'rule', color: '#999', strokeWidth: 0.5, aria: false },
      encoding: { x: px('x'), x2: { field: 'x2' }, y: px('y') },
    },
  ];
}

/**
 * The ordered consensus matrix as one image mark (a PNG data URL, pixels replicated, no smoothing
 * needed) with, along the top, the silhouette width of each sample (bars; red below 0) and strips of
 * the annotation, the best fit's own membership (argmax of H, factors matched to clusters) and the
 * consensus clusters (as R NMF's consensusmap); the strips are repeated on the left. A gradient
 * legend for the consensus values, and sample ids on the right when they fit.
 */
export function heatmapSpec(fig: HeatmapFigure, size = 400): TopLevelSpec {
  const n = fig.order.length;
  const strip = 10;
  const gap = 2;
  const strips = [...(fig.annotation ? ['annotation'] : []), ...(fig.bestFit ? ['best fit'] : []), 'consensus'];
  const ox = strips.length * (strip + gap);
  const silTop = fig.silhouette ? SILHOUETTE_HEIGHT + gap : 0;
  const oy = silTop + ox;
  const band = (i: number): [number, number] => [i * (strip + gap), i * (strip + gap) + strip];
  const topBand = (i: number): [number, number] => [silTop + band(i)[0], silTop + band(i)[1]];
  const cell = size / n;
  const showLabels = cell >= 7;
  const fontSize = Math.min(10, Math.floor(cell * 0.9));
  const maxLabel = showLabels ? Math.max(...fig.samples.map((s) => s.length)) : 0;
  // Track names sit right of the strips: room for "annotation" at 9 px.
  const labelWidth = Math.max(62, showLabels ? Math.min(160, 6 + maxLabel * fontSize * 0.6) : 0);

  const clusterNames = Array.from({ length: fig.k }, (_, i) => `cluster ${i + 1}`);
  const ordered = (a: readonly (string | number)[]) => fig.order.map((j) => a[j]);
  const clusterRange = cycle(CLUSTER_COLORS, fig.k);
  const at = (name: string) => strips.indexOf(name);

  const layers: unknown[] = [
    // A hidden rect (under the image) that carries the consensus gradient legend.
    {
      data: { values: [{ v: 0, x: ox, x2: ox + 1 }, { v: 1, x: ox, x2: ox + 1 }] },
      mark: { type: 'rect', aria: false },
      encoding: {
        x: px('x'),
        x2: { field: 'x2' },
        y: { value: oy },
        y2: { value: oy + 1 },
        color: {
          field: 'v',
          type: 'quantitative',
          scale: {
            domain: CONSENSUS_RAMP.map((_, i) => i / (CONSENSUS_RAMP.length - 1)),
            range: [...CONSENSUS_RAMP],
            interpolate: 'rgb',
          },
          legend: { title: 'consensus', values: [0, 0.25, 0.5, 0.75, 1], format: '.2f', gradientLength: 120, orient: 'right' },
        },
      },
    },
    {
      data: { values: [{ url: fig.imageUrl }] },
      mark: { type: 'image', aspect: false, width: size, height: size, align: 'left', baseline: 'top', aria: false },
      encoding: { url: { field: 'url', type: 'nominal' }, x: { value: ox }, y: { value: oy } },
    },
    stripLayer(
      stripRuns(ordered(fig.membership).map((c) => `cluster ${c}`), ox, oy, size, topBand(at('consensus')), band(at('consensus'))),
      clusterNames,
      clusterRange,
      { title: `cluster (k = ${fig.k})`, orient: 'right' },
    ),
  ];
  if (fig.bestFit) {
    // Same colours as the consensus strip (factors are matched to clusters); one legend serves both.
    const runs = stripRuns(ordered(fig.bestFit).map((c) => `cluster ${c}`), ox, oy, size, topBand(at('best fit')), band(at('best fit')));
    layers.push(stripLayer(runs, clusterNames, clusterRange, null));
  }
  if (fig.annotation) {
    const ann = ordered(fig.annotation).map((s) => String(s));
    const groups = [...new Set(fig.annotation)].sort((a, b) =>
      a === MISSING_ANNOTATION ? 1 : b === MISSING_ANNOTATION ? -1 : a.localeCompare(b),
    );
    const range = groups.map((g, i) => (g === MISSING_ANNOTATION ? MISSING_COLOR : ANNOTATION_COLORS[i % ANNOTATION_COLORS.length]!));
    layers.push(
      stripLayer(stripRuns(ann, ox, oy, size, topBand(at('annotation')), band(at('annotation'))), groups, range, {
        title: 'annotation',
        orient: 'right',
        labelLimit: 160,
      }),
    );
  }
  if (fig.silhouette) layers.push(...silhouetteLayers(fig.silhouette, fig.order, ox, size));
  // Track names, right of the top strips.
  const trackNames = [
    ...(fig.silhouette ? [{ label: 'silhouette', y: SILHOUETTE_HEIGHT / 2 }] : []),
    ...strips.map((name, i) => ({ label: name, y: (topBand(i)[0] + topBand(i)[1]) / 2 })),
  ];
  layers.push({
    data: { values: trackNames },
    mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 9, color: '#555', x: ox + size + 4 },
    encoding: { y: px('y'), text: { field: 'label', type: 'nominal' } },
  });
  if (showLabels) {
    layers.push({
      data: { values: fig.order.map((j, i) => ({ label: fig.samples[j], y: oy + (i + 0.5) * cell })) },
      mark: { type: 'text', align: 'left', baseline: 'middle', fontSize, limit: 160, x: ox + size + 4 },
      encoding: { y: px('y'), text: { field: 'label', type: 'nominal' } },
    });
  }
  const heat = {
    width: ox + size + labelWidth,
    height: oy + size,
    layer: layers,
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  };
  const top = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `k = ${fig.k}, ρ = ${Number.isFinite(fig.rho) ? fig.rho.toFixed(3) : 'n/a'}`, font: FONT, anchor: 'start' },
    background: 'white',
    padding: 8,
    config: { view: { stroke: null }, font: FONT, legend: { labelFont: FONT, titleFont: FONT } },
  };
  if (!fig.tree) return { ...top, ...heat } as TopLevelSpec;
  const dendrogram = {
    width: ox + size + labelWidth,
    height: DENDROGRAM_HEIGHT,
    data: { values: dendrogramSegments(fig.tree, ox, cell, DENDROGRAM_HEIGHT) },
    mark: { type: 'rule', color: '#555', strokeWidth: 0.8, aria: false },
    encoding: { x: px('x'), x2: { field: 'x2' }, y: px('y'), y2: { field: 'y2' } },
  };
  return { ...top, vconcat: [dendrogram, heat], spacing: 2 } as TopLevelSpec;
}
