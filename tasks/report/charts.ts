/** Vega-Lite specs of the report's figures: metrics by k, and the ordered consensus heatmap. */
import type { TopLevelSpec } from 'vega-lite';
import type { MetricsRow } from '../lib/types.js';
import { CONSENSUS_RAMP } from './heatmap.js';
import { dendrogramSegments } from './dendrogram.js';
import type { Tree } from '../lib/metrics/hclust.js';

export const X_TITLE = 'k (number of clusters)';

/** The metrics panels: column, y-axis title, and which direction is better. */
export const METRIC_PANELS: readonly {
  key: keyof MetricsRow;
  /** Panel title. */
  title: string;
  /** y-axis title (short: a rotated title longer than the panel pushes the panel title up). */
  axis: string;
  better: 'higher' | 'lower';
}[] = [
  { key: 'cophenetic', title: 'cophenetic correlation', axis: 'cophenetic ρ', better: 'higher' },
  { key: 'dispersion', title: 'dispersion', axis: 'dispersion', better: 'higher' },
  { key: 'silhouette', title: 'silhouette', axis: 'silhouette', better: 'higher' },
  { key: 'pac', title: 'PAC', axis: 'PAC', better: 'lower' },
  { key: 'stability_mean', title: 'factor stability (mean)', axis: 'stability', better: 'higher' },
  { key: 'rel_error_best', title: 'relative error (best)', axis: 'relative error', better: 'lower' },
];

const FONT = 'Helvetica, Arial, sans-serif';
const REC_COLOR = '#d62728';

/**
 * Small multiples, one per metric (panels whose values are all missing are left out): line + points
 * over k, and a dashed rule at the recommended k.
 */
export function metricsSpec(rows: readonly MetricsRow[], recommendedK: number): TopLevelSpec {
  const sorted = [...rows].sort((a, b) => a.k - b.k);
  const ks = sorted.map((r) => r.k);
  const lo = Math.min(...ks);
  const hi = Math.max(...ks);
  const pad = Math.max(0.3, (hi - lo) * 0.05);
  const panels = METRIC_PANELS.filter((p) => sorted.some((r) => Number.isFinite(r[p.key])));
  const charts = panels.map((p) => ({
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
    data: { values: sorted.filter((r) => Number.isFinite(r[p.key])).map((r) => ({ k: r.k, value: r[p.key] })) },
    layer: [
      {
        mark: { type: 'rule' as const, color: REC_COLOR, strokeDash: [5, 3], strokeWidth: 1.5 },
        encoding: { x: { datum: recommendedK, type: 'quantitative' as const } },
      },
      {
        mark: { type: 'line' as const, point: { filled: true, size: 45 }, color: '#1f4e79' },
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
            scale: { zero: false, nice: true },
            axis: { tickCount: 5, format: '.4~g' },
          },
        },
      },
    ],
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Consensus metrics by k',
      subtitle: `dashed red line: recommended k = ${recommendedK}`,
      font: FONT,
      subtitleFont: FONT,
      anchor: 'start',
    },
    background: 'white',
    padding: 10,
    columns: 3,
    concat: charts,
    spacing: { row: 25, column: 35 },
    config: { font: FONT, axis: { labelFont: FONT, titleFont: FONT }, view: { stroke: '#ccc' } },
  } as TopLevelSpec;
}

/** Tableau 10, cycled when k > 10. */
export const CLUSTER_COLORS: readonly string[] = [
  '#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac',
];
/** ColorBrewer Set2 + Set3 (pastel, distinct from the cluster colours), cycled; missing = light grey. */
export const ANNOTATION_COLORS: readonly string[] = [
  '#66c2a5', '#fc8d62', '#8da0cb', '#e78ac3', '#a6d854', '#ffd92f', '#e5c494', '#8dd3c7', '#bebada', '#fb8072',
  '#80b1d3', '#fdb462', '#b3de69', '#fccde5', '#bc80bd', '#ccebc5',
];
export const MISSING_ANNOTATION = '(none)';

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
  /** Group label per sample (input order), when annotations were given. */
  annotation?: readonly string[];
  /** The average-linkage tree, drawn above the heatmap when given. */
  tree?: Tree;
}

/** Height of the dendrogram above the heatmap, in pixels. */
const DENDROGRAM_HEIGHT = 70;

interface Run {
  x: number;
  x2: number;
  y: number;
  y2: number;
  group: string;
}

