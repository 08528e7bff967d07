import { describe, expect, it } from 'vitest';
import { brunetRule, recommend } from '../../tasks/report/recommend.js';
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

describe('recommend', () => {
  it('states the drop in words with both values', () => {
    const r = recommend(rows([2, 3, 4, 5], [0.962, 0.997, 0.986, 0.975]));
    expect(r.recommended_k).toBe(3);
    expect(r.rule).toBe('brunet-cophenetic-drop');
    expect(r.reasons[0]).toMatch(/0\.997 at k=3 and drops by 0\.011 to 0\.986 at k=4/);
    expect(r.reasons[0]).toMatch(/Brunet/);
  });

  it('monotone increase: the largest k and a suggestion to widen the range', () => {
    const r = recommend(rows([2, 3, 4], [0.8, 0.9, 0.99]));
    expect(r.recommended_k).toBe(4);
    expect(r.reasons[0]).toMatch(/never decreases/);
    expect(r.reasons[0]).toMatch(/wider range/);
    expect(r.reasons[0]).toMatch(/--ks 2-7/);
  });

  it('single k', () => {
    const r = recommend(rows([3], [0.9]));
    expect(r.recommended_k).toBe(3);
    expect(r.reasons[0]).toMatch(/Only k=3/);
  });

  it('reports ties before the chosen k', () => {
    const r = recommend(rows([2, 3, 4], [0.95, 0.95, 0.94]));
    expect(r.recommended_k).toBe(3);
    expect(r.reasons.some((s) => /equal at k=2 and k=3.*not counted as a drop/.test(s))).toBe(true);
  });

  it('shows enough decimals that a small drop is visible', () => {
    const r = recommend(rows([2, 3], [0.99712, 0.99705]));
    expect(r.recommended_k).toBe(2);
    expect(r.reasons[0]).not.toMatch(/0\.997 at k=2 and drops by [0-9.e-]+ to 0\.997 /);
    expect(r.reasons[0]).toMatch(/drops by 0\.000070 to 0\.9970 at k=3/);
  });

  it('says where other metrics disagree and where they agree', () => {
    const r = recommend([
      row(2, { cophenetic: 0.9, silhouette: 0.5, pac: 0.3, dispersion: 0.6, stability_mean: 0.7 }),
      row(3, { cophenetic: 0.99, silhouette: 0.8, pac: 0.05, dispersion: 0.9, stability_mean: 0.9 }),
      row(4, { cophenetic: 0.95, silhouette: 0.85, pac: 0.01, dispersion: 0.9, stability_mean: 0.6 }),
    ]);
    expect(r.recommended_k).toBe(3);
    const text = r.reasons.join('\n');
    expect(text).toMatch(/Silhouette disagrees: it is highest at k=4 \(0\.850\), against 0\.800 at k=3/);
    expect(text).toMatch(/PAC .* disagrees: it is lowest at k=4/);
    expect(text).toMatch(/Dispersion agrees: it is highest at k=3 \(0\.900, tied with k=4\)/);
    expect(text).toMatch(/Factor stability \(mean\) agrees/);
  });

  it('no usable rho: smallest k as a placeholder, said so', () => {
    const r = recommend(rows([3, 2], [NaN, NaN]));
    expect(r.recommended_k).toBe(2);
    expect(r.reasons[0]).toMatch(/cannot be applied/);
  });

  it('throws on no rows', () => {
    expect(() => recommend([])).toThrow();
  });
});
