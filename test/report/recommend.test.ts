import { describe, expect, it } from 'vitest';
import { bestKByAnnotation, brunetRule, normalizedGap, recommend, recommendationLine, scoreKs, RUNNER_UP, STRUCTURE_MIN } from '../../tasks/lib/recommend.js';
import { row } from './fixture.js';

const pts = (ks: number[], rho: number[]) => ks.map((k, i) => ({ k, rho: rho[i]! }));
const rows = (ks: number[], rho: number[]) => ks.map((k, i) => row(k, { cophenetic: rho[i]! }));

describe('brunetRule', () => {
  it('chooses the k before the first drop, even if rho rises again later', () => {
    const c = brunetRule(pts([2, 3, 4, 5], [0.9, 0.95, 0.93, 0.99]));
    expect(c).toEqual({ k: 3, rho: 0.95, kind: 'drop', next: { k: 4, rho: 0.93 } });
  });

  it('a drop right after the first k chooses the first k', () => {
    expect(brunetRule(pts([2, 3, 4], [0.99, 0.9, 0.95]))?.k).toBe(2);
  });

  it('monotone increase: the largest k, kind no-drop', () => {
    const c = brunetRule(pts([2, 3, 4, 5], [0.8, 0.85, 0.9, 0.99]));
    expect(c?.k).toBe(5);
    expect(c?.kind).toBe('no-drop');
    expect(c?.next).toBeUndefined();
  });

  it('single k: that k, kind single', () => {
    expect(brunetRule(pts([4], [0.7]))).toEqual({ k: 4, rho: 0.7, kind: 'single' });
  });

  it('ties are not drops', () => {
    expect(brunetRule(pts([2, 3, 4], [0.95, 0.95, 0.94]))?.k).toBe(3);
    const flat = brunetRule(pts([2, 3, 4], [0.95, 0.95, 0.95]));
    expect(flat?.k).toBe(4);
    expect(flat?.kind).toBe('no-drop');
  });

  it('compares exactly: a tiny decrease is a drop', () => {
    expect(brunetRule(pts([2, 3, 4], [0.9, 0.95, 0.95 - 1e-12]))?.k).toBe(3);
  });

  it('sorts by k and handles gaps in k', () => {
    const c = brunetRule(pts([8, 2, 5, 3], [0.9, 0.8, 0.97, 0.85]));
    expect(c?.k).toBe(5);
    expect(c?.next).toEqual({ k: 8, rho: 0.9 });
  });

  it('leaves out non-finite rho; null when none is finite; throws on a repeated k', () => {
    expect(brunetRule(pts([2, 3, 4], [NaN, 0.9, 0.8]))?.k).toBe(3);
    expect(brunetRule(pts([2, 3, 4], [0.9, NaN, 0.8]))?.k).toBe(2);
    expect(brunetRule(pts([2, 3], [NaN, NaN]))).toBeNull();
    expect(() => brunetRule(pts([2, 2], [0.9, 0.8]))).toThrow(/k=2/);
  });

  it('does not modify its input', () => {
    const p = pts([5, 2, 3], [0.9, 0.95, 0.97]);
    const copy = JSON.parse(JSON.stringify(p));
    brunetRule(p);
    expect(p).toEqual(copy);
  });
});

/** Metric tables as [k, cophenetic, dispersion, silhouette, pac, rel_error_best] -> rows. */
const table = (t: number[][]) => t.map(([k, cophenetic, dispersion, silhouette, pac, rel]) => row(k!, { cophenetic, dispersion, silhouette, pac, rel_error_best: rel }));