/** Consecutive runs of equal labels along the order, as strip rects on the top and on the left. */
function stripRuns(labels: readonly string[], origin: number, size: number, band: [number, number]): Run[] {
  const n = labels.length;
  const cell = size / n;
  const out: Run[] = [];
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || labels[i] !== labels[start]) {
      const a = origin + start * cell;
      const b = origin + i * cell;
      out.push({ x: a, x2: b, y: band[0], y2: band[1], group: labels[start]! });
      out.push({ x: band[0], x2: band[1], y: a, y2: b, group: labels[start]! });
      start = i;
    }
  }
  return out;
}

function cycle(colors: readonly string[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => colors[i % colors.length]!);
}

const px = (field: string) => ({ field, type: 'quantitative' as const, scale: null, axis: null });

/** A strip of coloured runs (cluster or annotation) beside the heatmap, with its legend. */
function stripLayer(runs: unknown[], domain: string[], range: string[], legend: Record<string, unknown>) {
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

/**
 * The ordered consensus matrix as one image mark (a PNG data URL, pixels replicated, no smoothing
 * needed), with cluster strips along the top and left (and annotation strips outside them), a
 * gradient legend for the consensus values, and sample ids on the right when they fit.
 */
export function heatmapSpec(fig: HeatmapFigure, size = 400): TopLevelSpec {
  const n = fig.order.length;
  const strip = 10;
  const gap = 2;
  const nStrips = fig.annotation ? 2 : 1;
  const origin = nStrips * (strip + gap);
  const cell = size / n;
  const showLabels = cell >= 7;
  const fontSize = Math.min(10, Math.floor(cell * 0.9));
  const maxLabel = showLabels ? Math.max(...fig.samples.map((s) => s.length)) : 0;
  const labelWidth = showLabels ? Math.min(160, 6 + maxLabel * fontSize * 0.6) : 0;

  const clusterNames = Array.from({ length: fig.k }, (_, i) => `cluster ${i + 1}`);
  const ordered = (a: readonly (string | number)[]) => fig.order.map((j) => a[j]);
  const memb = ordered(fig.membership).map((c) => `cluster ${c}`);
  const membRuns = stripRuns(memb, origin, size, [origin - gap - strip, origin - gap]);

  const layers: unknown[] = [
    // A hidden rect (under the image) that carries the consensus gradient legend.
    {
      data: { values: [{ v: 0, x: origin, x2: origin + 1 }, { v: 1, x: origin, x2: origin + 1 }] },
      mark: { type: 'rect', aria: false },
      encoding: {
        x: px('x'),
        x2: { field: 'x2' },
        y: { value: origin },
        y2: { value: origin + 1 },
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
      encoding: { url: { field: 'url', type: 'nominal' }, x: { value: origin }, y: { value: origin } },
    },
    stripLayer(membRuns, clusterNames, cycle(CLUSTER_COLORS, fig.k), { title: `cluster (k = ${fig.k})`, orient: 'right' }),
  ];
  if (fig.annotation) {
    const ann = ordered(fig.annotation).map((s) => String(s));
    const groups = [...new Set(fig.annotation)].sort((a, b) =>
      a === MISSING_ANNOTATION ? 1 : b === MISSING_ANNOTATION ? -1 : a.localeCompare(b),
    );
    const range = groups.map((g, i) => (g === MISSING_ANNOTATION ? '#dddddd' : ANNOTATION_COLORS[i % ANNOTATION_COLORS.length]!));
    layers.push(stripLayer(stripRuns(ann, origin, size, [0, strip]), groups, range, { title: 'annotation', orient: 'right', labelLimit: 160 }));
  }
  if (showLabels) {
    layers.push({
      data: { values: fig.order.map((j, i) => ({ label: fig.samples[j], y: origin + (i + 0.5) * cell })) },
      mark: { type: 'text', align: 'left', baseline: 'middle', fontSize, limit: 160, x: origin + size + 4 },
      encoding: { y: px('y'), text: { field: 'label', type: 'nominal' } },
    });
  }
  const heat = {
    width: origin + size + labelWidth,
    height: origin + size,
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
    width: origin + size + labelWidth,
    height: DENDROGRAM_HEIGHT,
    data: { values: dendrogramSegments(fig.tree, origin, cell, DENDROGRAM_HEIGHT) },
    mark: { type: 'rule', color: '#555', strokeWidth: 0.8, aria: false },
    encoding: { x: px('x'), x2: { field: 'x2' }, y: px('y'), y2: { field: 'y2' } },
  };
  return { ...top, vconcat: [dendrogram, heat], spacing: 2 } as TopLevelSpec;
}
