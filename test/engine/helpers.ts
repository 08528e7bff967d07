import { readFileSync } from 'node:fs';
import { restartStream } from '../../tasks/lib/engine/prng.js';

/** Random non-negative m x n data (float32), seeded. */
export function randomMatrix(m: number, n: number, seed: number): Float32Array {
  const next = restartStream(seed, 99, 0);
  return Float32Array.from({ length: m * n }, () => next() * 10);
}

/**
 * Planted clusters: n samples in `groups` blocks, each block over-expressing its own m/groups
 * features, plus noise; returns the data and the true group of each sample.
 */
export function plantedMatrix(m: number, n: number, groups: number, seed: number): { A: Float32Array; truth: number[] } {
  const next = restartStream(seed, 77, 1);
  const truth = Array.from({ length: n }, (_, j) => j % groups);
  const A = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const g = i % groups;
    for (let j = 0; j < n; j++) A[i * n + j] = next() + (truth[j] === g ? 5 + 3 * next() : 0);
  }
  return { A, truth };
}

/**
 * Is a WebGPU adapter (Dawn through the `webgpu` package) available here? CI installs Mesa lavapipe,
 * so the webgpu tests run there (CI=true) and are reported skipped elsewhere without one.
 */
export async function webgpuAvailable(): Promise<boolean> {
  if (process.env.CI === 'true') return true;
  try {
    const { create, globals } = (await import('webgpu')) as unknown as { create: (o: string[]) => { requestAdapter(): Promise<unknown> }; globals: object };
    Object.assign(globalThis, globals);
    return (await create([]).requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/** Does this machine's CPU run the native kernels (x86-64 with AVX2)? */
export function cpuHasAvx2(): boolean {
  try {
    return process.arch === 'x64' && /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

/** Run `fn` with the fused kernels' build forced through NMF_NATIVE (fused/kernel.ts), then put it back. */
export async function withKernelBuild<T>(build: 'native' | 'wasm', fn: () => Promise<T>): Promise<T> {
  const before = process.env.NMF_NATIVE;
  process.env.NMF_NATIVE = build === 'native' ? '1' : '0';
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.NMF_NATIVE;
    else process.env.NMF_NATIVE = before;
  }
}
