/**
 * The engine contract: the types every engine path (tfjs ops, streamed ops, fused wasm) shares, and
 * the interface each path implements (see registry.ts and select.ts). Types only, so any engine
 * module may import it without an import cycle.
 */
import type { Algorithm } from '../types.js';
import type { StopParams } from './stopping.js';

/** float32's smallest normal value: factors are clamped up to it at every check (R NMF brunet). */
export const FLOAT32_TINY = 1.1754943508222875e-38;
export const DEFAULT_EPS = 1e-9;

/**
 * Which update kernels run: tfjs-core ops on the active backend (the reference), the fused wasm
 * kernels, or the fused WGSL kernels on a WebGPU device (what `--kernels fused` means on the webgpu backend).
 */
export type Kernels = 'ops' | 'fused' | 'wgsl';

export interface FactorizeParams extends StopParams {
  algorithm: Algorithm;
  seed: number;
  eps?: number;
  /**
   * 'ops' (default here): the update rules as tfjs-core ops on the active backend, the reference.
   * 'fused': the AssemblyScript wasm-SIMD kernels (fused/), independent of the tfjs backend.
   * 'wgsl': the WGSL kernels (webgpu/) on a WebGPU device of their own (Dawn), independent of tfjs.
   */
  kernels?: Kernels;
  /**
   * Fused: worker_threads to run the restarts on (1 = this thread). The ops path always runs in the
   * calling thread (its backend owns the device). Results do not depend on it.
   */
  workers?: number;
  /**
   * Device memory budget for A in MiB: above it A stays on the host and is processed in blocks of
   * rows every iteration (row-block streaming). Undefined = no limit.
   */
  maxDeviceMb?: number;
  /**
   * Fused, workers > 1: 'restarts' splits restarts over threads, 'rows' splits rows (every thread runs
   * every restart on its chunks of rows), 'auto' (default) splits rows when there are too few restarts
   * to give every thread a SIMD group (8 or 4 restarts, fused/kernel.ts) and A has at least two chunks. Same numbers either way.
   */
  split?: 'auto' | 'rows' | 'restarts';
  /**
   * Ops path, A resident: advance the restarts of a k as one batch of 3-D tensors (ops-batched.ts)
   * rather than one restart at a time. Default: on the tensorflow backend only (tests set it on cpu).
   */
  batched?: boolean;
  /** WGSL kernels: most restarts per batch (tests only; default: as many as the device's buffers take). */
  maxBatch?: number;
  /** Rows per chunk of the fused kernels' fixed summation order (tests only; default CHUNK_ROWS). */
  chunkRows?: number;
}

export interface RestartResult {
  restart: number;
  /** argmax labels of the final H, 0..k-1, one per sample. */
  labels: Uint16Array;
  iterations: number;
  converged: boolean;
  objective: number;
  relError: number;
  /** m x k and k x n, row-major float32. */
  W: Float32Array;
  H: Float32Array;
}

export interface ProgressEvent {
  k: number;
  iteration: number;
  active: number;
  done: number;
  total: number;
}

/** The restarts of one rank to run. */
export interface RankJob {
  k: number;
  restarts: readonly number[];
}

/** One call of an engine path: every restart of every rank in `ranks`, on A (m x n, row-major float32). */
export interface EngineJob {
  A: Float32Array;
  m: number;
  n: number;
  ranks: readonly RankJob[];
  params: FactorizeParams;
  /** Rows of A per block (row-block streaming), or null when A is resident. */
  blockRows: number | null;
  /** Each restart's result as it finishes (in no particular order). */
  onResult(k: number, r: RestartResult): void;
  onProgress?(e: ProgressEvent): void;
}

/** What select.ts decides a request needs. */
export interface PathRequest {
  kernels: Kernels;
  streamed: boolean;
}

/** One engine path. Every path registers itself (registry.ts); select.ts picks one per request. */
export interface EnginePath {
  readonly name: string;
  /** Does this path serve the request? Exactly one registered path does. */
  accepts(req: PathRequest): boolean;
  /**
   * The one-line message (exit 2, naming the flag and the fix) when this path cannot run `params`
   * (an algorithm or stop rule it does not implement), else null. Checked before any work.
   */
  refuses?(params: FactorizeParams): string | null;
  /** The largest block of A it copies at once, in MiB (the fused path caps blocks), or Infinity. */
  readonly blockCapMb: number;
  run(job: EngineJob): Promise<void>;
}
