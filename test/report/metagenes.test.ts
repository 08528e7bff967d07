import { describe, expect, it } from 'vitest';
import { bestFitMembership, isControlProbe, metageneRows, metageneTable, parseMetageneTable, symbolOf, topByCluster } from '../../tasks/lib/metagenes.js';
import { metagenesTable } from '../../tasks/report/metagenes.js';

// 8 features x 3 factors: g1-g2 specific to factor 2, g3-g4 to factor 0, g5 to factor 1, the rest shared
const IDS = ['g1', 'g2', 'g3', 'g4', 'g5', 'AFFX-BioB-5_at', 'g7', 'g8'];
const DESC = ['CD19', 'na', 'MPO', '', 'CD3E', 'na', 'HBB', 'HLA-DRA'];
const W = [
  0.1, 0.0, 9.0,
  0.2, 0.1, 7.0,
  8.0, 0.1, 0.3,
  6.0, 0.2, 0.1,
  0.1, 5.0, 0.2,
  4.0, 4.0, 4.5,
  3.2, 3.0, 2.9,
  2.0, 2.5, 2.0,
];
// consensus cluster 1 <- factor 2, cluster 2 <- factor 0, cluster 3 <- factor 1
const MATCH = [2, 0, 1];

describe('metagene table', () => {
  const rows = metageneRows(IDS, DESC, W, 3, MATCH);

  it('labels each feature by the cluster of its largest factor, weights reordered by cluster', () => {
    expect(rows.map((r) => r.cluster)).toEqual([1, 1, 2, 2, 3, 1, 2, 3]);
    expect(rows[0]!.factor).toBe(3);
    expect(rows[0]!.weights).toEqual([9.0, 0.1, 0.0]);
  });

  it('symbols from descriptions ("na" and empty are none), AFFX- probes flagged', () => {
    expect(rows.map((r) => r.symbol)).toEqual(['CD19', '', 'MPO', '', 'CD3E', '', 'HBB', 'HLA-DRA']);
    expect(rows.map((r) => r.control)).toEqual([false, false, false, false, false, true, false, false]);
    expect(isControlProbe('affx-hum_alu_at')).toBe(true);
    expect(symbolOf(' NA ')).toBe('');
  });

  it('top features of each cluster score higher on their own cluster than on the others', () => {
    const tops = topByCluster(rows, 3, 3);
    expect(tops[0]!.map((r) => r.id)).toEqual(['g1', 'g2', 'AFFX-BioB-5_at']); // the nearly shared control probe last
    tops.forEach((t, c) => {
      for (const r of t) {
        const own = r.weights[c]!;
        r.weights.forEach((w, o) => o !== c && expect(own).toBeGreaterThan(w));
      }
    });
    // shared features (score near 0) come after specific ones
    expect(tops[1]!.map((r) => r.id)).toEqual(['g3', 'g4', 'g7']);
  });

  it('round-trips through the TSV cells', () => {
    const t = metageneTable(rows, 3);
    expect(t.header).toEqual(['id', 'symbol', 'control_probe', 'cluster', 'factor', 'score', 'selected', 'cluster_1', 'cluster_2', 'cluster_3']);
    const back = parseMetageneTable(t.header, t.cells.map((c) => c.map(String)), 3, 'metagenes.k3.tsv');
    expect(back).toEqual(rows);
    expect(() => parseMetageneTable(['id', 'description'], [], 3, 'x.tsv')).toThrow(/x\.tsv: header/);
  });

  it('best fit membership in cluster numbers', () => {
    expect(bestFitMembership([2, 0, 1, 2], MATCH)).toEqual([1, 2, 3, 1]);
  });

  it('page table: columns named by cluster with the matched factor; symbol, id, score, weight, control flag', () => {
    const html = metagenesTable(topByCluster(rows, 3, 2), MATCH);
    expect(html).toMatch(/<th>cluster 1 <span class="w">\(factor 3\)<\/span><\/th>/);
    expect(html).toMatch(/<b>CD19<\/b> <span class="id">g1<\/span> <span class="w">score 0\.9\d\d, weight 9\.00<\/span>/);
    const withCtrl = metagenesTable([[rows[5]!]]);
    expect(withCtrl).toMatch(/AFFX-BioB-5_at <span class="ctrl"/);
  });
});
