/**
 * What GPUs the bench can see, and their memory while a run goes: NVIDIA GPUs through nvidia-smi
 * (tensorflow needs CUDA; peak memory is sampled from it for either backend), and the WebGPU device
 * check --backend auto makes (tasks/lib/engine/webgpu-probe.ts).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { probeWebgpu, type WebgpuProbe } from '../../tasks/lib/engine/webgpu-probe.js';

export interface NvidiaGpu {
  name: string;
  memory_total_mb: number;
  driver: string;
}

export interface Devices {
  nvidia: NvidiaGpu[];
  /** Why nvidia lists none (nvidia-smi missing or failing), when it does. */
  nvidia_note: string | null;
  webgpu: WebgpuProbe;
}

function nvidiaSmi(args: string[]): string {
  return execFileSync('nvidia-smi', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
}

export function nvidiaGpus(): { gpus: NvidiaGpu[]; note: string | null } {
  try {
    const out = nvidiaSmi(['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits']);
    const gpus = out.trim().split('\n').filter((l) => l.trim() !== '').map((l) => {
      const [name, mem, driver] = l.split(',').map((s) => s.trim());
      return { name: name ?? '', memory_total_mb: Number(mem), driver: driver ?? '' };
    });
    return { gpus, note: gpus.length === 0 ? 'nvidia-smi lists no GPU' : null };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') return { gpus: [], note: 'nvidia-smi is not installed (no NVIDIA driver)' };
    return { gpus: [], note: `nvidia-smi failed: ${(e.stderr || e.message).trim().split('\n')[0]}` };
  }
}

export async function detectDevices(): Promise<Devices> {
  const { gpus, note } = nvidiaGpus();
  return { nvidia: gpus, nvidia_note: note, webgpu: await probeWebgpu() };
}

function usedMb(): number | null {
  try {
    const lines = nvidiaSmi(['--query-gpu=memory.used', '--format=csv,noheader,nounits']).trim().split('\n');
    return Math.max(...lines.map(Number));
  } catch {
    return null;
  }
}

/**
 * Peak device memory of one run: nvidia-smi sampled every 100 ms, less what was in use before the
 * run started (the whole device's memory, so the GPU must not be shared while the bench runs).
 */
export class DeviceMemorySampler {
  private proc: ChildProcess | null = null;
  private baseline: number | null = null;
  private peak: number | null = null;

  start(): void {
    this.baseline = usedMb();
    if (this.baseline === null) return;
    this.peak = this.baseline;
    this.proc = spawn('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits', '-lms', '100'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.proc.on('error', () => undefined);
    this.proc.stdout!.on('data', (d: Buffer) => {
      for (const v of d.toString().split('\n').map(Number)) if (Number.isFinite(v) && v > (this.peak ?? 0)) this.peak = v;
    });
  }

  /** MB above the baseline, or null when nvidia-smi cannot be read. */
  stop(): number | null {
    this.proc?.kill();
    this.proc = null;
    const after = usedMb();
    if (this.baseline === null || this.peak === null) return null;
    return Math.max(this.peak, after ?? 0) - this.baseline;
  }
}
