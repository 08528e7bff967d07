/** Factor stability on synthetic W matrices. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.js';
import { adjustedRandIndex, clusterFactors, factorStability } from '../../tasks/lib/metrics/index.js';


/** k base factors (m x k, row-major) with mostly disjoint supports, like NMF metagenes. */
function baseFactors(m: number, k: number, rand: () => number): Float64Array {
  const W = new Float64Array(m * k);
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < k; c++) W[i * k + c] = (i % k === c ? 1 + rand() : 0) + 0.05 * rand();
  }
  return W;
}

/** A restart: the base factors with columns permuted by perm, scaled, plus relative noise. */
function restart(base: Float64Array, m: number, k: number, perm: number[], noise: number, rand: () => number): Float64Array {
  const W = new Float64Array(m * k);
  for (let c = 0; c < k; c++) {
    const scale = 0.5 + rand() * 3;
    for (let i = 0; i < m; i++) W[i * k + c] = scale * base[i * k + perm[c]!]! * (1 + noise * (rand() - 0.5));
  }
  return W;
}

function shuffled(k: number, rand: () => number): number[] {
  const p = Array.from({ length: k }, (_, i) => i);
  for (let i = k - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

describe('factorStability', () => {
  const m = 60;
  const k = 4;
  const R = 12;

  it('identical restarts (permuted, rescaled columns) score ~1 and are matched up', () => {
    const rand = mulberry32(1);
    const base = baseFactors(m, k, rand);
    const perms = Array.from({ length: R }, () => shuffled(k, rand));
    const Ws = perms.map((p) => restart(base, m, k, p, 0, rand));
    const s = factorStability(Ws, m, k);
    expect(s.mean).toBeGreaterThan(1 - 1e-9);
    expect(s.min).toBeGreaterThan(1 - 1e-9);
    expect(s.mean).toBeLessThanOrEqual(1 + 1e-12);
    // The k groups are exactly "same base factor".
    const { assignment } = clusterFactors(Ws, m, k);
    const truth = perms.flatMap((p) => p);
    expect(adjustedRandIndex(Array.from(assignment), truth)).toBe(1);
  });

  it('noisy restarts score high but below 1; random restarts score lower', () => {
    const rand = mulberry32(2);
    const base = baseFactors(m, k, rand);
    const noisy = Array.from({ length: R }, () => restart(base, m, k, shuffled(k, rand), 0.6, rand));
    const random = Array.from({ length: R }, () => Float64Array.from({ length: m * k }, () => rand()));
    const sNoisy = factorStability(noisy, m, k);
    const sRandom = factorStability(random, m, k);
    expect(sNoisy.mean).toBeGreaterThan(0.7);
    expect(sNoisy.mean).toBeLessThan(1 - 1e-6);
    expect(sNoisy.min).toBeLessThanOrEqual(sNoisy.mean + 1e-12);
    expect(sRandom.mean).toBeLessThan(0.4);
    expect(sRandom.mean).toBeLessThan(sNoisy.mean - 0.3);
    expect(sRandom.min).toBeLessThanOrEqual(sRandom.mean + 1e-12);
  });

  it('is deterministic and accepts Float32 input', () => {
    const rand = mulberry32(3);
    const base = baseFactors(m, k, rand);
    const Ws = Array.from({ length: R }, () => Float32Array.from(restart(base, m, k, shuffled(k, rand), 0.8, rand)));
    expect(factorStability(Ws, m, k)).toEqual(factorStability(Ws, m, k));
    expect(Number.isFinite(factorStability(Ws, m, k).mean)).toBe(true);
  });

  it('edge cases: k = 1, R = 1, zero columns never give NaN', () => {
    const rand = mulberry32(4);
    const base = baseFactors(m, 1, rand);
    const same = Array.from({ length: 5 }, () => restart(base, m, 1, [0], 0, rand));
    const s1 = factorStability(same, m, 1);
    expect(s1.mean).toBeCloseTo(1, 12);
    expect(s1.min).toBe(s1.mean);
    const diff = Array.from({ length: 5 }, () => Float64Array.from({ length: m }, () => (rand() < 0.2 ? rand() : 0)));
    expect(factorStability(diff, m, 1).mean).toBeLessThan(0.6); // sparse random columns barely overlap
    expect(factorStability([restart(baseFactors(m, k, rand), m, k, [0, 1, 2, 3], 0, rand)], m, k)).toEqual({ min: 1, mean: 1 });
    const zeros = Array.from({ length: 3 }, () => new Float64Array(m * k));
    const z = factorStability(zeros, m, k);
    expect(Number.isNaN(z.mean) || Number.isNaN(z.min)).toBe(false);
  });

  it('rejects mis-sized matrices', () => {
    expect(() => factorStability([new Float64Array(5)], 3, 2)).toThrow();
    expect(() => factorStability([], 3, 2)).toThrow();
  });
});
