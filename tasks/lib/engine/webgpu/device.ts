/// <reference types="@webgpu/types" />
/**
 * Opening a WebGPU device for the webgpu-fused path: Dawn through the `webgpu` package, loaded only
 * when this path runs. The path opens one device per run and destroys it at the end, so Dawn holds no
 * device (and no thread keeping Node alive) between runs.
 */
import { ExitCode, NmfError } from '../../errors.js';

export interface OpenDevice {
  device: GPUDevice;
  /** The adapter, in words (vendor, architecture, description). */
  adapter: string;
  /** The largest storage buffer binding the device accepts, in bytes. */
  maxBinding: number;
}

let gpu: GPU | null = null;

async function dawn(): Promise<GPU> {
  if (gpu) return gpu;
  const g = globalThis as unknown as { navigator?: { gpu?: GPU } };
  // The tfjs webgpu backend (backend.ts) may have created Dawn's GPU object already: share it.
  if (g.navigator?.gpu) return (gpu = g.navigator.gpu);
  let mod: { create(opts: string[]): GPU };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch {
    throw new NmfError('--kernels fused on --backend webgpu: the `webgpu` package (Dawn) is not installed; install it or pass --kernels ops.', ExitCode.backendUnavailable);
  }
  return (gpu = mod.create([]));
}

export async function openDevice(): Promise<OpenDevice> {
  const adapter = await (await dawn()).requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new NmfError('--kernels fused on --backend webgpu: Dawn found no WebGPU adapter (install Vulkan drivers, e.g. Debian mesa-vulkan-drivers >= 25), or pass --backend wasm.', ExitCode.backendUnavailable);
  }
  const maxBinding = Math.min(adapter.limits.maxStorageBufferBindingSize, adapter.limits.maxBufferSize);
  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: maxBinding, maxBufferSize: adapter.limits.maxBufferSize },
  });
  const info = adapter.info;
  const name = [info?.vendor, info?.architecture, info?.description || info?.device].filter((s) => s).join(' ').trim() || 'unnamed adapter';
  return { device, adapter: name, maxBinding };
}
