/** Hand-computed checks of dispersion, PAC, silhouette, ARI and the cophenetic correlation. */
import { describe, expect, it } from 'vitest';
import {
  adjustedRandIndex,
  consensusSilhouette,
  copheneticCorrelation,
  dispersion,
  pac,
  pearson,
  silhouetteWidths,
} from '../../tasks/lib/metrics/index.js';

/** Full symmetric n*n matrix from the strict upper triangle (row by row) and a diagonal value. */
function sym(n: number, upper: number[], diag: number): Float64Array {
  const M = new Float64Array(n * n);
  let l = 0;
  for (let i = 0; i < n; i++) {
    M[i * n + i] = diag;
    for (let j = i + 1; j < n; j++) M[i * n + j] = M[j * n + i] = upper[l++]!;
  }
  if (l !== upper.length) throw new Error('sym: wrong upper length');
  return M;
}

/** Block consensus matrix: 1 within a group, 0 across. */
function blockC(groups: number[]): Float64Array {
  const n = groups.length;
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) C[i * n + j] = groups[i] === groups[j] ? 1 : 0;
  return C;
}

describe('dispersion', () => {
  it('is 1 for C = all ones and for a 0/1 block matrix', () => {
    expect(dispersion(new Float64Array(25).fill(1), 5)).toBe(1);
    expect(dispersion(blockC([1, 1, 2, 2, 2, 3]), 6)).toBe(1);
  });
  it('counts the diagonal; is 0 for C = 1/2 everywhere', () => {
    // n = 2, C = [[1, .5], [.5, 1]]: (4 * .25 * 2 + 0 * 2) / 4 = 0.5
    expect(dispersion(sym(2, [0.5], 1), 2)).toBeCloseTo(0.5, 15);
    expect(dispersion(new Float64Array(9).fill(0.5), 3)).toBe(0);
  });
  it('hand example with 0.75', () => {
    // diag 1 -> 4 * .25 = 1 each; off .75 -> 4 * .0625 = .25 each: (2 + .5) / 4 = .625
    expect(dispersion(sym(2, [0.75], 1), 2)).toBeCloseTo(0.625, 15);
  });
});

describe('pac', () => {
  // upper triangle (0,1) .05, (0,2) .1, (0,3) .5, (1,2) .9, (1,3) .95, (2,3) .3
  const C = sym(4, [0.05, 0.1, 0.5, 0.9, 0.95, 0.3], 1);
  it('counts pairs strictly inside (0.1, 0.9)', () => {
    expect(pac(C, 4)).toBeCloseTo(2 / 6, 15); // .5 and .3; .1 and .9 are on the bounds
  });
  it('uses configurable bounds', () => {
    expect(pac(C, 4, 0.04, 0.96)).toBeCloseTo(1, 15);
    expect(pac(C, 4, 0.4, 0.6)).toBeCloseTo(1 / 6, 15);
  });
  it('is 0 for a crisp matrix', () => {
    expect(pac(blockC([1, 2, 1, 2, 3]), 5)).toBe(0);
  });
});

describe('silhouette (cluster::silhouette rules)', () => {
  // d12 .2, d13 .6, d14 .8, d23 .4, d24 1.0, d34 .5
  const D = sym(4, [0.2, 0.6, 0.8, 0.4, 1.0, 0.5], 0);
  const C = Float64Array.from(D, (v) => 1 - v);
  it('hand example with singletons', () => {
    // labels 1 1 2 3: s1 = (.6 - .2)/.6 = 2/3, s2 = (.4 - .2)/.4 = 1/2, singletons 0.
    const w = silhouetteWidths(D, 4, [1, 1, 2, 3]);
    expect(w[0]).toBeCloseTo(2 / 3, 14);
    expect(w[1]).toBeCloseTo(1 / 2, 14);
    expect(w[2]).toBe(0);
    expect(w[3]).toBe(0);
    expect(consensusSilhouette(C, 4, [1, 1, 2, 3])).toBeCloseTo(7 / 24, 14);
  });
  it('negative widths when a sample sits closer to another cluster', () => {
    // labels 1 2 1 3: s1 = (.2 - .6)/.6 = -2/3, s3 = (.4 - .6)/.6 = -1/3.
    const w = silhouetteWidths(D, 4, ['a', 'b', 'a', 'c']);
    expect(w[0]).toBeCloseTo(-2 / 3, 14);
    expect(w[2]).toBeCloseTo(-1 / 3, 14);
    expect(consensusSilhouette(C, 4, [1, 2, 1, 3])).toBeCloseTo(-1 / 4, 14);
  });
  it('a_i = b_i gives 0; a crisp block matrix gives 1', () => {
    const flat = sym(3, [0.5, 0.5, 0.5], 0);
    expect(Array.from(silhouetteWidths(flat, 3, [1, 1, 2]))).toEqual([0, 0, 0]);
    expect(consensusSilhouette(blockC([1, 1, 2, 2, 2]), 5, [7, 7, 9, 9, 9])).toBe(1);
  });
  it('is undefined (NaN, R: NA) for one cluster or n clusters', () => {
    expect(consensusSilhouette(C, 4, [1, 1, 1, 1])).toBeNaN();
    expect(consensusSilhouette(C, 4, [1, 2, 3, 4])).toBeNaN();
  });
});

