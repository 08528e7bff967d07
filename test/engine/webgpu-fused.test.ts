/**
 * The webgpu-fused path (WGSL kernels, tasks/lib/engine/webgpu/) against wasm-fused on ALL/AML
 * (5000 x 38), brunet and lee, k = 2..5, four restarts each. CI installs Mesa lavapipe (a software
 * Vulkan device), so this runs there on every push; on a machine with no WebGPU adapter and outside CI
 * it is reported as skipped, never as passed.
 *
 * Stop rule: maxIter 300, checkEvery 10, stableChecks 5, so restarts stop at different iterations
 * (a stopped restart leaves the batch while the others go on) and the iteration counts must match.
 * Tolerance: labels and iteration counts equal; objectives within 1e-5 relative. The two paths differ
 * only in float32 summation order (and WGSL's division, within 2.5 ulp by the spec); the largest gap
 * measured on lavapipe (llvmpipe, 2-core machine) was 5.1e-7; a wrong term moves it by percent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { factorizeRestarts, type FactorizeParams, type RestartResult } from '../../tasks/lib/engine/factorize.js';
import { selectPath } from '../../tasks/lib/engine/select.js';
import { batchSize } from '../../tasks/lib/engine/webgpu/path.js';
import { readGct } from '../../tasks/lib/io/gct.js';
import { ExitCode, NmfError } from '../../tasks/lib/errors.js';
import { ALL_AML } from '../paths.js';
import { webgpuAvailable } from './helpers.js';

const available = await webgpuAvailable();

const KS = [2, 3, 4, 5];
const RESTARTS = [0, 1, 2, 3];
const REL = 1e-5;
const base = { seed: 123456789, maxIter: 300, checkEvery: 10, stableChecks: 5 };

let A: Float32Array;
let m: number;
let n: number;
/** 0.25 MiB: ALL/AML (0.72 MiB) in blocks of 1724 rows, three blocks. */
const STREAMED_MB = 0.25;
let worst = 0;

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function matchesWasm(got: RestartResult[], ref: RestartResult[]): void {
  got.forEach((r, i) => {
    const o = ref[i]!;
    expect(r.restart).toBe(o.restart);
    expect(r.iterations).toBe(o.iterations);
    expect(r.converged).toBe(o.converged);
    expect(Array.from(r.labels)).toEqual(Array.from(o.labels));
    const gap = Math.abs(r.objective - o.objective) / o.objective;
    worst = Math.max(worst, gap);
    expect(gap).toBeLessThan(REL);
  });
}

describe('webgpu-fused batch size (no device needed)', () => {
  it('fits W, H and the sums of a batch in one storage binding, and the batch in the grid', () => {
    // 128 MiB binding, 5000 x 1000 at k = 5: W is 100 kB per restart, so 1342 restarts fit.
    expect(batchSize(5000, 1000, 5, 2 ** 27, 65535)).toBe(1342);
    expect(batchSize(5000, 1000, 5, 2 ** 27, 1000)).toBe(1000);
    // At least one (a restart too large for one binding is refused before any batch, with exit 5).
    expect(batchSize(10_000_000, 10, 5, 2 ** 27, 65535)).toBe(1);
  });
});

describe.skipIf(!available)('webgpu-fused WGSL kernels against wasm-fused on ALL/AML (lavapipe in CI)', () => {
  beforeAll(() => {
    const g = readGct(ALL_AML);
    A = Float32Array.from(g.data);
    m = g.rowIds.length;
    n = g.colIds.length;
  });

  for (const algorithm of ['brunet', 'lee'] as const) {
    it(`${algorithm}, k = 2..5: same labels and iterations as wasm-fused, resident and streamed in three blocks (streamed identical to resident)`, async () => {
      const blockRows = selectPath({ kernels: 'wgsl', m, n, maxDeviceMb: STREAMED_MB }).blockRows!;
      expect(Math.ceil(m / blockRows)).toBeGreaterThanOrEqual(3);
      const params: FactorizeParams = { ...base, algorithm };
      let stoppedEarly = 0;
      for (const k of KS) {
        const wasm = await factorizeRestarts(A, m, n, k, RESTARTS, { ...params, kernels: 'fused', workers: 1 });
        const gpu = await factorizeRestarts(A, m, n, k, RESTARTS, { ...params, kernels: 'wgsl' });
        matchesWasm(gpu, wasm);
        const streamed = await factorizeRestarts(A, m, n, k, RESTARTS, { ...params, kernels: 'wgsl', maxDeviceMb: STREAMED_MB });
        // The sums carry over from block to block in row order: the same numbers, bit for bit.
        streamed.forEach((r, i) => {
          expect(r.iterations).toBe(gpu[i]!.iterations);
          expect(sameBits(r.W, gpu[i]!.W) && sameBits(r.H, gpu[i]!.H)).toBe(true);
        });
        stoppedEarly += gpu.filter((r) => r.converged).length;
      }
      // The stop rule was exercised: some restarts left their batch before maxIter.
      expect(stoppedEarly).toBeGreaterThan(0);
    }, 120_000);
  }

  it("a restart's result does not depend on the restarts sharing its batch, nor on batches of at most 3", async () => {
    for (const algorithm of ['brunet', 'lee'] as const) {
      const params: FactorizeParams = { ...base, algorithm, kernels: 'wgsl' };
      const all = await factorizeRestarts(A, m, n, 4, RESTARTS, params);
      const [alone] = await factorizeRestarts(A, m, n, 4, [2], params);
      expect(alone!.iterations).toBe(all[2]!.iterations);
      expect(sameBits(alone!.W, all[2]!.W) && sameBits(alone!.H, all[2]!.H)).toBe(true);
      // Two batches, [0, 1, 2] then [3]: every restart as in one batch.
      const split = await factorizeRestarts(A, m, n, 4, RESTARTS, { ...params, maxBatch: 3 });
      split.forEach((r, i) => {
        expect([r.restart, r.iterations]).toEqual([all[i]!.restart, all[i]!.iterations]);
        expect(sameBits(r.W, all[i]!.W) && sameBits(r.H, all[i]!.H)).toBe(true);
      });
    }
  }, 60_000);

  it('refuses, with exit 5 and the fix, a matrix taller than the dispatch grid takes', async () => {
    const tall = 4_200_000; // > 65535 workgroups x 64 threads
    const err = await factorizeRestarts(new Float32Array(tall * 2).fill(1), tall, 2, 1, [0], { ...base, algorithm: 'lee', kernels: 'wgsl' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NmfError);
    expect((err as NmfError).code).toBe(ExitCode.backendUnavailable);
    expect((err as NmfError).message).toMatch(/4200000 x 2 matrix at k = 1 exceeds .* pass --kernels ops or --backend wasm\.$/);
  });

  it('largest objective gap to wasm-fused stays below the tolerance', () => {
    console.log(`webgpu-fused vs wasm-fused: largest relative objective gap ${worst.toExponential(2)} (tolerance ${REL})`);
    expect(worst).toBeLessThan(REL);
  });
});
