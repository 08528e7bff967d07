/**
 * The webgpu backend (Dawn via the `webgpu` package) against wasm on a small planted problem. CI
 * installs Mesa lavapipe (a software Vulkan device) so this runs there on every push; on a machine
 * with no WebGPU adapter and outside CI it is reported as skipped, never as passed.
 */
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../tasks/lib/engine/backend.js';
import { factorizeRestarts, type FactorizeParams } from '../../tasks/lib/engine/factorize.js';
import { plantedMatrix, webgpuAvailable } from './helpers.js';

const available = await webgpuAvailable();

describe.skipIf(!available)('webgpu backend (lavapipe in CI)', () => {
  it('gives the same labels as wasm and objectives within 1e-4 relative', async () => {
    const m = 48;
    const n = 18;
    const { A } = plantedMatrix(m, n, 3, 9);
    const params: FactorizeParams = { algorithm: 'brunet', seed: 31, maxIter: 200, checkEvery: 10, stableChecks: 0 };
    for (const algorithm of ['brunet', 'lee'] as const) {
      await useBackend('wasm');
      const wasm = await factorizeRestarts(A, m, n, 3, [0, 1], { ...params, algorithm });
      const chosen = await useBackend('webgpu');
      expect(chosen.name).toBe('webgpu');
      const gpu = await factorizeRestarts(A, m, n, 3, [0, 1], { ...params, algorithm });
      gpu.forEach((r, i) => {
        expect(Array.from(r.labels)).toEqual(Array.from(wasm[i]!.labels));
        expect(Math.abs(r.objective - wasm[i]!.objective) / wasm[i]!.objective).toBeLessThan(1e-4);
      });
    }
    await useBackend('wasm');
  }, 300_000);
});
