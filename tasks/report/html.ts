/**
 * report.html: one self-contained page (inline CSS and SVG, images as data URLs, no scripts, no
 * external resources). Every string that comes from the input is escaped.
 */
import { METRIC_COLUMNS, type MetricsRow } from '../lib/types.js';
import type { ConsensusManifest, ConsensusPerK } from '../lib/manifest/consensus.js';
import type { Summary } from '../lib/manifest/summary.js';
import { escapeHtml as esc, fmt } from './format.js';
import { metagenesTable } from './metagenes.js';
import type { MetageneRow } from '../lib/metagenes.js';
import { RUNNER_UP, STRUCTURE_MIN, TIE } from '../lib/recommend.js';
import { version_core as tfVersion } from '@tensorflow/tfjs-core';

export interface HeatmapSection {
  k: number;
  /** The rendered figure, or null when the consensus matrix was not materialized. */
  svg: string | null;
  /** File names under figures/ (for the caption). */
  files: string[];
  /** Upscaling / block-averaging note for the caption. */
  note?: string;
  /** Whether the figure has the per-sample silhouette track. */
  silhouette?: boolean;
}

export interface PageInput {
  manifest: ConsensusManifest;
  summary: Summary;
  metricsSvg: string;
  convergenceSvg: string;
  heatmaps: HeatmapSection[];
  /** Adjusted Rand index of each k's clusters (ks ascending) against each annotation column. */
  ari?: { name: string; ari: number[]; annotated: number }[];
  /** Top features of each consensus cluster (its matched factor of the best restart), per k. */
  metagenes?: Map<number, MetageneRow[][]>;
  /** Output files, hrefs relative to the report folder. */
  links?: { label: string; href: string }[];
  /** Group label per sample (input order), when annotations were given. */
  annotation?: string[];
  /** Notes about the annotations (e.g. ids that matched no sample). */
  annotationNotes?: string[];
  /** Above this many samples the per-sample membership table is left out. Default 2000. */
  maxTableSamples?: number;
}

/**
 * Give every id in an SVG (clip paths, gradients) a prefix, and rewrite the references to them, so
 * several SVGs inlined in one page cannot pick up each other's definitions.
 */
export function prefixSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}${id}"`);
}

const INT_COLUMNS = new Set<keyof MetricsRow>(['k', 'restarts']);
const HIGHER_BETTER = new Set<keyof MetricsRow>(['cophenetic', 'dispersion', 'silhouette', 'stability_min', 'stability_mean']);
const LOWER_BETTER = new Set<keyof MetricsRow>(['pac']);

function cell(col: keyof MetricsRow, v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (INT_COLUMNS.has(col)) return String(v);
  if (col === 'iterations_median') return Number.isInteger(v) ? String(v) : v.toFixed(1);
  if (col === 'error_best' || col === 'error_median') {
    const a = Math.abs(v);
    return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(3) : v.toPrecision(6).replace(/\.?0+$/, '');
  }
  return fmt(v, 3);
}

/** Baseline columns shown beside the metrics (the rule's inputs). */
const NULL_COLUMNS: readonly (keyof MetricsRow)[] = ['cophenetic', 'dispersion', 'silhouette', 'pac'];

