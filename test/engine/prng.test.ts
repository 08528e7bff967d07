import { describe, expect, it } from 'vitest';
import { initialFactors, restartStream } from '../../tasks/lib/engine/prng.js';

describe('restart PRNG (DESIGN section 2: keyed by seed, k, restart)', () => {
  it('gives the same numbers for the same key', () => {
    const a = initialFactors(123456789, 3, 7, 50, 20, 4);
    const b = initialFactors(123456789, 3, 7, 50, 20, 4);
    expect(Array.from(a.W)).toEqual(Array.from(b.W));
    expect(Array.from(a.H)).toEqual(Array.from(b.H));
  });

  it('gives different starts for different restarts, ranks and seeds', () => {
    const base = initialFactors(1, 3, 0, 40, 10, 1).W;
    for (const other of [initialFactors(1, 3, 1, 40, 10, 1).W, initialFactors(2, 3, 0, 40, 10, 1).W]) {
      let same = 0;
      for (let i = 0; i < base.length; i++) if (base[i] === other[i]) same++;
      expect(same).toBeLessThan(base.length / 100);
    }
    const k4 = restartStream(1, 4, 0);
    const k3 = restartStream(1, 3, 0);
    expect(k4()).not.toBe(k3());
  });

  it('draws uniform values in (0, 1], exact in float32, scaled by sqrt(mean(A)/k)', () => {
    const next = restartStream(42, 2, 5);
    let sum = 0;
    let min = 1;
    let max = 0;
    const N = 100000;
    for (let i = 0; i < N; i++) {
      const u = next();
      expect(Math.fround(u)).toBe(u);
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(Math.abs(sum / N - 0.5)).toBeLessThan(0.005);
    const { W } = initialFactors(42, 4, 0, 1000, 10, 16);
    let wmax = 0;
    for (const w of W) wmax = Math.max(wmax, w);
    expect(wmax).toBeLessThanOrEqual(Math.fround(Math.sqrt(16 / 4)) + 1e-6);
    expect(wmax).toBeGreaterThan(1.9);
  });
});