// Measured inputs for the pure rule (nmf-consensus run, wasm, default seed; metrics.tsv rounded to 4 decimals):
// examples/ALL_AML_data.gct with 20 restarts, and two copies of it with each sample's column shuffled
// (seeds 1 and 2) with 10 and 20 restarts. A shuffled copy is what the random-data baseline factorizes.
const ALL_AML = table([
  [2, 1.0, 1.0, 1.0, 0.0, 0.566],
  [3, 0.9954, 0.9674, 0.9808, 0.0398, 0.5149],
  [4, 0.9889, 0.9513, 0.9485, 0.0541, 0.4824],
  [5, 0.9682, 0.8803, 0.8155, 0.1238, 0.4586],
]);
const SHUF1_10 = table([
  [2, 0.7378, 0.1685, 0.3415, 0.9459, 0.9116],
  [3, 0.6059, 0.232, 0.1349, 0.8834, 0.8975],
  [4, 0.5431, 0.3625, 0.1115, 0.7183, 0.8806],
  [5, 0.5747, 0.4707, 0.1071, 0.5676, 0.8681],
]);
const SHUF1_20 = table([
  [2, 0.6734, 0.099, 0.2261, 1.0, 0.9116],
  [3, 0.5403, 0.1859, 0.074, 0.9772, 0.8964],
  [4, 0.5148, 0.325, 0.059, 0.8834, 0.8806],
  [5, 0.5525, 0.4361, 0.0486, 0.7525, 0.8628],
]);
const SHUF2_10 = table([
  [2, 0.6616, 0.147, 0.2822, 0.9573, 0.9118],
  [3, 0.6072, 0.2331, 0.1643, 0.8819, 0.8947],
  [4, 0.5884, 0.3681, 0.1218, 0.7255, 0.881],
  [5, 0.5041, 0.4696, 0.0825, 0.5861, 0.8668],
]);

describe('normalizedGap and scoreKs', () => {
  it('is 0 at the null value, 1 at a perfect 1, and 0 when the null is already perfect', () => {
    expect(normalizedGap(0.6, 0.6)).toBe(0);
    expect(normalizedGap(1, 0.3)).toBe(1);
    expect(normalizedGap(0.65, 0.3)).toBeCloseTo(0.5, 12);
    expect(normalizedGap(1, 1)).toBe(0);
    expect(normalizedGap(0.2, 0.4)).toBeCloseTo(-1 / 3, 12);
    expect(normalizedGap(NaN, 0.4)).toBeNaN();
  });

  it('averages the finite gaps of cophenetic, dispersion and silhouette', () => {
    const s = scoreKs([row(3, { cophenetic: 0.9, dispersion: 0.8, silhouette: NaN })], [row(3, { cophenetic: 0.5, dispersion: 0.2, silhouette: 0.1 })]);
    expect(s[0]!.gaps.cophenetic).toBeCloseTo(0.8, 12);
    expect(s[0]!.gaps.dispersion).toBeCloseTo(0.75, 12);
    expect(s[0]!.score).toBeCloseTo(0.775, 12);
    expect(s[0]!.baseline).toBe(true);
  });
});

