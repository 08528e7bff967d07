/**
 * The native kernels (tasks/lib/engine/native/, AVX2, 8 restarts per group) against the wasm kernels
 * (4 per group): every restart's W, H, labels, iterations and objective must be identical byte for
 * byte, for each algorithm, k in {2, 3, 5, 8, 9, 12} (unrolled and generic kernels), under the
 * connectivity and objective stop rules (restarts stop at different iterations, so lanes empty and
 * refill), resident or streamed, on 1 thread or 2 (restarts or rows split), and with several ranks in
 * one call (the last restarts of each k share mixed groups, which differ between 4 and 8 lanes).
 * The engine is the contract's "same input, parameters, seed and backend": the build only changes how
 * many restarts share a register.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { factorizeRanks, type FactorizeParams, type RestartResult } from '../../tasks/lib/engine/factorize.js';
import { kernelBuild, kernelLanes, nativeAvailable } from '../../tasks/lib/engine/fused/kernel.js';
import { cpuHasAvx2, plantedMatrix, withKernelBuild } from './helpers.js';

const m = 300;
const n = 37; // not a multiple of 4 or 8
const { A } = plantedMatrix(m, n, 4, 5);
const RESTARTS = Array.from({ length: 11 }, (_, r) => r); // one full group of 8 and a part-filled one
const STREAMED_MB = (23 * n * 4) / 2 ** 20; // blocks of 23 rows

function hasCompiler(): boolean {
  try {
    execFileSync(process.env.CXX || 'c++', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const CAN_BUILD = cpuHasAvx2() && hasCompiler();

function runWith(build: 'native' | 'wasm', ks: number[], params: FactorizeParams): Promise<Map<number, RestartResult[]>> {
  return withKernelBuild(build, () => {
    expect(kernelBuild()).toBe(build);
    return factorizeRanks(A, m, n, ks.map((k) => ({ k, restarts: RESTARTS })), params);
  });
}

function bytes(x: Float32Array | Uint16Array): string {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');
}

function identical(got: Map<number, RestartResult[]>, ref: Map<number, RestartResult[]>): void {
  expect([...got.keys()].sort()).toEqual([...ref.keys()].sort());
  for (const [k, rs] of ref) {
    const gs = got.get(k)!;
    expect(gs.map((r) => r.restart)).toEqual(rs.map((r) => r.restart));
    rs.forEach((r, i) => {
      const g = gs[i]!;
      expect({ k, restart: g.restart, iterations: g.iterations, converged: g.converged, objective: g.objective }).toEqual(
        { k, restart: r.restart, iterations: r.iterations, converged: r.converged, objective: r.objective });
      expect(bytes(g.labels)).toBe(bytes(r.labels));
      expect(bytes(g.W)).toBe(bytes(r.W));
      expect(bytes(g.H)).toBe(bytes(r.H));
    });
  }
}

describe('native kernels', () => {
  afterEach(() => {
    delete process.env.NMF_NATIVE;
  });

  it('are built and load wherever there is an x86-64 CPU with AVX2 and a C++ compiler (wasm elsewhere)', () => {
    if (CAN_BUILD) {
      expect(nativeAvailable()).toBe(true);
      expect(kernelLanes('native')).toBe(8);
      expect(kernelBuild()).toBe('native');
    } else {
      expect(kernelBuild()).toBe(nativeAvailable() ? 'native' : 'wasm');
    }
    expect(kernelLanes('wasm')).toBe(4);
    process.env.NMF_NATIVE = '0';
    expect(kernelBuild()).toBe('wasm');
  });

  // Without the native build there is nothing to compare; the test above fails where it should exist.
  const cases: { name: string; params: Partial<FactorizeParams> }[] = [
    { name: '1 thread', params: { workers: 1 } },
    { name: '1 thread, streamed', params: { workers: 1, maxDeviceMb: STREAMED_MB } },
    { name: '2 threads, restarts split', params: { workers: 2, split: 'restarts' } },
    { name: '2 threads, rows split', params: { workers: 2, split: 'rows', chunkRows: 64 } },
  ];
  for (const algorithm of ['brunet', 'lee', 'hals'] as const) {
    for (const stop of ['connectivity', 'objective'] as const) {
      it.runIf(nativeAvailable())(`${algorithm}, --stop ${stop}: identical to wasm at k = 2, 3, 5, 8, 9, 12 on 1 and 2 threads, resident and streamed`, async () => {
        const base: FactorizeParams = { algorithm, seed: 11, maxIter: 200, checkEvery: 10, stableChecks: 3, stop, tol: 1e-4, kernels: 'fused' };
        for (const c of cases) {
          for (const k of [2, 3, 5, 8, 9, 12]) {
            const params = { ...base, ...c.params };
            const ref = await runWith('wasm', [k], params);
            // The restarts must stop at different iterations, or no lane ever frees up early.
            if (k === 5) expect(new Set(ref.get(k)!.map((r) => r.iterations)).size).toBeGreaterThan(1);
            try {
              identical(await runWith('native', [k], params), ref);
            } catch (err) {
              throw new Error(`${c.name}, k = ${k}: ${(err as Error).message}`);
            }
          }
        }
      });
    }
    it.runIf(nativeAvailable())(`${algorithm}: identical to wasm with ks 2, 3, 4, 5, 9 in one call (mixed groups of 4 and of 8), 1 and 2 threads`, async () => {
      for (const workers of [1, 2]) {
        const params: FactorizeParams = { algorithm, seed: 3, maxIter: 150, checkEvery: 10, stableChecks: 2, kernels: 'fused', workers };
        const ks = [2, 3, 4, 5, 9];
        identical(await runWith('native', ks, params), await runWith('wasm', ks, params));
      }
    });
  }
});