describe('adjustedRandIndex', () => {
  it('is 1 for identical partitions, under relabeling, with any label type', () => {
    expect(adjustedRandIndex([1, 1, 2, 2, 3], [1, 1, 2, 2, 3])).toBe(1);
    expect(adjustedRandIndex([1, 1, 2, 2, 3], ['x', 'x', 'y', 'y', 'z'])).toBe(1);
    expect(adjustedRandIndex([0, 0, 0], [5, 5, 5])).toBe(1);
  });
  it('hand example: 8/33', () => {
    // table [[2,1,0],[0,1,2]]: sum C(nij,2) = 2; rows 3,3 -> 6; cols 2,2,2 -> 3; C(6,2) = 15
    // E = 6*3/15 = 1.2; ARI = (2 - 1.2) / (4.5 - 1.2) = 8/33
    expect(adjustedRandIndex([1, 1, 1, 2, 2, 2], [1, 1, 2, 2, 3, 3])).toBeCloseTo(8 / 33, 14);
    expect(adjustedRandIndex([1, 1, 2, 2, 3, 3], [1, 1, 1, 2, 2, 2])).toBeCloseTo(8 / 33, 14);
  });
  it('hand examples: 4/7 and -1/2', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 14);
    expect(adjustedRandIndex([1, 1, 2, 2], [1, 2, 1, 2])).toBeCloseTo(-0.5, 14);
  });
  it('rejects different lengths', () => {
    expect(() => adjustedRandIndex([1, 2], [1])).toThrow();
  });
});

describe('copheneticCorrelation', () => {
  it('hand example: Pearson of D and its UPGMA cophenetic distances', () => {
    // Same 5-point matrix as the hclust test: merges (1,4) .2, (2,3) .2, (1,4)+5 at .35, then .5.
    // Pairs 12 13 14 15 23 24 25 34 35 45:
    const d = [0.5, 0.5, 0.2, 0.5, 0.2, 0.5, 0.5, 0.5, 0.5, 0.2];
    const coph = [0.5, 0.5, 0.2, 0.35, 0.2, 0.5, 0.5, 0.5, 0.5, 0.35];
    const m = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const md = m(d);
    const mc = m(coph);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < d.length; i++) {
      sxy += (d[i]! - md) * (coph[i]! - mc);
      sxx += (d[i]! - md) ** 2;
      syy += (coph[i]! - mc) ** 2;
    }
    const want = sxy / Math.sqrt(sxx * syy);
    const C = sym(5, d.map((v) => 1 - v), 1);
    expect(copheneticCorrelation(C, 5)).toBeCloseTo(want, 13);
    expect(want).toBeLessThan(0.99); // the example is not trivially 1
  });
  it('is 1 for a crisp block consensus and for the identity (NMF guard)', () => {
    expect(copheneticCorrelation(blockC([1, 1, 2, 2, 2, 3, 3]), 7)).toBeCloseTo(1, 14);
    const I = new Float64Array(16);
    for (let i = 0; i < 4; i++) I[i * 4 + i] = 1;
    expect(copheneticCorrelation(I, 4)).toBe(1);
  });
  it('is NaN (R: NA) when D is constant', () => {
    expect(copheneticCorrelation(new Float64Array(9).fill(1), 3)).toBeNaN();
  });
  it('pearson: hand values', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 15);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 15);
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 14); // sxy 4, sxx = syy = 5
  });
});
