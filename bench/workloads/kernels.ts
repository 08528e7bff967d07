/**
 * `kernels`: what one fused-kernel iteration costs per restart, by k, on one thread, with a full SIMD
 * group (as many restarts as lanes: 8 native, 4 wasm) and with one restart alone in a group (the other
 * lanes empty), for each kernel build this machine has (fused/kernel.ts). Two shapes:
 * W1's (5000 x 38, brunet) and W2's (5000 x 1000, lee), seeded synthetic data (the cost does not depend
 * on the values). Timed from the first check of the run (every check_every iterations) to the one
 * before the last, so set-up and the final objective evaluation are left out. This is what explains a
 * run's per restart-iteration cost by k: the kernel's own growth with k, against empty lanes and
 * threads sharing the machine.
 */
import { factorizeRestarts } from '../../tasks/lib/engine/factorize.js';
import { BUILD_NAMES, kernelLanes, nativeAvailable, type KernelBuild } from '../../tasks/lib/engine/fused/kernel.js';
import { round } from '../measure.js';
import { num, numList } from '../params.js';
import type { CaseRow, Outcome, Params, Workload } from '../types.js';
import { syntheticShared } from './w3.js';

async function perRestartIteration(A: Float32Array, m: number, n: number, k: number, restarts: number, algorithm: 'brunet' | 'lee', iters: number, checkEvery: number): Promise<number> {
  const checks: number[] = [];
  const t0 = process.hrtime.bigint();
  await factorizeRestarts(A, m, n, k, Array.from({ length: restarts }, (_, r) => r), {
    algorithm, seed: 1, maxIter: iters, checkEvery, stableChecks: 0, kernels: 'fused', workers: 1,
  }, () => checks.push(Number(process.hrtime.bigint() - t0) / 1e6));
  // The last check also evaluates every restart's final objective on the host: leave it out.
  const timed = checks.slice(0, -1);
  if (timed.length < 2) throw new Error(`kernels: ${iters} iterations give fewer than three checks every ${checkEvery}`);
  return (timed[timed.length - 1]! - timed[0]!) / ((timed.length - 1) * checkEvery * restarts);
}

async function run(p: Params): Promise<Outcome> {
  const shapes = [
    { shape: 'W1 5000x38', algorithm: 'brunet' as const, m: 5000, n: 38, ks: numList(p, 'w1_ks'), iters: num(p, 'w1_iters') },
    { shape: 'W2 5000x1000', algorithm: 'lee' as const, m: 5000, n: 1000, ks: numList(p, 'w2_ks'), iters: num(p, 'w2_iters') },
  ];
  const checkEvery = num(p, 'check_every');
  const cases: CaseRow[] = [];
  let total = 0;
  let restartIterations = 0;
  const t0 = process.hrtime.bigint();
  const builds: KernelBuild[] = nativeAvailable() ? ['native', 'wasm'] : ['wasm'];
  const before = process.env.NMF_NATIVE;
  try {
    for (const build of builds) {
      // The engine picks its build from the environment (kernel.ts, kernelBuild).
      process.env.NMF_NATIVE = build === 'native' ? '1' : '0';
      const lanes = kernelLanes(build);
      for (const s of shapes) {
        const A = syntheticShared(s.m, s.n, 5, 14, 0.1);
        let base = NaN;
        for (const k of s.ks) {
          const full = await perRestartIteration(A, s.m, s.n, k, lanes, s.algorithm, s.iters, checkEvery);
          const alone = await perRestartIteration(A, s.m, s.n, k, 1, s.algorithm, s.iters, checkEvery);
          if (Number.isNaN(base)) base = full;
          restartIterations += (lanes + 1) * s.iters;
          process.stderr.write(`  kernels: ${BUILD_NAMES[build]} ${s.shape} ${s.algorithm} k=${k}: ${full.toFixed(4)} ms per restart-iteration (${lanes} lanes), ${alone.toFixed(4)} (1 lane)\n`);
          cases.push({
            kernels: BUILD_NAMES[build], shape: s.shape, algorithm: s.algorithm, k, lanes,
            ms_full_group: round(full, 4), ms_1_lane: round(alone, 4),
            cost_vs_first_k: round(full / base, 2), k_vs_first_k: round(k / s.ks[0]!, 2),
          });
        }
      }
    }
  } finally {
    if (before === undefined) delete process.env.NMF_NATIVE;
    else process.env.NMF_NATIVE = before;
  }
  total = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    wall_s: total,
    iterations: restartIterations,
    per_iteration_ms: null,
    backend: `fused kernels (${builds.map((b) => BUILD_NAMES[b]).join(', ')}), 1 thread`,
    cases,
    notes: ['ms per restart-iteration on one thread, timed between the first and last check; full group = as many restarts as the build has lanes; 1 lane = one restart alone in a SIMD group (costs a whole group)'],
  };
}

export const kernels: Workload = {
  name: 'kernels',
  description: 'fused kernels on one thread, each build this machine has (native AVX2, wasm SIMD): ms per restart-iteration by k with a full SIMD group and with 1 restart (the other lanes empty), W1 shape (5000 x 38, brunet) and W2 shape (5000 x 1000, lee), synthetic data, timed between checks',
  params: { w1_ks: [2, 3, 4, 5, 6, 8], w1_iters: 210, w2_ks: [2, 3, 4, 5], w2_iters: 40, check_every: 10 },
  run,
};
