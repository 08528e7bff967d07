/**
 * The batch driver: all restarts of one k advance together, one update step each per iteration, on
 * one device copy of A. A restart that converges is taken off the batch (its factors are read back
 * and its tensors disposed); the others go on. Each restart's arithmetic involves only its own
 * tensors, so its result does not depend on which other restarts share the batch (shard layout).
 *
 * Why per-restart 2D ops and not one 3D batched matMul: in tfjs-wasm 4.22 a batched matMul
 * (batch > 1) bypasses XNNPACK and measured ~15x slower than a loop of 2D matMuls, and
 * stack/unstack copies cost more than the update itself (measured on ALL_AML, k = 5, 20 restarts:
 * 132 ms vs 27 ms per iteration).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Algorithm } from '../types.js';
import { initialFactors } from './prng.js';
import { UPDATE_RULES } from './updates/index.js';
import { ConnectivityStop, argmaxLabels, type StopParams } from './stopping.js';
import { evaluateFit } from './objective.js';
import { CHUNK_ROWS, LANES, runLanes } from './fused/lanes.js';
import { runPool } from './fused/pool.js';
import { factorizeStreamed } from './streamed.js';

/** float32's smallest normal value: factors are clamped up to it at every check (R NMF brunet). */
export const FLOAT32_TINY = 1.1754943508222875e-38;
export const DEFAULT_EPS = 1e-9;

export type Kernels = 'ops' | 'fused';

export interface FactorizeParams extends StopParams {
  algorithm: Algorithm;
  seed: number;
  eps?: number;
  /**
   * 'ops' (default here): the update rules as tfjs-core ops on the active backend, the reference.
   * 'fused': the AssemblyScript wasm-SIMD kernels (fused/), independent of the tfjs backend.
   */
  kernels?: Kernels;
  /** worker_threads to split the restarts over (1 = this thread). Results do not depend on it. */
  workers?: number;
  /**
   * Device memory budget for A in MiB: above it A stays on the host and is processed in blocks of
   * rows every iteration (row-block streaming). Undefined = no limit.
   */
  maxDeviceMb?: number;
  /**
   * Fused, workers > 1: 'restarts' splits restarts over threads, 'rows' splits rows (every thread runs
   * every restart on its chunks of rows), 'auto' (default) splits rows when there are too few restarts
   * to give every thread a SIMD group of four and A has at least two chunks. Same numbers either way.
   */
  split?: 'auto' | 'rows' | 'restarts';
  /** Rows per chunk of the fused kernels' fixed summation order (tests only; default CHUNK_ROWS). */
  chunkRows?: number;
}

/** Largest block of A the fused kernels copy at once: bigger blocks gain nothing (rows are independent). */
export const FUSED_BLOCK_MB = 16;

/**
 * Rows of A per block under a budget of `mb` MiB, or null when the whole of A fits. `capMb` bounds
 * the block further (the fused path uses FUSED_BLOCK_MB).
 */
export function blockRowsFor(m: number, n: number, mb: number | undefined, capMb = Infinity): number | null {
  if (mb === undefined || !(mb > 0)) return null;
  const budget = mb * 2 ** 20;
  if (m * n * 4 <= budget) return null;
  return Math.max(1, Math.floor(Math.min(budget, capMb * 2 ** 20) / (n * 4)));
}

export interface RestartResult {
  restart: number;
  /** argmax labels of the final H, 0..k-1, one per sample. */
  labels: Uint16Array;
  iterations: number;
  converged: boolean;
  objective: number;
  relError: number;
  /** m x k and k x n, row-major float32. */
  W: Float32Array;
  H: Float32Array;
}

export interface ProgressEvent {
  k: number;
  iteration: number;
  active: number;
  done: number;
  total: number;
}

interface Active {
  restart: number;
  W: tf.Tensor2D;
  H: tf.Tensor2D;
  stop: ConnectivityStop;
  labels: Uint16Array;
}

/**
 * Run restarts `restarts` of rank k on A (m x n, row-major float32 on the host).
 * The backend must already be initialised (see backend.ts). Results are in the order of `restarts`.
 */
