/** Consensus matrix from labels, and dispersion from contingency tables without C. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.js';
import { consensusFromLabels, dispersion, dispersionFromLabels, pac } from '../../tasks/lib/metrics/index.js';


function randomLabels(R: number, n: number, k: number, rand: () => number, wide = false): Uint8Array | Uint16Array {
  const out = wide ? new Uint16Array(R * n) : new Uint8Array(R * n);
  const truth = Array.from({ length: n }, () => Math.floor(rand() * k));
  for (let r = 0; r < R; r++) {
    // a relabeled, noisy copy of the truth, so that C has structure and ties
    const perm = Array.from({ length: k }, (_, a) => (a + r) % k);
    for (let i = 0; i < n; i++) out[r * n + i] = rand() < 0.7 ? perm[truth[i]!]! + (wide ? 300 : 0) : Math.floor(rand() * k);
  }
  return out;
}

describe('consensusFromLabels', () => {
  it('hand example', () => {
    // restart 0: [0, 0, 1]; restart 1: [1, 0, 0] -> (0,1) .5, (0,2) 0, (1,2) .5, diagonal 1
    const C = consensusFromLabels(new Uint8Array([0, 0, 1, 1, 0, 0]), 2, 3);
    expect(Array.from(C)).toEqual([1, 0.5, 0, 0.5, 1, 0.5, 0, 0.5, 1]);
  });

  it('equals the pairwise definition (brute force) and count / R exactly', () => {
    const rand = mulberry32(5);
    for (const [R, n, k] of [[1, 7, 3], [7, 30, 4], [20, 41, 6], [50, 13, 2]] as const) {
      const L = randomLabels(R, n, k, rand);
      const C = consensusFromLabels(L, R, n);
      let bad = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let same = 0;
          for (let r = 0; r < R; r++) if (L[r * n + i] === L[r * n + j]) same++;
          if (C[i * n + j] !== same / R) bad++;
        }
      }
      expect(bad).toBe(0);
    }
  });

  it('handles tiles larger than one row block and wide label codes', () => {
    const rand = mulberry32(8);
    const n = 1100; // > 2^20 / n rows per tile -> several tiles
    const R = 3;
    const L = randomLabels(R, n, 5, rand, true);
    const C = consensusFromLabels(L, R, n);
    let bad = 0;
    for (let t = 0; t < 20000; t++) {
      const i = Math.floor(rand() * n);
      const j = Math.floor(rand() * n);
      let same = 0;
      for (let r = 0; r < R; r++) if (L[r * n + i] === L[r * n + j]) same++;
      if (C[i * n + j] !== same / R) bad++;
    }
    expect(bad).toBe(0);
  });

  it('gives values on the 1/R grid, so PAC bounds are exact', () => {
    // 10 restarts: pair (0,1) together in 1 restart (C = 0.1, not counted), pair (0,2) in 5 (counted).
    const R = 10;
    const n = 3;
    const L = new Uint8Array(R * n);
    for (let r = 0; r < R; r++) {
      L[r * n] = 0;
      L[r * n + 1] = r === 0 ? 0 : 1;
      L[r * n + 2] = r < 5 ? 0 : 2;
    }
    const C = consensusFromLabels(L, R, n);
    expect(C[1]).toBe(0.1);
    expect(C[2]).toBe(0.5);
    expect(C[5]).toBe(0.1); // (1,2): together only in restart 0
    expect(pac(C, n)).toBeCloseTo(1 / 3, 15); // only (0,2) = .5 lies strictly inside (.1, .9)
    expect(pac(C, n, 0.09, 0.9)).toBeCloseTo(1, 15);
  });

  it('rejects a wrong length', () => {
    expect(() => consensusFromLabels(new Uint8Array(5), 2, 3)).toThrow();
  });
});

describe('dispersionFromLabels', () => {
  it('equals dispersion(consensusFromLabels(...)) to 1e-12', () => {
    const rand = mulberry32(42);
    const cases: [number, number, number, boolean][] = [
      [1, 10, 3, false],
      [2, 3, 2, false],
      [5, 50, 4, false],
      [20, 120, 6, true],
      [50, 200, 3, false],
      [30, 301, 12, true],
    ];
    for (const [R, n, k, wide] of cases) {
      const L = randomLabels(R, n, k, rand, wide);
      const direct = dispersion(consensusFromLabels(L, R, n), n);
      const fromLabels = dispersionFromLabels(L, R, n);
      expect(Math.abs(direct - fromLabels)).toBeLessThan(1e-12);
      expect(fromLabels).toBeGreaterThan(0);
      expect(fromLabels).toBeLessThanOrEqual(1);
    }
  });

  it('is 1 when every restart agrees (up to relabeling)', () => {
    const n = 9;
    const R = 4;
    const L = new Uint8Array(R * n);
    for (let r = 0; r < R; r++) for (let i = 0; i < n; i++) L[r * n + i] = ((i % 3) + r) % 3;
    expect(dispersionFromLabels(L, R, n)).toBe(1);
  });

  it('hand example: two restarts that disagree on one pair', () => {
    // C = [[1,.5,0],[.5,1,.5],[0,.5,1]]: terms 1,0,1 / 0,1,0 / 1,0,1 -> 5 / 9
    expect(dispersionFromLabels(new Uint8Array([0, 0, 1, 1, 0, 0]), 2, 3)).toBeCloseTo(5 / 9, 15);
  });
});