function metricsTable(rows: readonly MetricsRow[], recK: number | null, nulls: readonly MetricsRow[], scores: Summary['scores']): string {
  const best = new Map<keyof MetricsRow, number>();
  for (const col of METRIC_COLUMNS) {
    const vals = rows.map((r) => r[col]).filter((v) => Number.isFinite(v));
    if (vals.length < 2 || vals.every((v) => v === vals[0])) continue; // nothing to single out
    if (HIGHER_BETTER.has(col)) best.set(col, Math.max(...vals));
    if (LOWER_BETTER.has(col)) best.set(col, Math.min(...vals));
  }
  const extra = nulls.length > 0 ? ['score', ...NULL_COLUMNS.map((c) => `null_${c}`)] : [];
  const head = [...METRIC_COLUMNS, ...extra].map((c) => `<th>${esc(c)}</th>`).join('');
  const body = rows
    .map((r) => {
      const tds = METRIC_COLUMNS.map((c) => {
        const isBest = best.has(c) && r[c] === best.get(c);
        return `<td${isBest ? ' class="best"' : ''}>${cell(c, r[c])}</td>`;
      }).join('');
      const nul = nulls.find((x) => x.k === r.k);
      const sc = scores.find((x) => x.k === r.k)?.score ?? NaN;
      const more = extra.length > 0 ? `<td>${fmt(sc, 3)}</td>${NULL_COLUMNS.map((c) => `<td class="null">${nul ? cell(c, nul[c]) : 'n/a'}</td>`).join('')}` : '';
      return `<tr${r.k === recK ? ' class="rec"' : ''}>${tds}${more}</tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table class="num"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function paramsTable(m: ConsensusManifest): string {
  const restarts = [...new Set(m.per_k.map((p) => p.restarts))];
  const missing = Object.entries(m.missing_restarts).filter(([, r]) => r.length > 0);
  const rows: [string, string][] = [
    ['samples', String(m.samples.length)],
    ['k tested', m.ks.join(', ')],
    ['algorithm', `${m.algorithm} (objective: ${m.objective})`],
    ['restarts per k', restarts.length === 1 ? String(restarts[0]) : m.per_k.map((p) => `k=${p.k}: ${p.restarts}`).join(', ')],
    ['seed', String(m.seed)],
    ['backend', m.backend],
    ['stop rule', m.stop_rule],
    ['partial restarts allowed', m.allow_partial ? 'yes' : 'no'],
    ...(missing.length > 0
      ? [['missing restarts', missing.map(([k, r]) => `k=${k}: ${r.length} (${r.join(', ')})`).join('; ')] as [string, string]]
      : []),
    ['input sha256', m.input_sha256],
    ['tool version', m.tool_version],
    ['software (this report)', `Node.js ${process.version}, @tensorflow/tfjs-core ${tfVersion}, ${process.platform}-${process.arch}`],
  ];
  return `<table class="kv"><tbody>${rows.map(([a, b]) => `<tr><th>${esc(a)}</th><td>${esc(b)}</td></tr>`).join('')}</tbody></table>`;
}

function ariTable(ari: NonNullable<PageInput['ari']>, ks: readonly number[], recK: number | null): string {
  const head = `<tr><th>annotation</th><th>annotated samples</th>${ks.map((k) => `<th${k === recK ? ' class="rec"' : ''}>k=${k}</th>`).join('')}</tr>`;
  const body = ari
    .map((a) => {
      const best = Math.max(...a.ari.filter(Number.isFinite));
      return `<tr><th>${esc(a.name)}</th><td>${a.annotated}</td>${a.ari.map((v) => `<td${v === best ? ' class="best"' : ''}>${fmt(v, 3)}</td>`).join('')}</tr>`;
    })
    .join('');
  return `<div class="scroll"><table class="num ari"><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

function metagenesSection(perK: readonly ConsensusPerK[], tops: Map<number, MetageneRow[][]>, recK: number | null): string {
  return perK
    .filter((p) => tops.has(p.k))
    .map((p) => {
      const inner =
        `<p>Restart ${p.best_restart} (lowest objective of ${p.restarts}). Each factor (column of W) is matched one-to-one to the ` +
        `consensus cluster it shares most samples with (a sample's factor is the largest entry of its column of H), and listed under ` +
        `that cluster's number. Features are ranked by the Kim &amp; Park specificity score (0 = equal weight in every factor, 1 = in ` +
        `this factor only; R NMF featureScore), among those whose largest weight is in this factor and at least the median weight of ` +
        `W; the raw weight is beside it. "control" marks Affymetrix control probes (AFFX-). All features: ${esc(p.metagenes_file)}.</p>` +
        metagenesTable(tops.get(p.k)!, p.factor_of_cluster);
      return `<details${p.k === recK ? ' open' : ''}><summary>k = ${p.k}${p.k === recK ? ' (recommended)' : ''}</summary>${inner}</details>`;
    })
    .join('\n');
}

function linksList(links: NonNullable<PageInput['links']>): string {
  return `<ul class="files">${links.map((l) => `<li><a href="${esc(l.href)}">${esc(l.label)}</a></li>`).join('')}</ul>`;
}

function clusterSizes(membership: readonly number[], k: number): string {
  const counts = new Array<number>(k).fill(0);
  for (const c of membership) if (c >= 1 && c <= k) counts[c - 1]!++;
  return counts.map((c, i) => `${i + 1}: ${c}`).join(', ');
}

function crossTab(membership: readonly number[], k: number, annotation: readonly string[]): string {
  const groups = [...new Set(annotation)].sort();
  const counts = new Map<string, number>();
  membership.forEach((c, i) => counts.set(`${c}\u0000${annotation[i]}`, (counts.get(`${c}\u0000${annotation[i]}`) ?? 0) + 1));
  const head = `<tr><th>cluster</th>${groups.map((g) => `<th>${esc(g)}</th>`).join('')}</tr>`;
  const body = Array.from({ length: k }, (_, i) => {
    const tds = groups.map((g) => {
      const v = counts.get(`${i + 1}\u0000${g}`) ?? 0;
      return `<td${v === 0 ? ' class="zero"' : ''}>${v}</td>`;
    });
    return `<tr><th>${i + 1}</th>${tds.join('')}</tr>`;
  }).join('');
  return `<div class="scroll"><table class="num xtab"><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

function membershipTable(m: ConsensusManifest, annotation?: readonly string[]): string {
  const perK = [...m.per_k].sort((a, b) => a.k - b.k);
  const head = `<tr><th>sample</th>${annotation ? '<th>annotation</th>' : ''}${perK.map((p) => `<th>k=${p.k}</th>`).join('')}</tr>`;
  const body = m.samples
    .map((s, i) => {
      const ann = annotation ? `<td>${esc(annotation[i]!)}</td>` : '';
      return `<tr><td>${esc(s)}</td>${ann}${perK.map((p) => `<td>${p.membership[i]}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<div class="scroll tall"><table class="members"><thead>${head}</thead><tbody>\n${body}\n</tbody></table></div>`;
}

const CSS = `
body{font-family:Helvetica,Arial,sans-serif;color:#222;max-width:1150px;margin:0 auto;padding:16px 24px 48px;line-height:1.45}
h1{font-size:1.6em;margin:.2em 0 .1em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
h3{font-size:1.05em;margin:1.2em 0 .3em}
.sub{color:#666;margin:0 0 1em}
.rec-box{background:#f3f7fb;border-left:5px solid #1f4e79;padding:10px 16px;margin:1em 0}
.rec-box .big{font-size:1.35em;font-weight:bold;margin:0 0 .3em}
.rec-box ul{margin:.3em 0 .2em;padding-left:1.2em}
.rec-box.warn{background:#fdf1ec;border-left-color:#b5391b}
.rec-box .none{color:#b5391b}
.rec-box .runner-up{font-size:1.1em;margin:0 0 .3em}
.rec-box .rule{font-size:13px;color:#444}
.input-warn{background:#fff8e5;border-left:5px solid #c98a00;padding:6px 16px;margin:1em 0;font-size:14px}
.input-warn ul{margin:.2em 0;padding-left:1.2em}
td.null{color:#777}
span.id{color:#666}
span.ctrl{color:#b5391b;font-size:11px;border:1px solid #b5391b;border-radius:3px;padding:0 2px}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
table.num td{text-align:right;font-variant-numeric:tabular-nums}
table.kv th{background:#f6f6f6;font-weight:normal;color:#555;white-space:nowrap}
table.kv td{word-break:break-all}
thead th{background:#f6f6f6;position:sticky;top:0}
tr.rec td{background:#fff4d6}
td.best{font-weight:bold}
td.zero{color:#bbb}
.scroll{overflow-x:auto;max-width:100%}
.scroll.tall{max-height:420px;overflow-y:auto}
figure{margin:.5em 0 1.5em}
figure svg{max-width:100%;height:auto}
figcaption{color:#555;font-size:13px;margin-top:.3em}
.note{color:#8a4b00}
.help{font-size:14px;color:#333}
table.metagenes td{font-size:12px;white-space:nowrap}
span.w{color:#888;font-size:11px}
th.rec{background:#fff4d6}
details{margin:.4em 0}
`;

/** The recommendation box at the top of the page: the verdict, runner-ups, annotation matches, the rule and the reasons. */
function recBox(s: Summary): string {
  const verdict =
    s.recommended_k !== null
      ? `<p class="big">Recommended number of clusters: k = ${s.recommended_k}</p>` +
        (s.runner_up_ks.length > 0 ? `<p class="runner-up">Runner-up (nearly as distinct): ${s.runner_up_ks.map((k) => `k = ${k}`).join(', ')}</p>` : '')
      : s.no_structure
        ? `<p class="big none">No structure: no k is distinguishable from random data, so no number of clusters is recommended</p>`
        : `<p class="big none">No k could be scored, so none is recommended</p>`;
  const ann = Object.entries(s.best_k_by_annotation);
  const annotations =
    ann.length > 0
      ? `<ul class="best-ann">${ann.map(([name, b]) => `<li>Best match to the annotation <b>${esc(name)}</b>: k = ${b.k} (adjusted Rand index ${fmt(b.ari, 3)})</li>`).join('')}</ul>`
      : '';
  const rule =
    s.null_restarts > 0
      ? `Rule <code>${esc(s.rule)}</code>: for each k, the cophenetic correlation, dispersion and silhouette are compared with the same k on random data ` +
        `(this matrix with each sample's values shuffled, ${s.null_restarts} restarts): gap = (real - random) / (1 - random), 0 = no better than random data, ` +
        `1 = perfect; the score is their mean. A k is distinguishable from random data when its score is at least ${STRUCTURE_MIN}; the recommended k has ` +
        `the highest score (scores within ${TIE} count as equal, and then the largest k is taken); runner-ups score within ${RUNNER_UP} of it.`
      : `Rule <code>${esc(s.rule)}</code> without a random-data baseline (--null-restarts 0): the score is the mean of the cophenetic correlation, ` +
        `dispersion and silhouette; the highest wins (within ${TIE}, the largest k); runner-ups score within ${RUNNER_UP}. Whether any k differs from random data was not tested.`;
  return `<div class="rec-box${s.recommended_k === null ? ' warn' : ''}">
${verdict}
${annotations}
<p class="rule">${rule}</p>
<p>Why:</p>
<ul>
${s.reasons.map((r) => `<li>${esc(r)}</li>`).join('\n')}
</ul>
</div>`;
}

/** preprocess's warnings about the input (with their fixes), right under the recommendation. */
function inputWarningsBox(m: ConsensusManifest): string {
  const w = m.input_warnings ?? [];
  if (w.length === 0) return '';
  return `<div class="input-warn"><p><b>About the input</b> (from preprocess):</p><ul>${w.map((x) => `<li>${esc(x.message[0]!.toUpperCase() + x.message.slice(1))}</li>`).join('')}</ul></div>`;
}

/** The complete page. */
export function buildHtml(p: PageInput): string {
  const m = p.manifest;
  const s = p.summary;
  const recK = s.recommended_k;
  const perK = [...m.per_k].sort((a, b) => a.k - b.k);
  const annotation = p.annotation;
  const heat = p.heatmaps
    .map((h) => {
      const pk = perK.find((q) => q.k === h.k);
      const sizes = pk ? `Cluster sizes: ${clusterSizes(pk.membership, h.k)}.` : '';
      const tab = pk && annotation ? `<p>Clusters against annotation groups (number of samples):</p>${crossTab(pk.membership, h.k, annotation)}` : '';
      const sampled = pk?.sampled
        ? `<p class="note">n = ${m.samples.length} is above the consensus stage's limit, so the metrics of k = ${h.k} come from the ` +
          `restart labels: dispersion exactly, PAC on ${pk.sampled.pac_pairs.toLocaleString('en-US')} random pairs of samples, the tree, ` +
          `cophenetic correlation and silhouette on a seeded subsample of ${pk.sampled.subsample_n.toLocaleString('en-US')} samples ` +
          `stratified by the ${esc(pk.sampled.stratified_by)}.</p>`
        : '';
      if (h.svg === null) {
        return (
          `<h3 id="k${h.k}">k = ${h.k}${h.k === recK ? ' (recommended)' : ''}</h3>${sampled}` +
          `<p class="note">Heatmap skipped: the consensus matrix for k = ${h.k} was not materialized (the consensus stage ` +
          `keeps C only up to its limit on the number of samples; here n = ${m.samples.length}). ${sizes}</p>${tab}`
        );
      }
      return (
        `<h3 id="k${h.k}">k = ${h.k}${h.k === recK ? ' (recommended)' : ''}</h3>${sampled}` +
        `<figure>${prefixSvgIds(h.svg, `k${h.k}-`)}<figcaption>Consensus matrix for k = ${h.k}, rows and columns in the ` +
        `leaf order of the average-linkage tree on 1 - C (drawn above the matrix for up to 1,000 samples). Tracks on the top (strips repeated on the left), ` +
        `from the matrix outwards: consensus cluster (cut of the tree into ${h.k} clusters)${pk?.best_fit_membership ? '; best fit (the restart with the lowest objective: each sample\'s largest entry of H, its factor shown in the colour of the cluster it is matched to, as in R NMF consensusmap)' : ''}` +
        `${annotation ? '; the sample annotation (its own palette)' : ''}${h.silhouette ? '; above them the silhouette width of each sample on 1 - C (grey bars, red below 0)' : ''}. ` +
        `${sizes}${h.note ? ' ' + esc(h.note) : ''} Files: ${h.files.map(esc).join(', ')}.</figcaption></figure>${tab}`
      );
    })
    .join('\n');
  const maxTable = p.maxTableSamples ?? 2000;
  const members =
    m.samples.length <= maxTable
      ? `<details><summary>Show the membership of all ${m.samples.length} samples</summary>${membershipTable(m, annotation)}</details>`
      : `<p>${m.samples.length} samples: the per-sample table is left out of this page; see membership.gct in the consensus folder.</p>`;
  const annNotes = (p.annotationNotes ?? []).map((t) => `<p class="note">${esc(t)}</p>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Consensus NMF report: ${recK !== null ? `k = ${recK} recommended` : s.no_structure ? 'no structure found' : 'no k recommended'}</title>
<style>${CSS}</style>
</head>
<body>
<h1>Consensus NMF clustering report</h1>
<p class="sub">${m.samples.length} samples, k = ${esc(m.ks.join(', '))}, ${esc(m.algorithm)} NMF, nmf-consensus ${esc(m.tool_version)}</p>

${recBox(s)}
${inputWarningsBox(m)}

<h2>Input and parameters</h2>
${paramsTable(m)}

<h2>How to read the metrics</h2>
<div class="help">
<p>Each k was factorized from many random starts; the <b>consensus matrix</b> C holds, for every pair of samples, the
fraction of starts that put them in the same cluster. A stable clustering gives a C of nearly only 0s and 1s.</p>
<ul>
<li><b>Cophenetic correlation</b> (&rho;, Brunet et al. 2004): how well the average-linkage tree on 1 - C reproduces
1 - C. Higher is better (1 = perfectly clean blocks), but it is well above 0 on random data too. Brunet's rule (the k
just before &rho; first drops) is given beside the recommendation for comparison.</li>
<li><b>Dispersion</b> (Kim &amp; Park 2007): how far the entries of C are from 1/2, from 0 to 1. Higher is better.</li>
<li><b>Silhouette</b>: how much closer, in 1 - C, samples are to their own cluster than to the nearest other cluster,
from -1 to 1. Higher is better.</li>
<li><b>PAC</b> (proportion of ambiguous clustering, Senbabaoglu et al. 2014): the fraction of sample pairs with
0.1 &lt; C &lt; 0.9. Lower is better.</li>
<li><b>Factor stability</b> (cNMF, pyDNMFk): silhouette of the restarts' W columns clustered into k groups; higher means
the factors are reproducible. <b>Relative error</b> ||A - WH|| / ||A|| falls as k grows and is shown for reference.</li>
</ul>
<p>Every metric is also computed on <b>random data</b>: the same matrix with each sample's values shuffled (R NMF's
<code>randomize</code>), factorized the same way. Those values (dashed grey in the figure, <code>null_</code> columns in
the table) show how stable clusters look when there is nothing to find; the recommendation uses the gap to them. Bounded
metrics are drawn on their full range (0 to 1, or -1 to 1), so small differences look small. <b>Explained variance</b>
is 1 - RSS / ||A||&sup2; <b>RSS</b> is ||A - WH||&sup2; of the best restart. Bold values in the table are the best per
column; the highlighted row is the recommended k.</p>
</div>

<h2>Metrics by k</h2>
<figure>${prefixSvgIds(p.metricsSvg, 'metrics-')}</figure>
${metricsTable(perK.map((q) => q.metrics), recK, s.null_metrics, s.scores)}

<h2>Convergence</h2>
<p class="help">Each tick is one restart: how many iterations it ran before its sample labels stopped changing (blue), or
whether it reached the iteration cap first (red). Many red ticks mean --max-iter is too low for that k.</p>
<figure>${prefixSvgIds(p.convergenceSvg, 'convergence-')}</figure>

<h2>Consensus matrices</h2>
${annNotes}
${p.ari && p.ari.length > 0 ? `<p>Agreement of the clusters with the annotations (adjusted Rand index: 1 = the same partition, about 0 = no more than chance; bold = best k per annotation):</p>${ariTable(p.ari, perK.map((q) => q.k), recK)}` : ''}
${heat}

<h2>Metagenes</h2>
<p class="help">The features with the largest weights in each factor (column of W) of the best restart of each k.</p>
${metagenesSection(perK, p.metagenes ?? new Map(), recK)}

<h2>Cluster membership</h2>
<p>Clusters are numbered 1..k in the leaf order of the tree (left to right in the heatmaps).</p>
${members}

<h2>Files</h2>
<p>Everything this page was made from and its figures (links relative to this page's folder):</p>
${p.links && p.links.length > 0 ? linksList(p.links) : '<p>No file list was given.</p>'}
</body>
</html>
`;
}
