/** The one choice of engine path (select.ts): every request is served by exactly one registered path. */
import { describe, expect, it } from 'vitest';
import { selectPath, FUSED_BACKEND, WEBGPU_FUSED_BACKEND } from '../../tasks/lib/engine/select.js';
import { registeredPaths } from '../../tasks/lib/engine/registry.js';

describe('selectPath', () => {
  it('registers the four paths, and each (kernels, streamed) request has exactly one', () => {
    expect(registeredPaths().map((p) => p.name).sort()).toEqual(['fused', 'ops', 'ops-streamed', 'webgpu-fused']);
    for (const kernels of ['ops', 'fused', 'wgsl'] as const) {
      for (const streamed of [false, true]) {
        expect(registeredPaths().filter((p) => p.accepts({ kernels, streamed })).length).toBe(1);
      }
    }
  });

  it('ops: in memory within the budget, row blocks above it; shards record the tfjs backend', () => {
    const small = selectPath({ kernels: 'ops', backend: 'webgpu', m: 1000, n: 100, maxDeviceMb: 1 });
    expect([small.path.name, small.kernels, small.label, small.blockRows]).toEqual(['ops', 'ops', 'webgpu', null]);
    // 10,000 x 100 float32 = 3.8 MiB over a 1 MiB budget: blocks of 1 MiB / 400 B = 2621 rows.
    const large = selectPath({ kernels: 'ops', backend: 'webgpu', m: 10_000, n: 100, maxDeviceMb: 1 });
    expect([large.path.name, large.blockRows]).toEqual(['ops-streamed', 2621]);
  });

  it('fused: blocks of at most 16 MiB above the budget; shards record wasm-fused', () => {
    // 100,000 x 1000 float32 = 381 MiB over a 100 MiB budget: blocks capped at 16 MiB = 4194 rows.
    const f = selectPath({ kernels: 'fused', backend: 'cpu', m: 100_000, n: 1000, maxDeviceMb: 100 });
    expect([f.path.name, f.kernels, f.label, f.blockRows]).toEqual(['fused', 'fused', FUSED_BACKEND, 4194]);
    expect(selectPath({ kernels: 'fused', m: 100, n: 10 }).blockRows).toBeNull();
  });

  it('fused threads share the budget (each holds its own copy of A); the ops path is one thread', () => {
    // 25,000 x 1000 float32 = 95 MiB: resident for one thread under 100 MiB, streamed for four (25 MiB each).
    const one = selectPath({ kernels: 'fused', m: 25_000, n: 1000, maxDeviceMb: 100, threads: 1 });
    expect(one.blockRows).toBeNull();
    const four = selectPath({ kernels: 'fused', m: 25_000, n: 1000, maxDeviceMb: 100, threads: 4 });
    expect(four.blockRows).toBe(4194); // 16 MiB blocks
    expect(selectPath({ kernels: 'ops', m: 25_000, n: 1000, maxDeviceMb: 100, threads: 4 }).path.name).toBe('ops');
  });

  it('webgpu backend: auto and fused mean the WGSL kernels (shards record webgpu-fused), ops the tfjs ops; streamed above the budget', () => {
    for (const kernels of ['auto', 'fused'] as const) {
      const c = selectPath({ kernels, backend: 'webgpu', m: 10, n: 10 });
      expect([c.path.name, c.kernels, c.label, c.blockRows]).toEqual(['webgpu-fused', 'wgsl', WEBGPU_FUSED_BACKEND, null]);
    }
    expect(WEBGPU_FUSED_BACKEND).not.toBe(FUSED_BACKEND);
    expect(selectPath({ kernels: 'ops', backend: 'webgpu', m: 10, n: 10 }).path.name).toBe('ops');
    // 10,000 x 100 float32 = 3.8 MiB over a 1 MiB budget: blocks of 2621 rows, no 16 MiB cap needed on a device.
    const large = selectPath({ kernels: 'fused', backend: 'webgpu', m: 10_000, n: 100, maxDeviceMb: 1, threads: 4 });
    expect([large.path.name, large.blockRows]).toEqual(['webgpu-fused', 2621]);
  });

  it('auto: fused on the wasm backend, WGSL on webgpu, ops on any other', () => {
    expect(selectPath({ kernels: 'auto', backend: 'wasm', m: 10, n: 10 }).path.name).toBe('fused');
    for (const backend of ['cpu', 'tensorflow']) {
      const c = selectPath({ kernels: 'auto', backend, m: 10, n: 10 });
      expect([c.path.name, c.label]).toEqual(['ops', backend]);
    }
  });
});