export async function factorizeRestarts(
  A: Float32Array,
  m: number,
  n: number,
  k: number,
  restarts: readonly number[],
  params: FactorizeParams,
  onProgress?: (e: ProgressEvent) => void,
): Promise<RestartResult[]> {
  const kernels = params.kernels ?? 'ops';
  const workers = Math.max(1, Math.floor(params.workers ?? 1));
  if (kernels === 'ops' && workers === 1) return factorizeOps(A, m, n, k, restarts, params, onProgress);
  const eps = params.eps ?? DEFAULT_EPS;
  const meanA = mean(A);
  const blockRows = blockRowsFor(m, n, params.maxDeviceMb, FUSED_BLOCK_MB);
  const results = new Map<number, RestartResult>();
  // Fused: `iteration` is the driver's pass count (the iteration of the restarts that started first).
  let pass = 0;
  const progress = (p?: number) => {
    if (p !== undefined) pass = Math.max(pass, p);
    onProgress?.({ k, iteration: pass, active: restarts.length - results.size, done: results.size, total: restarts.length });
  };
  const lp = { algorithm: params.algorithm, seed: params.seed, eps, maxIter: params.maxIter, checkEvery: params.checkEvery, stableChecks: params.stableChecks };
  if (workers === 1) {
    let next = 0;
    runLanes({
      A, m, n, k, meanA, params: lp, blockRows, capacity: restarts.length, initial: restarts.length,
      ...(params.chunkRows !== undefined ? { chunkRows: params.chunkRows } : {}),
      claim: () => (next < restarts.length ? restarts[next++]! : null),
      onResult: (r) => results.set(r.restart, r),
      onCheck: (p) => progress(p),
    });
  } else {
    const chunks = Math.ceil(m / (params.chunkRows ?? CHUNK_ROWS));
    const splitRows = params.split === 'rows' || ((params.split ?? 'auto') === 'auto' && Math.ceil(restarts.length / LANES) < workers && chunks >= 2);
    await runPool(
      {
        mode: kernels, backend: kernels === 'ops' ? tf.getBackend() : 'none', A, m, n, k, restarts, blockRows, meanA, splitRows,
        params: { ...lp, ...(params.maxDeviceMb !== undefined ? { maxDeviceMb: params.maxDeviceMb } : {}) },
        ...(params.chunkRows !== undefined ? { chunkRows: params.chunkRows } : {}),
      },
      workers,
      (r) => {
        results.set(r.restart, r);
        progress();
      },
      (p) => progress(p),
    );
  }
  return restarts.map((r) => results.get(r)!);
}

function mean(A: Float32Array): number {
  let s = 0;
  for (let i = 0; i < A.length; i++) s += A[i]!;
  return s / A.length;
}

/** The tfjs-ops path (the reference), on the active tfjs backend, in this thread. */
async function factorizeOps(
  A: Float32Array,
  m: number,
  n: number,
  k: number,
  restarts: readonly number[],
  params: FactorizeParams,
  onProgress?: (e: ProgressEvent) => void,
): Promise<RestartResult[]> {
  const eps = params.eps ?? DEFAULT_EPS;
  const blockRows = blockRowsFor(m, n, params.maxDeviceMb);
  if (blockRows !== null) return factorizeStreamed(A, m, n, k, restarts, params, blockRows, eps, onProgress);
  const update = UPDATE_RULES[params.algorithm];
  let meanA = 0;
  for (let i = 0; i < A.length; i++) meanA += A[i]!;
  meanA /= A.length;

  const results = new Map<number, RestartResult>();
  const At = tf.tensor2d(A, [m, n], 'float32');
  let active: Active[] = restarts.map((restart) => {
    const init = initialFactors(params.seed, k, restart, m, n, meanA);
    return {
      restart,
      W: tf.tensor2d(init.W, [m, k]),
      H: tf.tensor2d(init.H, [k, n]),
      stop: new ConnectivityStop(params),
      labels: argmaxLabels(init.H, k, n),
    };
  });

  // Async reads: the webgpu backend cannot read synchronously in Node (no OffscreenCanvas).
  const finish = async (a: Active, iterations: number, converged: boolean) => {
    const W = (await a.W.data()) as Float32Array;
    const H = (await a.H.data()) as Float32Array;
    a.W.dispose();
    a.H.dispose();
    const fit = evaluateFit(params.algorithm, A, W, H, m, n, k);
    results.set(a.restart, {
      restart: a.restart,
      labels: argmaxLabels(H, k, n),
      iterations,
      converged,
      objective: fit.objective,
      relError: fit.relError,
      W: new Float32Array(W),
      H: new Float32Array(H),
    });
  };

  try {
    for (let iter = 1; active.length > 0; iter++) {
      for (const a of active) {
        const next = update(At, a.W, a.H, eps);
        a.W.dispose();
        a.H.dispose();
        a.W = next.W;
        a.H = next.H;
      }
      const last = iter >= params.maxIter;
      if (iter % params.checkEvery === 0 || last) {
        const still: Active[] = [];
        for (const a of active) {
          clampTiny(a);
          let converged = false;
          if (iter % params.checkEvery === 0) {
            a.labels = argmaxLabels(await a.H.data(), k, n);
            converged = a.stop.update(a.labels);
          }
          if (converged || last) await finish(a, iter, converged);
          else still.push(a);
        }
        active = still;
        onProgress?.({ k, iteration: iter, active: active.length, done: results.size, total: restarts.length });
      }
    }
  } finally {
    for (const a of active) {
      a.W.dispose();
      a.H.dispose();
    }
    At.dispose();
  }
  return restarts.map((r) => results.get(r)!);
}

function clampTiny(a: Active): void {
  const W = tf.maximum(a.W, FLOAT32_TINY) as tf.Tensor2D;
  const H = tf.maximum(a.H, FLOAT32_TINY) as tf.Tensor2D;
  a.W.dispose();
  a.H.dispose();
  a.W = W;
  a.H = H;
}
