/** A tiny PNG reader for the tests: checks signature and every chunk's CRC, inflates IDAT (filter 0 only). */
import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';

export interface Decoded {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
  chunks: string[];
}

export function decodePng(buf: Uint8Array): Decoded {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  sig.forEach((b, i) => {
    if (buf[i] !== b) throw new Error(`bad signature byte ${i}`);
  });
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  const chunks: string[] = [];
  while (off < buf.length) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...buf.subarray(off + 4, off + 8));
    const data = buf.subarray(off + 8, off + 8 + len);
    const crc = view.getUint32(off + 8 + len);
    if (zlibCrc32(buf.subarray(off + 4, off + 8 + len)) !== crc) throw new Error(`bad CRC in ${type}`);
    chunks.push(type);
    if (type === 'IHDR') {
      width = view.getUint32(off + 8);
      height = view.getUint32(off + 12);
      if (data[8] !== 8 || data[10] !== 0 || data[11] !== 0 || data[12] !== 0) throw new Error('unsupported IHDR');
      channels = data[9] === 2 ? 3 : data[9] === 6 ? 4 : 0;
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== (stride + 1) * height) throw new Error('bad IDAT length');
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    if (raw[y * (stride + 1)] !== 0) throw new Error(`filter ${raw[y * (stride + 1)]} on row ${y}`);
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, channels, pixels, chunks };
}

export function pixelAt(d: Decoded, x: number, y: number): number[] {
  const p = (y * d.width + x) * d.channels;
  return Array.from(d.pixels.subarray(p, p + d.channels));
}
