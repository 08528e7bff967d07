/// <reference types="@webgpu/types" />
/**
 * The webgpu-fused driver: a batch of restarts of one k advances together on the device through the
 * WGSL kernels of shaders.ts, in the same sequence as the wasm lanes (fused/lanes.ts). A first pass
 * gathers the sums of the initial factors; then every iteration is one pass:
 *   pre:  the H update from the sums of the previous pass (brunet: and rs, and H2 = H clamped at a
 *         check; lee: and HHt),
 *   rows: for each block of rows of A, the W update of those rows and the sums for the next H update
 *         (one pass over A per iteration, one dispatch per kernel for all restarts; each restart's
 *         threads load A themselves, so the restarts share it through the device caches),
 *   post: lee's column rescale of W (with H's rows scaled by the same sums); brunet's H = H2.
 * Every checkEvery iterations one more dispatch writes each column's argmax and only those labels
 * (R x n u32) are read back for the connectivity stop; a restart that stops is marked inactive (its
 * threads return at once) and its W and H are read back, once. Nothing else leaves the device.
 */
import { initialFactors } from '../prng.js';
import { ConnectivityStop, argmaxLabels, type StopParams } from '../stopping.js';
import { evaluateFit } from '../objective.js';
import type { RestartResult } from '../types.js';
import { ENTRIES, PARAMS_BYTES, WORKGROUP, shaderSource, smallFloats, type WgslAlgorithm } from './shaders.js';

const STORAGE = 0x80;
const UNIFORM = 0x40;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const MAP_READ = 0x1;
const MAP_MODE_READ = 0x1;

export interface BatchJob {
  device: GPUDevice;
  /** m x n row-major on the host. */
  A: Float32Array;
  m: number;
  n: number;
  k: number;
  restarts: readonly number[];
  algorithm: WgslAlgorithm;
  seed: number;
  eps: number;
  stop: StopParams;
  meanA: number;
  /** Rows of A per block; null = A resident on the device. */
  blockRows: number | null;
  onResult(r: RestartResult): void;
  /** After each check: the iteration and how many restarts are still running. */
  onCheck?(iteration: number, running: number): void;
}

const pipelines = new WeakMap<GPUDevice, Map<string, { layout: GPUBindGroupLayout; byEntry: Map<string, GPUComputePipeline> }>>();

/** Dawn reports WGSL and validation errors to an error scope, not by throwing: turn them into one. */
async function checked<T>(device: GPUDevice, what: string, make: () => T): Promise<T> {
  device.pushErrorScope('validation');
  const out = make();
  const err = await device.popErrorScope();
  if (err) throw new Error(`webgpu-fused: ${what} failed: ${err.message}`);
  return out;
}

async function pipelinesFor(device: GPUDevice, algorithm: WgslAlgorithm, k: number) {
  let perDevice = pipelines.get(device);
  if (!perDevice) pipelines.set(device, (perDevice = new Map()));
  const key = `${algorithm}:${k}`;
  const have = perDevice.get(key);
  if (have) return have;
  return checked(device, `compiling the ${algorithm} kernels for k = ${k}`, () => makePipelines(device, perDevice, key, algorithm, k));
}

function makePipelines(device: GPUDevice, perDevice: Map<string, { layout: GPUBindGroupLayout; byEntry: Map<string, GPUComputePipeline> }>, key: string, algorithm: WgslAlgorithm, k: number) {
  const module = device.createShaderModule({ code: shaderSource(algorithm, k) });
  const storage = (i: number, readOnly: boolean): GPUBindGroupLayoutEntry => ({ binding: i, visibility: GPUShaderStageCompute, buffer: { type: readOnly ? 'read-only-storage' : 'storage' } });
  const layout = device.createBindGroupLayout({
    entries: [
      storage(0, true), storage(1, false), storage(2, false), storage(3, false), storage(4, false), storage(5, false), storage(6, true), storage(7, false),
      { binding: 8, visibility: GPUShaderStageCompute, buffer: { type: 'uniform' } },
    ],
  });
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
  const e = ENTRIES[algorithm];
  const byEntry = new Map<string, GPUComputePipeline>();
  for (const entryPoint of [...e.pre, ...e.rows, ...e.post, 'labelsOf']) {
    byEntry.set(entryPoint, device.createComputePipeline({ layout: pipelineLayout, compute: { module, entryPoint } }));
  }
  const made = { layout, byEntry };
  perDevice.set(key, made);
  return made;
}

