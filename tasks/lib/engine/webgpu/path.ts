/**
 * The webgpu-fused path: the WGSL kernels (shaders.ts, driver.ts) on a WebGPU device of its own,
 * not through tfjs ops. All restarts of a k run as one batch (fewer when the factors of all of them
 * would exceed the device's largest storage binding). A stays on the host above the device budget
 * (--max-device-mb) or the largest binding and is written to the device a block of rows per pass;
 * the sums carry over from block to block in row order, so the numbers are those of a resident run.
 */
import { ExitCode, NmfError } from '../../errors.js';
import { registerPath } from '../registry.js';
import { meanOf } from '../blocks.js';
import { DEFAULT_EPS, type EngineJob, type FactorizeParams } from '../types.js';
import { needsObjective } from '../stopping.js';
import { openDevice } from './device.js';
import { runBatch } from './driver.js';
import { WORKGROUP } from './shaders.js';

/** Restarts per batch: every per-batch buffer (W, H, num) must fit one storage binding, and the grid's y extent is the batch. */
export function batchSize(m: number, n: number, k: number, maxBinding: number, maxGroups: number): number {
  return Math.max(1, Math.min(maxGroups, Math.floor(maxBinding / (4 * k * Math.max(m, n)))));
}

/** What the WGSL kernels do not implement (checked before any work, exit 2 with the fix). */
function refuses(params: FactorizeParams): string | null {
  if (params.algorithm === 'hals') return '--algorithm hals: the WGSL kernels (--backend webgpu) have no HALS update; pass --kernels ops (tfjs ops on the same device) or --backend wasm.';
  if (needsObjective(params)) return `--stop ${params.stop}: the WGSL kernels (--backend webgpu) check only the connectivity rule; pass --stop connectivity, --kernels ops or --backend wasm.`;
  return null;
}

async function runWebgpuFused(job: EngineJob): Promise<void> {
  const { A, m, n, params } = job;
  const algorithm = params.algorithm;
  if (algorithm === 'hals' || refuses(params) !== null) throw new NmfError(refuses(params)!, ExitCode.usage);
  const { device, maxBinding } = await openDevice();
  try {
    // One thread per row (or column) of A per restart: the grid's x extent bounds m and n.
    const most = device.limits.maxComputeWorkgroupsPerDimension * WORKGROUP;
    const largestK = Math.max(...job.ranks.map((r) => r.k));
    if (Math.max(m, n) > most || 4 * largestK * Math.max(m, n) > maxBinding) {
      throw new NmfError(
        `--kernels fused on --backend webgpu: a ${m} x ${n} matrix at k = ${largestK} exceeds what the WGSL kernels take on this device ` +
          `(at most ${most} features or samples, and one restart's W or H within ${Math.floor(maxBinding / 2 ** 20)} MiB); pass --kernels ops or --backend wasm.`,
        ExitCode.backendUnavailable,
      );
    }
    const bindingRows = Math.max(1, Math.floor(maxBinding / (n * 4)));
    const blockRows = job.blockRows !== null || bindingRows < m ? Math.min(job.blockRows ?? m, bindingRows) : null;
    const meanA = meanOf(A);
    for (const { k, restarts } of job.ranks) {
      const per = Math.min(params.maxBatch ?? Infinity, batchSize(m, n, k, maxBinding, device.limits.maxComputeWorkgroupsPerDimension));
      let done = 0;
      for (let b = 0; b < restarts.length; b += per) {
        const batch = restarts.slice(b, b + per);
        const before = done;
        await runBatch({
          device, A, m, n, k, restarts: batch, algorithm, seed: params.seed, eps: params.eps ?? DEFAULT_EPS,
          stop: { maxIter: params.maxIter, checkEvery: params.checkEvery, stableChecks: params.stableChecks },
          meanA, blockRows,
          onResult: (r) => {
            done++;
            job.onResult(k, r);
          },
          onCheck: (iteration, running) => job.onProgress?.({ k, iteration, active: running + restarts.length - b - batch.length, done: before + (batch.length - running), total: restarts.length }),
        });
      }
    }
  } finally {
    device.destroy();
  }
}

registerPath({
  name: 'webgpu-fused',
  blockCapMb: Infinity,
  accepts: (req) => req.kernels === 'wgsl',
  refuses,
  run: runWebgpuFused,
});
