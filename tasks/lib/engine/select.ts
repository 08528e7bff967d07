/**
 * The one place that chooses an engine path. Every path module is imported here so it registers
 * itself (registry.ts); a request is answered by the one path that accepts it:
 *   kernels 'ops',   A within the device budget -> 'ops'          (ops.ts: tfjs-core ops, the reference)
 *   kernels 'ops',   A above the budget         -> 'ops-streamed' (streamed.ts: row blocks)
 *   kernels 'fused', either                     -> 'fused'        (fused/path.ts: wasm SIMD, worker pool)
 *   kernels 'wgsl',  either                     -> 'webgpu-fused' (webgpu/path.ts: WGSL on a WebGPU device)
 * A later path adds a module that registers itself and one import here.
 */
import './ops.js';
import './streamed.js';
import './fused/path.js';
import './webgpu/path.js';
import { ExitCode, NmfError } from '../errors.js';
import { blockRowsFor } from './blocks.js';
import { fusedAvailable, kernelPath } from './fused/kernel.js';
import { pathFor } from './registry.js';
import type { EnginePath, Kernels } from './types.js';

/** The backend label shards record for the fused kernels (they run on the CPU whatever tfjs backend is active). */
export const FUSED_BACKEND = 'wasm-fused';
/** The backend label shards record for the WGSL kernels: they round differently from wasm-fused and from tfjs-webgpu ops. */
export const WEBGPU_FUSED_BACKEND = 'webgpu-fused';

export interface PathChoice {
  path: EnginePath;
  kernels: Kernels;
  /** The backend label shards record: FUSED_BACKEND or WEBGPU_FUSED_BACKEND for fused kernels, else the tfjs backend. */
  label: string;
  /** Rows of A per block when A is above the device budget and streamed, else null. */
  blockRows: number | null;
}

/**
 * The one choice of engine path, for `--kernels` on a started tfjs backend and an m x n matrix.
 * Kernels: auto = fused on the wasm backend (`backend`) when built, the WGSL kernels on the webgpu backend,
 * else ops; `fused` on the webgpu backend means the WGSL kernels, elsewhere the wasm ones (which run on
 * the CPU whatever tfjs backend is active). Fused kernels round differently from tfjs ops, so shards say which ran
 * (consensus refuses to mix backends). Path: the one registered path that accepts (kernels, whether A
 * exceeds `maxDeviceMb`). Every fused thread holds its own copy of A, so `threads` of them share the
 * budget: A is streamed when all their copies would not fit.
 */
export function selectPath(req: { kernels?: 'auto' | Kernels; backend?: string; m: number; n: number; maxDeviceMb?: number; threads?: number }): PathChoice {
  const want = req.kernels ?? 'auto';
  const webgpu = req.backend === 'webgpu';
  if (want === 'fused' && !webgpu && !fusedAvailable()) {
    throw new NmfError(`--kernels fused: the fused kernels are not built (${kernelPath()} is missing); run npm run build, or pass --kernels ops.`, ExitCode.backendUnavailable);
  }
  const kernels: Kernels =
    want === 'wgsl' || (webgpu && want !== 'ops') ? 'wgsl'
    : want === 'fused' || (want === 'auto' && req.backend === 'wasm' && fusedAvailable()) ? 'fused'
    : 'ops';
  const threads = kernels === 'fused' ? Math.max(1, Math.floor(req.threads ?? 1)) : 1;
  const budget = req.maxDeviceMb === undefined ? undefined : req.maxDeviceMb / threads;
  const path = pathFor({ kernels, streamed: blockRowsFor(req.m, req.n, budget) !== null });
  return { path, kernels, label: kernels === 'fused' ? FUSED_BACKEND : kernels === 'wgsl' ? WEBGPU_FUSED_BACKEND : (req.backend ?? 'tfjs'), blockRows: blockRowsFor(req.m, req.n, budget, path.blockCapMb) };
}
