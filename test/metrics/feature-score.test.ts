import { describe, expect, it } from 'vitest';
import { extractFeatures, kimScores, mad } from '../../tasks/lib/metrics/feature-score.js';

describe('kimScores (R NMF featureScore, method "kim")', () => {
  it('1 for a feature on one factor, 0 for equal weights, and the entropy formula between', () => {
    const W = [5, 0, 0, 2, 2, 2, 1, 3, 0];
    const s = kimScores(W, 3, 3);
    expect(s[0]).toBe(1);
    expect(s[1]).toBeCloseTo(0, 15);
    // p = (1/4, 3/4, 0): 1 + (1/4 log2 1/4 + 3/4 log2 3/4) / log2 3
    expect(s[2]).toBeCloseTo(1 + (0.25 * Math.log2(0.25) + 0.75 * Math.log2(0.75)) / Math.log2(3), 14);
  });

  it('scale-free per feature; an all-zero feature scores 0; NaN for k < 2', () => {
    const a = kimScores([1, 3, 10, 30, 0, 0], 3, 2);
    expect(a[0]).toBeCloseTo(a[1]!, 14);
    expect(a[2]).toBe(0);
    expect(kimScores([1, 2], 2, 1)[0]).toBeNaN();
  });
});

describe('extractFeatures (R NMF extractFeatures, method "kim")', () => {
  it('mad uses R constant 1.4826', () => {
    expect(mad([1, 2, 3, 4, 100])).toBeCloseTo(1.4826, 12);
  });

  it('selects features far above the median score with a large weight, each on its largest factor', () => {
    // 20 background features loading about equally, 2 specific large ones, 1 specific tiny one
    const rows: number[][] = [];
    for (let i = 0; i < 20; i++) rows.push([1 + (i % 3) * 0.05, 1, 1 + (i % 2) * 0.05]);
    rows.push([0.01, 9, 0.01], [8, 0.02, 0.01], [0.001, 0, 0]);
    const sel = extractFeatures(rows.flat(), rows.length, 3);
    expect(Array.from(sel.selected.slice(20))).toEqual([1, 1, 0]); // the tiny one is below median(W)
    expect(Array.from(sel.factor.slice(20))).toEqual([1, 0, 0]);
    expect(sel.selected.slice(0, 20).every((x) => x === 0)).toBe(true);
    expect(sel.score[22]).toBe(1);
  });
});
