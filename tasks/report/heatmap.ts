/**
 * The consensus matrix as pixels: reordered by the tree's leaf order, mapped through a white-to-dark
 * blue ramp, block-averaged when n is large and enlarged by integer pixel replication when n is small.
 */

/** Colour stops at 0, 1/8, ..., 1 (ColorBrewer "Blues", starting from pure white), linear in RGB. */
export const CONSENSUS_RAMP: readonly string[] = [
  '#ffffff',
  '#deebf7',
  '#c6dbef',
  '#9ecae1',
  '#6baed6',
  '#4292c6',
  '#2171b5',
  '#08519c',
  '#08306b',
];

/** Grey for values that are not finite numbers. */
const MISSING: readonly [number, number, number] = [0xbb, 0xbb, 0xbb];

const RAMP_RGB: readonly (readonly [number, number, number])[] = CONSENSUS_RAMP.map((h) => [
  parseInt(h.slice(1, 3), 16),
  parseInt(h.slice(3, 5), 16),
  parseInt(h.slice(5, 7), 16),
]);

/** RGB of consensus value `v` (clamped to [0, 1]); grey when `v` is not finite. */
export function rampColor(v: number): [number, number, number] {
  const out = new Uint8Array(3);
  rampInto(v, out, 0);
  return [out[0]!, out[1]!, out[2]!];
}

/** rampColor written into `out` at `p`, allocating nothing (a heatmap has up to a million cells). */
function rampInto(v: number, out: Uint8Array, p: number): void {
  if (!Number.isFinite(v)) {
    out.set(MISSING, p);
    return;
  }
  const t = Math.min(1, Math.max(0, v)) * (RAMP_RGB.length - 1);
  const i = Math.min(RAMP_RGB.length - 2, Math.floor(t));
  const f = t - i;
  const a = RAMP_RGB[i]!;
  const b = RAMP_RGB[i + 1]!;
  for (let c = 0; c < 3; c++) out[p + c] = Math.round(a[c]! + (b[c]! - a[c]!) * f);
}

export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, row-major, top row first. */
  pixels: Uint8Array;
}

export interface HeatmapRaster extends RgbImage {
  /** Matrix cells per pixel before enlarging (1 unless n > maxCells). */
  block: number;
  /** Pixels per (block of) cell(s) after enlarging. */
  scale: number;
}

export interface HeatmapOptions {
  /** Above this many cells per side, average b x b blocks (b = ceil(n / maxCells)). Default 1000. */
  maxCells?: number;
  /** Enlarge by the smallest integer factor that makes the image at least this many pixels wide. Default 300. */
  minPixels?: number;
}

/**
 * Render the n x n row-major `matrix`, rows and columns taken in `order`, as an RGB image.
 * Pixel (x, y) of the unenlarged grid shows the mean of C[order[y*b + i], order[x*b + j]] over the
 * block; enlarging replicates each pixel `scale` x `scale` times.
 */
export function consensusRaster(
  matrix: ArrayLike<number>,
  n: number,
  order: readonly number[],
  opts: HeatmapOptions = {},
): HeatmapRaster {
  if (matrix.length !== n * n) throw new Error(`consensusRaster: matrix has ${matrix.length} values, expected ${n * n}`);
  if (order.length !== n) throw new Error(`consensusRaster: order has ${order.length} entries, expected ${n}`);
  const maxCells = opts.maxCells ?? 1000;
  const minPixels = opts.minPixels ?? 300;
  const block = Math.max(1, Math.ceil(n / maxCells));
  const g = Math.ceil(n / block);
  const scale = Math.max(1, Math.ceil(minPixels / g));
  const size = g * scale;
  const pixels = new Uint8Array(size * size * 3);
  const rgb = new Uint8Array(3);
  for (let by = 0; by < g; by++) {
    for (let bx = 0; bx < g; bx++) {
      let sum = 0;
      let count = 0;
      let bad = false;
      for (let i = by * block; i < Math.min(n, (by + 1) * block); i++) {
        const row = order[i]! * n;
        for (let j = bx * block; j < Math.min(n, (bx + 1) * block); j++) {
          const v = matrix[row + order[j]!]!;
          if (!Number.isFinite(v)) bad = true;
          sum += v;
          count++;
        }
      }
      rampInto(bad ? NaN : sum / count, rgb, 0);
      const r = rgb[0]!;
      const gg = rgb[1]!;
      const b = rgb[2]!;
      for (let yy = by * scale; yy < (by + 1) * scale; yy++) {
        let p = (yy * size + bx * scale) * 3;
        for (let xx = 0; xx < scale; xx++) {
          pixels[p++] = r;
          pixels[p++] = gg;
          pixels[p++] = b;
        }
      }
    }
  }
  return { width: size, height: size, pixels, block, scale };
}
