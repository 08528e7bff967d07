/**
 * Run by webgpu-probe.ts in a child process: asks Dawn for an adapter, opens a device on it and
 * round-trips one buffer through the GPU queue, then prints one JSON line (WebgpuProbe) on stdout.
 * It is a separate process because Dawn and the Vulkan drivers write native lines to fd 2 (e.g.
 * "error: XDG_RUNTIME_DIR is invalid or not set") that an in-process probe cannot silence.
 */
import type { WebgpuProbe } from './webgpu-probe.js';

interface Adapter {
  info?: { vendor?: string; architecture?: string; description?: string; device?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  requestDevice(): Promise<Device>;
}
interface Buffer {
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}
interface Device {
  createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): Buffer & { getMappedRange(): ArrayBuffer };
  createCommandEncoder(): { copyBufferToBuffer(a: Buffer, ao: number, b: Buffer, bo: number, n: number): void; finish(): unknown };
  queue: { submit(c: unknown[]): void };
  destroy(): void;
}

const GPU_BUFFER_COPY_SRC = 0x4;
const GPU_BUFFER_COPY_DST = 0x8;
const GPU_BUFFER_MAP_READ = 0x1;
const GPU_MAP_READ = 0x1;

async function probe(): Promise<WebgpuProbe> {
  let dawn: { create: (opts: string[]) => { requestAdapter(o?: object): Promise<Adapter | null> } };
  try {
    dawn = (await import('webgpu')) as unknown as typeof dawn;
  } catch {
    return { ok: false, reason: 'the `webgpu` package (Dawn) is not installed' };
  }
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { ok: false, reason: 'Dawn found no WebGPU adapter' };
  const info = adapter.info ?? {};
  const description = [info.vendor, info.architecture, info.description || info.device].filter((s) => s).join(' ').trim() || 'unnamed adapter';
  const software = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || /llvmpipe|lavapipe|swiftshader|software/i.test(description);
  // A device that opens and copies 16 bytes is one tfjs-webgpu can use; an adapter alone is not.
  const device = await adapter.requestDevice();
  const src = device.createBuffer({ size: 16, usage: GPU_BUFFER_COPY_SRC, mappedAtCreation: true });
  new Uint32Array(src.getMappedRange()).set([1, 2, 3, 4]);
  src.unmap();
  const dst = device.createBuffer({ size: 16, usage: GPU_BUFFER_COPY_DST | GPU_BUFFER_MAP_READ });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, dst, 0, 16);
  device.queue.submit([enc.finish()]);
  await dst.mapAsync(GPU_MAP_READ);
  const back = Array.from(new Uint32Array(dst.getMappedRange()));
  dst.unmap();
  device.destroy();
  if (back.join(',') !== '1,2,3,4') return { ok: false, reason: `the device on ${description} returned wrong data from a buffer copy`, adapter: description, software };
  return { ok: true, adapter: description, software };
}

/** Exit once the line is flushed: Dawn's threads would otherwise keep the process alive. */
function answer(r: WebgpuProbe): void {
  process.stdout.write(`${JSON.stringify(r)}\n`, () => process.exit(0));
}

probe().then(answer, (err: unknown) => answer({ ok: false, reason: `Dawn failed: ${(err as Error).message}` }));
