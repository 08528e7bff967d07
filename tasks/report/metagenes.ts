/**
 * The page's metagene table: per consensus cluster (the factor of the best restart matched to it),
 * the most specific features (tasks/lib/metagenes.ts), each with its gene symbol, Kim & Park score
 * and raw weight; Affymetrix control probes are flagged.
 */
import { escapeHtml as esc } from './format.js';
import type { MetageneRow } from '../lib/metagenes.js';

function cellOf(r: MetageneRow, c: number): string {
  const name = r.symbol ? `<b>${esc(r.symbol)}</b> <span class="id">${esc(r.id)}</span>` : esc(r.id);
  const ctrl = r.control ? ' <span class="ctrl" title="Affymetrix control probe">control</span>' : '';
  return `<td>${name}${ctrl} <span class="w">score ${r.score.toFixed(3)}, weight ${r.weights[c]!.toPrecision(3)}</span></td>`;
}

/** One column per cluster 1..k; `tops[c]` are cluster c + 1's features, best first. */
export function metagenesTable(tops: readonly (readonly MetageneRow[])[], factorOfCluster?: readonly number[]): string {
  const rows = Math.max(0, ...tops.map((t) => t.length));
  const head = `<tr><th>rank</th>${tops
    .map((_, c) => `<th>cluster ${c + 1}${factorOfCluster ? ` <span class="w">(factor ${factorOfCluster[c]! + 1})</span>` : ''}</th>`)
    .join('')}</tr>`;
  const body = Array.from({ length: rows }, (_, r) => `<tr><th>${r + 1}</th>${tops.map((t, c) => (t[r] ? cellOf(t[r]!, c) : '<td></td>')).join('')}</tr>`).join('');
  return `<div class="scroll"><table class="metagenes"><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}