const GPUShaderStageCompute = 0x4;

/** Read `bytes` bytes of `src` from `offset` back to the host. */
async function readBack(device: GPUDevice, src: GPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
  const dst = device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, offset, dst, 0, bytes);
  device.queue.submit([enc.finish()]);
  await dst.mapAsync(MAP_MODE_READ);
  const out = dst.getMappedRange().slice(0);
  dst.unmap();
  dst.destroy();
  return out;
}

/** Run every restart of `job` to its stop; results arrive through job.onResult. */
export async function runBatch(job: BatchJob): Promise<void> {
  const { device, A, m, n, k, algorithm, stop } = job;
  const R = job.restarts.length;
  const lee = algorithm === 'lee';
  const { layout, byEntry } = await pipelinesFor(device, algorithm, k);
  const rowsPerBlock = job.blockRows === null ? m : Math.max(1, Math.min(m, job.blockRows));
  const blocks = Math.ceil(m / rowsPerBlock);

  const created: GPUBuffer[] = [];
  const buffer = (floats: number, usage: number) => {
    const b = device.createBuffer({ size: Math.max(16, floats * 4), usage: usage | COPY_DST | COPY_SRC });
    created.push(b);
    return b;
  };
  // Validation errors of the whole batch surface at its end (Dawn only logs them otherwise).
  device.pushErrorScope('validation');
  try {
    const Ab = buffer(rowsPerBlock * n, STORAGE);
    const Wb = buffer(R * m * k, STORAGE);
    const Hb = buffer(R * k * n, STORAGE);
    const H2b = buffer(lee ? 1 : R * k * n, STORAGE);
    const numB = buffer(R * k * n, STORAGE);
    const smallB = buffer(R * smallFloats(k), STORAGE);
    const activeB = buffer(R, STORAGE);
    const labelsB = buffer(R * n, STORAGE);
    const paramsB = buffer(PARAMS_BYTES / 4, UNIFORM);
    const bind = device.createBindGroup({
      layout,
      entries: [Ab, Wb, Hb, H2b, numB, smallB, activeB, labelsB, paramsB].map((b, binding) => ({ binding, resource: { buffer: b } })),
    });

    // Plain copies: A may be a view of a SharedArrayBuffer, which writeBuffer does not take.
    const upload = (dst: GPUBuffer, offset: number, data: Float32Array | Uint32Array) =>
      device.queue.writeBuffer(dst, offset, (data.buffer instanceof ArrayBuffer ? data : data.slice()) as Float32Array<ArrayBuffer>);
    if (blocks === 1) upload(Ab, 0, A);
    const W0 = new Float32Array(R * m * k);
    const H0 = new Float32Array(R * k * n);
    job.restarts.forEach((restart, r) => {
      const init = initialFactors(job.seed, k, restart, m, n, job.meanA);
      W0.set(init.W, r * m * k);
      H0.set(init.H, r * k * n);
    });
    upload(Wb, 0, W0);
    upload(Hb, 0, H0);
    const active = new Uint32Array(R).fill(1);
    upload(activeB, 0, active);

    const params = new ArrayBuffer(PARAMS_BYTES);
    const pu = new Uint32Array(params);
    const pf = new Float32Array(params);
    const setParams = (f: { r0: number; rows: number; upd: boolean; clamp: boolean; acc: boolean; first: boolean }) => {
      pu.set([m, n, R, f.r0, f.rows, +f.upd, +f.clamp, +f.acc, +f.first]);
      pf[9] = job.eps;
      device.queue.writeBuffer(paramsB, 0, params);
    };
    const dispatch = (pass: GPUComputePassEncoder, entry: string, count: number) => {
      pass.setPipeline(byEntry.get(entry)!);
      pass.dispatchWorkgroups(Math.ceil(count / WORKGROUP), R);
    };
    // Threads per dispatch: one per column (j), row (i) or component; see shaders.ts.
    const extent: Record<string, (rows: number) => number> = {
      brunetH: () => n, brunetRs: () => k, brunetClampCopy: () => n, brunetW: (rows) => rows, brunetNum: () => n, brunetColW: () => k,
      leeH: () => n, leeGram: () => k * k, leeW: (rows) => rows, leeNum: () => n, leeSums: () => k, leeScale: () => k, leeRescaleW: () => m, leeRescaleH: () => n,
      labelsOf: () => n,
    };
    const entries = ENTRIES[algorithm];

    const onePass = (flags: { upd: boolean; clamp: boolean; acc: boolean }) => {
      for (let b = 0; b < blocks; b++) {
        const r0 = b * rowsPerBlock;
        const rows = Math.min(rowsPerBlock, m - r0);
        setParams({ ...flags, r0, rows, first: b === 0 });
        if (blocks > 1) upload(Ab, 0, A.subarray(r0 * n, (r0 + rows) * n));
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        pass.setBindGroup(0, bind);
        if (b === 0) for (const e of entries.pre) dispatch(pass, e, extent[e]!(rows));
        for (const e of entries.rows) dispatch(pass, e, extent[e]!(rows));
        if (b === blocks - 1) for (const e of entries.post) dispatch(pass, e, extent[e]!(rows));
        pass.end();
        if (b === blocks - 1 && !lee) enc.copyBufferToBuffer(H2b, 0, Hb, 0, R * k * n * 4);
        device.queue.submit([enc.finish()]);
      }
    };

    const stops = job.restarts.map(() => new ConnectivityStop(stop));
    const isCheck = (iter: number) => iter % stop.checkEvery === 0 || iter >= stop.maxIter;
    let running = R;
    // The first pass only gathers the sums of the initial factors (no update, no clamp).
    onePass({ upd: false, clamp: false, acc: true });
    for (let iter = 1; running > 0; iter++) {
      onePass({ upd: true, clamp: isCheck(iter), acc: iter < stop.maxIter });
      if (!isCheck(iter)) continue;
      let labels: Uint32Array | null = null;
      if (iter % stop.checkEvery === 0) {
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        pass.setBindGroup(0, bind);
        dispatch(pass, 'labelsOf', n);
        pass.end();
        device.queue.submit([enc.finish()]);
        labels = new Uint32Array(await readBack(device, labelsB, 0, R * n * 4));
      }
      for (let r = 0; r < R; r++) {
        if (active[r] === 0) continue;
        const converged = labels !== null && stops[r]!.update(labels.subarray(r * n, (r + 1) * n));
        if (!converged && iter < stop.maxIter) continue;
        const W = new Float32Array(await readBack(device, Wb, r * m * k * 4, m * k * 4));
        const H = new Float32Array(await readBack(device, Hb, r * k * n * 4, k * n * 4));
        const fit = evaluateFit(algorithm, A, W, H, m, n, k);
        active[r] = 0;
        running--;
        job.onResult({ restart: job.restarts[r]!, labels: argmaxLabels(H, k, n), iterations: iter, converged, objective: fit.objective, relError: fit.relError, W, H });
      }
      upload(activeB, 0, active);
      job.onCheck?.(iter, running);
    }
  } finally {
    const err = await device.popErrorScope();
    for (const b of created) b.destroy();
    if (err) throw new Error(`webgpu-fused: the device rejected a command: ${err.message}`);
  }
}
