/**
 * The engine conformance suite: every engine path against the tfjs-ops reference (in memory, one
 * thread), for both algorithms, k in {2, 5, 8, 9, 12}, streamed or not, 1 or 2 workers.
 *
 * Fixed iteration count (stableChecks 0) so every path does the same number of updates. Tolerance:
 * labels equal; objectives within 1e-5 relative. The paths differ only in float32 summation order
 * (chunked row sums, lanes, tfjs's matMul blocking), so each update differs by a few float32 ulps
 * (~1e-7 relative); over 40 multiplicative updates those differences grow but stay far below 1e-5
 * (the largest measured gap is printed by the last test). A wrong kernel (a missed term, a wrong
 * index for k >= 9) moves the objective by percent, not 1e-5.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../tasks/lib/engine/backend.js';
import { factorizeRestarts, type FactorizeParams, type RestartResult } from '../../tasks/lib/engine/factorize.js';
import { initialFactors } from '../../tasks/lib/engine/prng.js';
import { evaluateFit } from '../../tasks/lib/engine/objective.js';
import { meanOf } from '../../tasks/lib/engine/blocks.js';
import { plantedMatrix, webgpuAvailable } from './helpers.js';

const m = 48;
const n = 26; // not a multiple of 4
const { A } = plantedMatrix(m, n, 4, 31);
const KS = [2, 5, 8, 9, 12] as const;
const RESTARTS = [0, 1, 2];
const REL = 1e-5;
/** Blocks of 7 rows: uneven blocks over 48 rows. */
const STREAMED_MB = (7 * n * 4) / 2 ** 20;

interface Variant {
  name: string;
  params: Partial<FactorizeParams>;
}

const VARIANTS: Variant[] = [
  { name: 'ops streamed', params: { kernels: 'ops', maxDeviceMb: STREAMED_MB } },
  { name: 'fused', params: { kernels: 'fused', workers: 1 } },
  { name: 'fused streamed', params: { kernels: 'fused', workers: 1, maxDeviceMb: STREAMED_MB } },
  { name: 'fused 2 workers (restarts split)', params: { kernels: 'fused', workers: 2, split: 'restarts' } },
  { name: 'fused 2 workers (rows split)', params: { kernels: 'fused', workers: 2, split: 'rows', chunkRows: 16 } },
  { name: 'fused 2 workers streamed', params: { kernels: 'fused', workers: 2, split: 'restarts', maxDeviceMb: STREAMED_MB } },
];
/** The WGSL kernels where a WebGPU adapter is (lavapipe in CI); the test below says when they were left out. */
const WEBGPU = await webgpuAvailable();
if (WEBGPU) {
  VARIANTS.push(
    { name: 'webgpu-fused', params: { kernels: 'wgsl' } },
    { name: 'webgpu-fused streamed', params: { kernels: 'wgsl', maxDeviceMb: STREAMED_MB } },
  );
}

let worst = 0;

function relGap(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

function conforms(got: RestartResult[], ref: RestartResult[], iterations: number): void {
  expect(got.map((r) => r.restart)).toEqual(ref.map((r) => r.restart));
  got.forEach((r, i) => {
    const o = ref[i]!;
    expect(r.iterations).toBe(iterations);
    expect(Array.from(r.labels)).toEqual(Array.from(o.labels));
    expect(Number.isFinite(r.objective)).toBe(true);
    const gap = relGap(r.objective, o.objective);
    worst = Math.max(worst, gap);
    expect(gap).toBeLessThan(REL);
  });
}

describe('engine conformance: every path against the tfjs-ops reference', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  for (const algorithm of ['brunet', 'lee'] as const) {
    for (const k of KS) {
      it(`${algorithm}, k = ${k}: ${VARIANTS.map((v) => v.name).join(', ')}`, async () => {
        const params: FactorizeParams = { algorithm, seed: 7, maxIter: 40, checkEvery: 10, stableChecks: 0 };
        const ref = await factorizeRestarts(A, m, n, k, RESTARTS, { ...params, kernels: 'ops', workers: 1 });
        // The reference itself must have moved: every objective fell well below the initial factors'.
        for (const r of ref) {
          const init = initialFactors(params.seed, k, r.restart, m, n, meanOf(A));
          expect(r.objective).toBeLessThan(0.9 * evaluateFit(algorithm, A, init.W, init.H, m, n, k).objective);
        }
        for (const v of VARIANTS) {
          const got = await factorizeRestarts(A, m, n, k, RESTARTS, { ...params, ...v.params });
          try {
            conforms(got, ref, 40);
          } catch (err) {
            throw new Error(`${v.name}: ${(err as Error).message}`);
          }
        }
      });
    }
  }

  it.skipIf(!WEBGPU)('includes the webgpu-fused path (skipped where there is no WebGPU adapter, outside CI)', () => {
    expect(VARIANTS.filter((v) => v.params.kernels === 'wgsl').length).toBe(2);
  });

  it('states the largest objective gap measured', () => {
    console.log(`engine conformance: largest relative objective gap to the ops reference ${worst.toExponential(2)} (tolerance ${REL})`);
    expect(worst).toBeGreaterThan(0); // the paths do differ in rounding, so the comparison is not vacuous
    expect(worst).toBeLessThan(REL);
  });
});
