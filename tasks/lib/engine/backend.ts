/**
 * Choosing and starting a tfjs backend (DESIGN section 4). `wasm` and `cpu` ship with the package;
 * `tensorflow` (@tensorflow/tfjs-node-gpu or -node) and `webgpu` are optional and loaded with a
 * dynamic import only when asked for. An explicit backend that cannot load is exit 5; `auto` picks
 * a GPU backend only after a device on it has been opened and checked, and logs (and factorize records
 * in shard.json) what it picked, on which adapter, and why it skipped the others.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { ExitCode, NmfError } from '../errors.js';
import { log } from '../log.js';
import type { BackendSelection } from '../manifest/shard.js';
import type { BackendName } from '../types.js';
import { probeWebgpu } from './webgpu-probe.js';

export interface BackendChoice {
  name: string;
  /** Why this backend: requested by name, or what auto's check found. */
  reason: string;
  /** The GPU adapter auto checked, when it picked a GPU backend. */
  device?: string;
  /** Why other candidates were skipped (auto only). */
  notes: string[];
}

export function backendSelection(requested: BackendName, choice: BackendChoice): BackendSelection {
  return {
    requested,
    reason: choice.reason,
    ...(choice.device !== undefined ? { device: choice.device } : {}),
    ...(choice.notes.length > 0 ? { skipped: choice.notes } : {}),
  };
}

/** One log line for the choice, and one per candidate auto skipped. */
export function logBackendChoice(choice: BackendChoice): void {
  for (const note of choice.notes) log.info(`backend auto: skipped ${note}`);
  log.info(`backend: ${choice.name} (${choice.reason})`);
}

// tfjs prints a "install tfjs-node" banner and debug checks unless in prod mode.
tf.enableProdMode();

async function tryImport(spec: string): Promise<unknown> {
  return import(spec);
}

async function loadTensorflow(): Promise<string> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await tryImport(pkg);
      return pkg;
    } catch {
      /* try the next one */
    }
  }
  throw new Error('neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed');
}

/**
 * Dawn through the `webgpu` package, in this process. Auto calls it only after probeWebgpu found a
 * hardware device; with an explicit `--backend webgpu` Dawn's own stderr lines stay visible, as they
 * may explain a failure.
 */
async function loadWebgpu(): Promise<void> {
  let dawn: { create: (opts: string[]) => unknown; globals: Record<string, unknown> };
  try {
    dawn = (await tryImport('webgpu')) as typeof dawn;
  } catch {
    throw new Error('the `webgpu` package (Dawn) is not installed');
  }
  // tfjs-webgpu expects a browser: navigator.gpu and the GPUBufferUsage-style enums as globals.
  Object.assign(globalThis, dawn.globals);
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  g.navigator ??= {};
  g.navigator.gpu ??= dawn.create([]);
  const gpu = g.navigator.gpu as { requestAdapter(): Promise<unknown> };
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('Dawn found no WebGPU adapter (install Vulkan drivers, e.g. Debian mesa-vulkan-drivers >= 25)');
  try {
    await tryImport('@tensorflow/tfjs-backend-webgpu');
  } catch {
    throw new Error('@tensorflow/tfjs-backend-webgpu is not installed');
  }
}

/**
 * On Linux, Dawn without any Vulkan driver prints native errors to stderr before failing; auto does
 * not try it there. Other platforms (Metal, D3D12) always have a driver.
 */
function hasGpuDriver(): boolean {
  if (process.platform !== 'linux') return true;
  // A variable naming ICD files that are not there (e.g. not bound into a container) is no driver.
  const named = process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES;
  if (named) return named.split(':').some((f) => f !== '' && existsSync(f));
  return ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'].some(
    (d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')),
  );
}

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs could not initialise the ${name} backend`);
  await tf.ready();
}

/** Start one backend by name, or fail with exit 5 saying why. */
export async function useBackend(requested: BackendName): Promise<BackendChoice> {
  if (requested === 'auto') return useAuto();
  try {
    switch (requested) {
      case 'wasm':
        await import('@tensorflow/tfjs-backend-wasm');
        break;
      case 'cpu':
        await import('@tensorflow/tfjs-backend-cpu');
        break;
      case 'tensorflow':
        await loadTensorflow();
        break;
      case 'webgpu':
        await loadWebgpu();
        break;
    }
    await activate(requested);
  } catch (err) {
    throw new NmfError(
      `backend '${requested}' is unavailable: ${(err as Error).message}; install it (see README, Backends) or pass --backend wasm.`,
      ExitCode.backendUnavailable,
    );
  }
  return { name: requested, reason: `requested with --backend ${requested}`, notes: [] };
}

async function useAuto(): Promise<BackendChoice> {
  const notes: string[] = [];
  try {
    await loadTensorflow();
    await activate('tensorflow');
    const gpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
    if (gpu) return { name: 'tensorflow', reason: 'auto: TensorFlow reports a CUDA GPU in use', device: 'CUDA GPU (TensorFlow)', notes };
    notes.push('tensorflow: loaded but no CUDA GPU in use');
  } catch (err) {
    notes.push(`tensorflow: ${(err as Error).message}`);
  }
  try {
    if (!hasGpuDriver()) throw new Error('no Vulkan driver is installed (Dawn needs one on Linux)');
    const probe = await probeWebgpu();
    if (!probe.ok) throw new Error(probe.reason ?? 'the WebGPU probe failed');
    // A CPU rasteriser works (CI tests it) but is far slower than wasm.
    if (probe.software) throw new Error(`only a software adapter was found (${probe.adapter}); pass --backend webgpu to use it anyway`);
    await loadWebgpu();
    await activate('webgpu');
    return { name: 'webgpu', reason: `auto: a WebGPU device opened and copied a buffer on ${probe.adapter}`, device: probe.adapter!, notes };
  } catch (err) {
    notes.push(`webgpu: ${(err as Error).message}`);
  }
  await useBackend('wasm');
  return { name: 'wasm', reason: 'auto: no GPU backend passed its device check', notes };
}
