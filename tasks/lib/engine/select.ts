/**
 * The one place that chooses an engine path. Every path module is imported here so it registers
 * itself (registry.ts); a request is answered by the one path that accepts it:
 *   kernels 'ops',   A within the device budget -> 'ops'          (ops.ts: tfjs-core ops, the reference)
 *   kernels 'ops',   A above the budget         -> 'ops-streamed' (streamed.ts: row blocks)
 *   kernels 'fused', either                     -> 'fused'        (fused/path.ts: wasm SIMD, worker pool)
 * A later path (e.g. GPU kernels) adds a module that registers itself and one import here.
 */
import './ops.js';
import './streamed.js';
import './fused/path.js';
import { ExitCode, NmfError } from '../errors.js';
import { blockRowsFor } from './blocks.js';
import { fusedAvailable, kernelPath } from './fused/kernel.js';
import { pathFor } from './registry.js';
import type { EnginePath, FactorizeParams, Kernels } from './types.js';

/** The backend label shards record for the fused kernels (they run on the CPU whatever tfjs backend is active). */
export const FUSED_BACKEND = 'wasm-fused';

/**
 * The kernels for `--kernels` on a started tfjs backend, and the backend label its shards record:
 * auto = fused on the wasm backend when built, else ops. Their float rounding differs from tfjs ops,
 * so shards say which was used (consensus refuses to mix backends).
 */
export function resolveKernels(requested: 'auto' | 'fused' | 'ops' | undefined, backend: string): { kernels: Kernels; label: string } {
  const req = requested ?? 'auto';
  if (req === 'fused' && !fusedAvailable()) {
    throw new NmfError(`--kernels fused: the fused kernels are not built (${kernelPath()} is missing); run npm run build, or pass --kernels ops.`, ExitCode.backendUnavailable);
  }
  const fused = req === 'fused' || (req === 'auto' && backend === 'wasm' && fusedAvailable());
  return fused ? { kernels: 'fused', label: FUSED_BACKEND } : { kernels: 'ops', label: backend };
}

/** The path for a factorization of an m x n matrix, and the rows per block when A is streamed (else null). */
export function selectPath(params: FactorizeParams, m: number, n: number): { path: EnginePath; blockRows: number | null } {
  const kernels = params.kernels ?? 'ops';
  const streamed = blockRowsFor(m, n, params.maxDeviceMb) !== null;
  const path = pathFor({ kernels, streamed });
  return { path, blockRows: blockRowsFor(m, n, params.maxDeviceMb, path.blockCapMb) };
}
