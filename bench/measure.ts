/** Timing, memory and machine facts, kept in one place so every workload reports them the same way. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { Machine } from './types.js';

export function machineInfo(): Machine {
  const c = cpus();
  return {
    node: process.version,
    cpu_model: c[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    total_mem_gb: round(totalmem() / 2 ** 30, 1),
    platform: process.platform,
    arch: process.arch,
  };
}

/** Seconds taken by fn (monotonic clock). */
export async function timeIt<T>(fn: () => T | Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, value };
}

/** This process's peak RSS in MB (2^20 bytes); Node reports maxRSS in KiB. */
export function ownPeakRssMb(): number {
  return kibToMb(process.resourceUsage().maxRSS);
}

export function kibToMb(kib: number): number {
  return round(kib / 1024, 1);
}

export const GNU_TIME = '/usr/bin/time';

/**
 * Whether GNU time is installed. It is how we get the peak RSS of a command we spawn: Node can only
 * report its own maxRSS, not a grandchild's. Its %M is the wait4() ru_maxrss, i.e. the largest
 * single process of the command's tree (the CLI or one of its factorize workers), not their sum.
 */
export function gnuTimeAvailable(): boolean {
  if (!existsSync(GNU_TIME)) return false;
  try {
    return /GNU/.test(execFileSync(GNU_TIME, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (err) {
    // GNU time prints --version on stderr in some builds and exits 0; anything else is not GNU time.
    const e = err as { stderr?: string };
    return /GNU/.test(e.stderr ?? '');
  }
}

export const GNU_TIME_MISSING = `peak RSS not measured: ${GNU_TIME} (GNU time) is not installed; on Debian/Ubuntu: apt-get install time`;

/** Read the KiB value GNU time wrote with `-f %M -o FILE`. */
export function readGnuTimeKib(file: string): number | null {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const v = Number(lines[lines.length - 1]);
  return Number.isFinite(v) && v > 0 ? v : null;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