describe('recommend (gap to random data)', () => {
  it('ALL/AML: structure, k=2 recommended (every metric 1.000) and k=3 named as runner-up', () => {
    for (const nul of [SHUF1_10, SHUF2_10]) {
      const r = recommend(ALL_AML, nul);
      expect(r.no_structure).toBe(false);
      expect(r.recommended_k).toBe(2);
      expect(r.runner_up_ks).toContain(3);
      expect(r.rule).toBe('null-gap');
      expect(r.reasons[0]).toMatch(/^k=2 is the farthest from random data: score 1\.000/);
      expect(r.reasons[1]).toMatch(/^Runner-up: k=3 \(0\.97\d\)/);
      const s3 = r.scores.find((s) => s.k === 3)!.score;
      expect(s3).toBeGreaterThan(1 - RUNNER_UP);
    }
  });

  it('a shuffled matrix against another shuffled copy: no structure, no k recommended', () => {
    for (const [real, nul] of [[SHUF1_20, SHUF2_10], [SHUF1_10, SHUF2_10], [SHUF2_10, SHUF1_10]] as const) {
      const r = recommend(real, nul);
      expect(r.no_structure).toBe(true);
      expect(r.recommended_k).toBeNull();
      expect(r.runner_up_ks).toEqual([]);
      for (const s of r.scores) expect(Math.abs(s.score)).toBeLessThan(STRUCTURE_MIN);
      expect(r.reasons[0]).toMatch(/^No k is distinguishable from random data/);
      expect(recommendationLine(r)).toMatch(/no k recommended/);
    }
  });

  it('planted 4 groups: cophenetic 1.000 at k=4 and k=5 does not pick 5 (silhouette and dispersion fall at 5)', () => {
    const real = table([
      [2, 0.93, 0.8, 0.7, 0.2, 0.6],
      [3, 0.95, 0.85, 0.78, 0.15, 0.5],
      [4, 1.0, 1.0, 1.0, 0.0, 0.4],
      [5, 1.0, 0.9, 0.775, 0.05, 0.39],
    ]);
    const r = recommend(real, SHUF1_10);
    expect(r.recommended_k).toBe(4);
    expect(r.no_structure).toBe(false);
    // Brunet's rule alone (equal values are not a drop) would take k=5; the page says so
    expect(brunetRule(real.map((x) => ({ k: x.k, rho: x.cophenetic })))!.k).toBe(5);
    expect(r.reasons.join('\n')).toMatch(/Brunet's rule differs and gives the largest k, k=5/);
  });

  it('equal scores: the largest k; a k below the threshold is never recommended nor a runner-up', () => {
    const real = table([
      [2, 1, 1, 1, 0, 0.6],
      [3, 0.7, 0.3, 0.3, 0.5, 0.5],
      [4, 1, 1, 1, 0, 0.4],
    ]);
    const nul = table([
      [2, 0.7, 0.2, 0.3, 0.9, 0.9],
      [3, 0.7, 0.3, 0.3, 0.9, 0.9],
      [4, 0.6, 0.4, 0.1, 0.7, 0.9],
    ]);
    const r = recommend(real, nul);
    expect(r.recommended_k).toBe(4);
    expect(r.runner_up_ks).toEqual([2]);
    expect(r.reasons.join('\n')).toMatch(/k=3 is not distinguishable from random data/);
  });

  it('without a baseline: the real metrics alone, structure not tested, and said so', () => {
    const r = recommend(ALL_AML);
    expect(r.baseline).toBe(false);
    expect(r.no_structure).toBe(false);
    expect(r.recommended_k).toBe(2);
    expect(r.reasons.join('\n')).toMatch(/--null-restarts 0/);
    expect(recommendationLine(r)).toBe('recommended k = 2, runner-up k=3 and k=4 (no random-data baseline: --null-restarts 0)');
  });

  it('a k without a baseline row is left out of the choice and named', () => {
    const r = recommend(ALL_AML, SHUF1_10.filter((x) => x.k !== 2));
    expect(r.recommended_k).toBe(3);
    expect(r.reasons.join('\n')).toMatch(/k=2 had no random-data baseline/);
  });

  it('no usable metric: no recommendation; throws on no rows', () => {
    const r = recommend(table([[2, NaN, NaN, NaN, NaN, 0.5]]), table([[2, 0.5, 0.2, 0.1, 0.9, 0.9]]));
    expect(r.recommended_k).toBeNull();
    expect(r.no_structure).toBe(false);
    expect(() => recommend([])).toThrow();
  });
});

describe('bestKByAnnotation', () => {
  it('takes the k with the highest ARI per column (ties: smaller k), skipping NaN', () => {
    const best = bestKByAnnotation(
      [
        { name: 'phenotype', ari: [0.47, 0.83, 0.7, 0.6] },
        { name: 'batch', ari: [NaN, 0.1, 0.1, 0.05] },
        { name: 'none', ari: [NaN, NaN, NaN, NaN] },
      ],
      [2, 3, 4, 5],
    );
    expect(best).toEqual({ phenotype: { k: 3, ari: 0.83 }, batch: { k: 3, ari: 0.1 } });
  });
});
