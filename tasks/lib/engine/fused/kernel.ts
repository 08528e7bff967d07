/**
 * Loading the fused kernels, in one of two builds of the same arithmetic:
 * - wasm: tasks/lib/engine/assembly/kernels.ts compiled by AssemblyScript (wasm SIMD, 4 lanes) into
 *   dist/kernels/nmf.wasm (`npm run build:kernels`). Runs everywhere.
 * - native: tasks/lib/engine/native/kernels.cc (AVX2, 8 lanes) in dist/kernels/nmf-native.node
 *   (`npm run build:native`), where it was built and the CPU has AVX2. Each lane does the wasm
 *   kernel's operations in the same order, so a restart's numbers are identical byte for byte (tested);
 *   only the number of restarts per group differs. NMF_NATIVE=0 in the environment keeps to wasm.
 * Both build steps are part of `npm run build`. One instance per thread: each worker_thread loads its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
export const NATIVE_FILE = join('dist', 'kernels', 'nmf-native.node');

export type KernelBuild = 'native' | 'wasm';
/** What each build is called in logs and the bench. */
export const BUILD_NAMES: Record<KernelBuild, string> = { native: 'native AVX2 build, 8 lanes', wasm: 'wasm SIMD build, 4 lanes' };
const WASM_LANES = 4;

/** The native module's functions: those of KernelExports, each taking the kernel memory first. */
type NativeModule = { lanes: number } & Record<string, (memory: ArrayBuffer, ...args: number[]) => void>;
let native: NativeModule | null | undefined;

/** The native module, or null where it was not built, does not load, or the CPU lacks AVX2. */
function nativeModule(): NativeModule | null {
  if (native !== undefined) return native;
  native = null;
  const path = join(packageRoot(), NATIVE_FILE);
  if (existsSync(path)) {
    try {
      const mod = createRequire(import.meta.url)(path) as NativeModule;
      if (mod.lanes > 0) native = mod;
    } catch {
      // Built for another Node ABI or machine: the wasm build serves.
    }
  }
  return native;
}

export function nativeAvailable(): boolean {
  return nativeModule() !== null;
}

/** The build this process runs: native where available, unless NMF_NATIVE=0. */
export function kernelBuild(): KernelBuild {
  return process.env.NMF_NATIVE !== '0' && nativeAvailable() ? 'native' : 'wasm';
}

/** Restarts per SIMD group of a build. */
export function kernelLanes(build: KernelBuild = kernelBuild()): number {
  return build === 'native' ? nativeModule()!.lanes : WASM_LANES;
}

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

/** The native functions over a memory of their own, behind the wasm instance's interface. */
function nativeExports(mod: NativeModule): KernelExports {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const x: Record<string, unknown> = {
    memory,
    heapBase: () => 64,
    zero: (p: number, bytes: number) => new Uint8Array(memory.buffer, p, bytes).fill(0),
  };
  for (const [name, fn] of Object.entries(mod)) {
    if (typeof fn === 'function') x[name] = (...args: number[]) => fn(memory.buffer, ...args);
  }
  return x as unknown as KernelExports;
}

/**
 * A fresh instance with a bump allocator over its memory. Regions are aligned to one v (16 or 32
 * bytes) and never freed: an instance serves one factorize call.
 */
export class Kernel {
  readonly x: KernelExports;
  readonly build: KernelBuild;
  /** Restarts per group: every v of a layout (assembly/kernels.ts) holds this many f32. */
  readonly lanes: number;
  private top: number;

  constructor(build: KernelBuild = kernelBuild()) {
    this.build = build;
    this.lanes = kernelLanes(build);
    if (build === 'native') {
      const mod = nativeModule();
      if (!mod) throw new Error(`the native kernels are not available (${NATIVE_FILE}); run npm run build, or set NMF_NATIVE=0`);
      this.x = nativeExports(mod);
    } else {
      const mod = kernelModule();
      if (!mod) throw new Error(`the fused kernels are not built (${kernelPath()} is missing); run npm run build, or pass --kernels ops`);
      this.x = new WebAssembly.Instance(mod, { env: { abort: () => { throw new Error('fused kernel aborted'); } } }).exports as unknown as KernelExports;
    }
    this.top = this.align(this.x.heapBase());
  }

  private align(p: number): number {
    const v = this.lanes * 4;
    return Math.ceil(p / v) * v;
  }

  /** Reserve `bytes` bytes (zeroed: fresh memory is zero and regions are never reused). */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = this.align(p + bytes);
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
    const base = this.align(this.x.heapBase());
    // Nothing allocated yet: the base may lie past the end of a fresh memory, where a fill traps.
    if (this.top > base) this.x.zero(base, this.top - base);
    this.top = base;
  }

  get bytesUsed(): number {
    return this.top;
  }
}
