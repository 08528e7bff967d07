import { describe, expect, it } from 'vitest';
import { evaluateFit } from '../../tasks/lib/engine/objective.js';

describe('objectives (host, float64)', () => {
  // A 2x2, W 2x1, H 1x2: WH = [[1,2],[2,4]]
  const A = [1, 3, 2, 5];
  const W = [1, 2];
  const H = [1, 2];

  it('KL divergence sum A log(A/WH) - A + WH', () => {
    const want = 1 * Math.log(1) - 1 + 1 + (3 * Math.log(3 / 2) - 3 + 2) + 0 + (5 * Math.log(5 / 4) - 5 + 4);
    expect(evaluateFit('brunet', A, W, H, 2, 2, 1).objective).toBeCloseTo(want, 12);
  });

  it('Frobenius 1/2 ||A - WH||^2 and relative error ||A - WH|| / ||A||', () => {
    const fit = evaluateFit('lee', A, W, H, 2, 2, 1);
    expect(fit.objective).toBeCloseTo(0.5 * (0 + 1 + 0 + 1), 12);
    expect(fit.relError).toBeCloseTo(Math.sqrt(2) / Math.sqrt(1 + 9 + 4 + 25), 12);
  });

  it('treats 0 log 0 as 0', () => {
    expect(evaluateFit('brunet', [0, 1], [1], [0.5, 1], 1, 2, 1).objective).toBeCloseTo(0.5, 12);
  });
});
