/**
 * Loading the fused kernels: tasks/lib/engine/assembly/kernels.ts compiled by AssemblyScript (wasm
 * SIMD) into dist/kernels/nmf.wasm at build time (`npm run build:kernels`, part of `npm run build`).
 * One instance per thread: wasm is single-threaded, so each worker_thread loads its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../paths.js';

export interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  brunetRows(A: number, rows: number, n: number, k: number, W: number, Hw: number, Ha: number, rs: number, num: number, colW: number, q: number, wnew: number, masks: number, eps: number, acc: number): void;
  brunetH(H: number, num: number, colW: number, n: number, k: number, eps: number, mask: number): void;
  rowSumsPlusEps(H: number, rs: number, n: number, k: number, eps: number): void;
  copyClamp(src: number, dst: number, count: number, mask: number): void;
  zero(p: number, bytes: number): void;
  leeRows(A: number, rows: number, n: number, k: number, W: number, Hw: number, HHt: number, num: number, WtW: number, colW: number, q: number, wnew: number, masks: number, eps: number, acc: number): void;
  leeH(H: number, num: number, WtW: number, tmp: number, n: number, k: number, eps: number, mask: number): void;
  halsRows(A: number, rows: number, n: number, k: number, W: number, Hw: number, HHt: number, num: number, WtW: number, colW: number, q: number, wnew: number, masks: number, eps: number, acc: number): void;
  halsH(H: number, num: number, WtW: number, n: number, k: number, mask: number): void;
  gram(H: number, HHt: number, n: number, k: number): void;
  addTo(dst: number, src: number, count: number): void;
  leeScale(colW: number, k: number, eps: number, masks: number): void;
  leeRescaleRows(W: number, rows: number, colW: number, k: number, masks: number): void;
  leeRescaleH(H: number, num: number, WtW: number, colW: number, n: number, k: number, masks: number, acc: number): void;
}

export const KERNEL_FILE = join('dist', 'kernels', 'nmf.wasm');

export function kernelPath(): string {
  return join(packageRoot(), KERNEL_FILE);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null when it was not built (then only the ops path is available). */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  const path = kernelPath();
  compiled = existsSync(path) ? new WebAssembly.Module(readFileSync(path)) : null;
  return compiled;
}

export function fusedAvailable(): boolean {
  try {
    return kernelModule() !== null;
  } catch {
    return false;
  }
}

/**
 * A fresh instance with a bump allocator over its memory. Regions are 16-byte aligned and never
 * freed: an instance serves one factorize call.
 */
export class Kernel {
  readonly x: KernelExports;
  private top: number;

  constructor() {
    const mod = kernelModule();
    if (!mod) throw new Error(`the fused kernels are not built (${kernelPath()} is missing); run npm run build, or pass --kernels ops`);
    this.x = new WebAssembly.Instance(mod, { env: { abort: () => { throw new Error('fused kernel aborted'); } } }).exports as unknown as KernelExports;
    this.top = align(this.x.heapBase());
  }

  /** Reserve `bytes` bytes (zeroed: fresh memory is zero and regions are never reused). */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = align(p + bytes);
    const need = this.top - this.x.memory.buffer.byteLength;
    if (need > 0) this.x.memory.grow(Math.ceil(need / 65536));
    return p;
  }

  /** A Float32Array view of `count` floats at `ptr` (views go stale when memory grows: do not keep them). */
  f32(ptr: number, count: number): Float32Array {
    return new Float32Array(this.x.memory.buffer, ptr, count);
  }

  /**
   * Give every region back for the next factorize call on this instance, zeroed as fresh memory is.
   * A pool thread keeps one instance for all its ranks, so its memory is that of its largest rank.
   */
  reset(): void {
    const base = align(this.x.heapBase());
    // Nothing allocated yet: the base may lie past the end of a fresh memory, where a fill traps.
    if (this.top > base) this.x.zero(base, this.top - base);
    this.top = base;
  }

  get bytesUsed(): number {
    return this.top;
  }
}

function align(p: number): number {
  return Math.ceil(p / 16) * 16;
}
