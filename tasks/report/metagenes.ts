/**
 * Metagenes: for each factor of the best restart (lowest objective) of a k, the features with the
 * largest weights in that column of W, weights normalized to sum 1 per factor so they compare
 * across factors (as R NMF's basis() read column-wise).
 */
import { escapeHtml as esc } from './format.js';

export interface Basis {
  ids: string[];
  /** features x k, row-major. */
  W: Float64Array;
  k: number;
}

export interface TopFeature {
  id: string;
  weight: number;
}

export function topFeatures(b: Basis, count: number): TopFeature[][] {
  const m = b.ids.length;
  return Array.from({ length: b.k }, (_, f) => {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += b.W[i * b.k + f]!;
    const idx = Array.from({ length: m }, (_, i) => i).sort((x, y) => b.W[y * b.k + f]! - b.W[x * b.k + f]! || x - y);
    return idx.slice(0, count).map((i) => ({ id: b.ids[i]!, weight: sum > 0 ? b.W[i * b.k + f]! / sum : 0 }));
  });
}

export function metagenesTable(tops: TopFeature[][]): string {
  const rows = Math.max(0, ...tops.map((t) => t.length));
  const head = `<tr><th>rank</th>${tops.map((_, f) => `<th>factor ${f + 1}</th>`).join('')}</tr>`;
  const body = Array.from({ length: rows }, (_, r) =>
    `<tr><th>${r + 1}</th>${tops.map((t) => (t[r] ? `<td>${esc(t[r]!.id)} <span class="w">${t[r]!.weight.toPrecision(3)}</span></td>` : '<td></td>')).join('')}</tr>`,
  ).join('');
  return `<div class="scroll"><table class="metagenes"><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}
