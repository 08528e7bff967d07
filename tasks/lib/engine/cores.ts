/**
 * How many threads `--workers 0` (the default) means: the cores this process may use. Affinity
 * (taskset, Slurm's cpuset) is in os.availableParallelism(); a CPU quota (docker --cpus, Kubernetes
 * limits, Slurm with cgroup CPU limits) is not in the libuv of Node 20, so it is read here from the
 * cgroup files: v2 cpu.max along the process's cgroup path, v1 cpu.cfs_quota_us / cpu.cfs_period_us.
 */
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface CgroupFs {
  read(path: string): string | null;
}

const realFs: CgroupFs = {
  read: (path) => {
    try {
      return existsSync(path) ? readFileSync(path, 'utf8') : null;
    } catch {
      return null;
    }
  },
};

/** The CPU quota in cores (quota / period, may be fractional) the cgroup files allow, or null when unlimited. */
export function cgroupQuota(fs: CgroupFs = realFs, root = '/sys/fs/cgroup'): number | null {
  const self = fs.read('/proc/self/cgroup') ?? '';
  let best: number | null = null;
  const keep = (q: number) => {
    if (Number.isFinite(q) && q > 0) best = best === null ? q : Math.min(best, q);
  };
  for (const line of self.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (path === undefined) continue;
    if (controllers === '') {
      // v2: every ancestor's cpu.max limits the process; the nearest one need not be the smallest.
      for (let dir = join(root, path); dir.startsWith(root); dir = dirname(dir)) {
        const [quota, period] = (fs.read(join(dir, 'cpu.max')) ?? '').trim().split(/\s+/);
        if (quota && quota !== 'max' && period) keep(Number(quota) / Number(period));
        if (dir === root) break;
      }
    } else if (controllers!.split(',').includes('cpu')) {
      for (const mount of ['cpu', 'cpu,cpuacct', 'cpuacct,cpu']) {
        const dir = join(root, mount, path);
        const quota = Number(fs.read(join(dir, 'cpu.cfs_quota_us')));
        const period = Number(fs.read(join(dir, 'cpu.cfs_period_us')));
        if (quota > 0 && period > 0) keep(quota / period);
      }
    }
  }
  return best;
}

/** Cores available to this process: affinity, then the cgroup CPU quota (rounded up: a 1.5-core quota runs 2 threads). */
export function availableCores(fs: CgroupFs = realFs, affinity = availableParallelism()): number {
  const quota = cgroupQuota(fs);
  return Math.max(1, quota === null ? affinity : Math.min(affinity, Math.ceil(quota)));
}

/** `--workers`: 0 = the available cores, otherwise as given. */
export function resolveWorkers(requested: number | undefined): number {
  const w = Math.floor(requested ?? 0);
  return w >= 1 ? w : availableCores();
}
