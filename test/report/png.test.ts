import { describe, expect, it } from 'vitest';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32, encodePng, pngDataUrl } from '../../tasks/report/png.js';
import { CONSENSUS_RAMP, consensusRaster, rampColor } from '../../tasks/report/heatmap.js';
import { decodePng, pixelAt } from './pngdecode.js';

const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

describe('crc32', () => {
  it('matches the check value and zlib', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 255);
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    expect(crc32(bytes, 10, 500)).toBe(zlibCrc32(bytes.subarray(10, 500)));
  });
});

describe('encodePng', () => {
  it('RGB round trip: signature, IHDR size, CRCs, pixels', () => {
    const w = 5;
    const h = 3;
    const px = new Uint8Array(w * h * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 11) & 255;
    const png = encodePng(w, h, px, 3);
    const d = decodePng(png);
    expect(d.chunks).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect([d.width, d.height, d.channels]).toEqual([5, 3, 3]);
    expect(Array.from(d.pixels)).toEqual(Array.from(px));
    expect(pixelAt(d, 4, 2)).toEqual([(14 * 3 * 11) & 255, (43 * 11) & 255, (44 * 11) & 255]);
  });

  it('RGBA round trip', () => {
    const px = Uint8Array.of(1, 2, 3, 4, 250, 251, 252, 253);
    const d = decodePng(encodePng(2, 1, px, 4));
    expect(d.channels).toBe(4);
    expect(pixelAt(d, 1, 0)).toEqual([250, 251, 252, 253]);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => encodePng(2, 2, new Uint8Array(11), 3)).toThrow(/expected 12 bytes/);
    expect(() => encodePng(0, 2, new Uint8Array(0), 3)).toThrow(/invalid size/);
  });

  it('data URL carries the same bytes', () => {
    const png = encodePng(1, 1, Uint8Array.of(9, 8, 7), 3);
    const url = pngDataUrl(png);
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    expect(Buffer.from(url.split(',')[1]!, 'base64').equals(Buffer.from(png))).toBe(true);
  });
});

describe('consensus raster', () => {
  it('ramp: 0 is white, 1 is the darkest stop, midpoints interpolate', () => {
    expect(rampColor(0)).toEqual([255, 255, 255]);
    expect(rampColor(1)).toEqual(hex(CONSENSUS_RAMP[8]!));
    expect(rampColor(0.5)).toEqual(hex(CONSENSUS_RAMP[4]!));
    expect(rampColor(2)).toEqual(rampColor(1));
    expect(rampColor(NaN)).toEqual([0xbb, 0xbb, 0xbb]);
  });

  it('reorders by the leaf order and enlarges by pixel replication', () => {
    // n = 3: C(0,2) = 1 only off the diagonal; order [2, 0, 1] puts it at (row 0, col 1).
    const n = 3;
    const c = Float64Array.from([1, 0, 1, 0, 1, 0, 1, 0, 1]);
    const r = consensusRaster(c, n, [2, 0, 1], { minPixels: 300 });
    expect(r.scale).toBe(100);
    expect([r.width, r.height, r.block]).toEqual([300, 300, 1]);
    const d = decodePng(encodePng(r.width, r.height, r.pixels, 3));
    const dark = hex(CONSENSUS_RAMP[8]!);
    expect(pixelAt(d, 150, 50)).toEqual(dark); // (order 0, order 1) = C(2, 0) = 1
    expect(pixelAt(d, 250, 50)).toEqual([255, 255, 255]); // C(2, 1) = 0
    expect(pixelAt(d, 299, 299)).toEqual(dark); // diagonal
    expect(pixelAt(d, 199, 0)).toEqual(dark); // last replicated column of cell (0, 1)
    expect(pixelAt(d, 200, 0)).toEqual([255, 255, 255]);
  });

  it('block-averages above maxCells', () => {
    const n = 4;
    const c = new Float64Array(16);
    c[0] = 1; // block (0, 0) of size 2 has mean 0.25
    const r = consensusRaster(c, n, [0, 1, 2, 3], { maxCells: 2, minPixels: 1 });
    expect([r.width, r.block, r.scale]).toEqual([2, 2, 1]);
    expect(Array.from(r.pixels.subarray(0, 3))).toEqual(rampColor(0.25));
    expect(Array.from(r.pixels.subarray(3, 6))).toEqual([255, 255, 255]);
  });

  it('rejects a matrix or order of the wrong size', () => {
    expect(() => consensusRaster(new Float64Array(8), 3, [0, 1, 2])).toThrow(/expected 9/);
    expect(() => consensusRaster(new Float64Array(9), 3, [0, 1])).toThrow(/order/);
  });
});
