import { describe, expect, it } from 'vitest';
import { inputWarnings, summarizeValues, MANY_FEATURES } from '../../tasks/lib/input-warnings.js';
import { mulberry32 } from '../metrics/random.js';

const rnd = mulberry32(3);
const log2Expr = Float64Array.from({ length: 5000 }, () => 2 + 12 * rnd()); // microarray log2 intensities
const intensities = Float64Array.from({ length: 5000 }, () => 20 + Math.round(20000 * rnd() ** 3)); // MAS5-style, thresholded at 20
const counts = Float64Array.from({ length: 5000 }, () => (rnd() < 0.4 ? 0 : Math.floor(50 * rnd() ** 2))); // sparse counts
const codes = (w: { code: string }[]) => w.map((x) => x.code);

describe('input warnings', () => {
  it('summarizes the largest value, non-integers and zeros', () => {
    expect(summarizeValues([0, 1.5, 2, 0])).toEqual({ max: 2, nonInteger: 0.5, zeros: 0.5 });
  });

  it('log2 expression: warns that it looks log-transformed, unless log1p was asked for', () => {
    const v = summarizeValues(log2Expr);
    expect(codes(inputWarnings(v, { features: 1000, selected: false, normalize: 'none' }))).toEqual(['log-transformed']);
    expect(inputWarnings(v, { features: 1000, selected: false, normalize: 'log1p' })).toEqual([]);
  });

  it('sparse integer counts without --normalize: warns with the fix; normalized: quiet', () => {
    const v = summarizeValues(counts);
    const w = inputWarnings(v, { features: 1000, selected: true, normalize: 'none' });
    expect(codes(w)).toEqual(['counts-unnormalized']);
    expect(w[0]!.message).toMatch(/--normalize cp10k/);
    expect(inputWarnings(v, { features: 1000, selected: true, normalize: 'cp10k' })).toEqual([]);
  });

  it('integer microarray intensities without zeros (the ALL/AML example) are not taken for counts', () => {
    expect(inputWarnings(summarizeValues(intensities), { features: 5000, selected: false, normalize: 'none' })).toEqual([]);
  });

  it(`more than ${MANY_FEATURES} features without selection: warns naming --top-features 2000; with selection: quiet`, () => {
    const v = summarizeValues(intensities);
    const w = inputWarnings(v, { features: 12625, selected: false, normalize: 'none' });
    expect(codes(w)).toEqual(['many-features-unselected']);
    expect(w[0]!.message).toMatch(/^12625 features are used without selection.*--top-features 2000/);
    expect(inputWarnings(v, { features: 12625, selected: true, normalize: 'none' })).toEqual([]);
  });
});
