import { describe, expect, it } from 'vitest';
import { ANNOTATION_COLORS, CLUSTER_COLORS, MISSING_COLOR } from '../../tasks/report/palette.js';

/** CIE76 colour difference: Euclidean distance in CIELAB (sRGB, D65). */
function lab(hex: string): [number, number, number] {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = [1, 3, 5].map((i) => lin(parseInt(hex.slice(i, i + 2), 16) / 255)) as [number, number, number];
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const X = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const Y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const Z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * Y - 16, 500 * (X - Y), 200 * (Y - Z)];
}
const dE = (a: string, b: string) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]!));
const pairs = (xs: readonly string[]) => xs.flatMap((a, i) => xs.slice(i + 1).map((b) => [a, b] as const));

describe('strip palettes', () => {
  it('reference values: white vs black is 100, a colour vs itself 0', () => {
    expect(dE('#ffffff', '#000000')).toBeCloseTo(100, 1);
    expect(dE('#4c78a8', '#4c78a8')).toBe(0);
  });

  it('every annotation colour is at least 25 CIE76 units from every cluster colour (was 10.5: #ffd92f vs #eeca3b)', () => {
    for (const a of ANNOTATION_COLORS) for (const c of CLUSTER_COLORS) expect(dE(a, c), `${a} vs ${c}`).toBeGreaterThanOrEqual(25);
  });

  it('colours within each palette, and the missing grey, are at least 25 apart', () => {
    for (const [a, b] of [...pairs(CLUSTER_COLORS), ...pairs(ANNOTATION_COLORS)]) expect(dE(a, b), `${a} vs ${b}`).toBeGreaterThanOrEqual(25);
    for (const a of ANNOTATION_COLORS) expect(dE(a, MISSING_COLOR), a).toBeGreaterThanOrEqual(25);
  });
});
