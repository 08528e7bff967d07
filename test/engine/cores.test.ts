/** --workers 0: the cores available to the process, from affinity and the cgroup CPU quota. */
import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { availableCores, cgroupQuota, resolveWorkers, type CgroupFs } from '../../tasks/lib/engine/cores.js';

const fake = (files: Record<string, string>): CgroupFs => ({ read: (p) => files[p] ?? null });

describe('available cores', () => {
  it('cgroup v2: the smallest cpu.max along the process cgroup path, rounded up', () => {
    const fs = fake({
      '/proc/self/cgroup': '0::/kubepods/pod1/c1\n',
      '/sys/fs/cgroup/kubepods/pod1/c1/cpu.max': 'max 100000\n',
      '/sys/fs/cgroup/kubepods/pod1/cpu.max': '150000 100000\n',
      '/sys/fs/cgroup/kubepods/cpu.max': '400000 100000\n',
    });
    expect(cgroupQuota(fs)).toBe(1.5);
    expect(availableCores(fs, 8)).toBe(2);
    expect(availableCores(fs, 1)).toBe(1); // affinity smaller than the quota
  });

  it('cgroup v1: cpu.cfs_quota_us / cpu.cfs_period_us; -1 means no limit', () => {
    const limited = fake({
      '/proc/self/cgroup': '4:memory:/a\n3:cpu,cpuacct:/docker/x\n',
      '/sys/fs/cgroup/cpu,cpuacct/docker/x/cpu.cfs_quota_us': '300000\n',
      '/sys/fs/cgroup/cpu,cpuacct/docker/x/cpu.cfs_period_us': '100000\n',
    });
    expect(availableCores(limited, 16)).toBe(3);
    const unlimited = fake({
      '/proc/self/cgroup': '3:cpu,cpuacct:/\n',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1\n',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
    });
    expect(cgroupQuota(unlimited)).toBeNull();
    expect(availableCores(unlimited, 16)).toBe(16);
  });

  it('no cgroup files: affinity alone; never below 1', () => {
    expect(availableCores(fake({}), 6)).toBe(6);
    expect(availableCores(fake({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '10000 100000\n' }), 4)).toBe(1);
  });

  it('--workers 0 resolves to this process`s cores; an explicit count is kept', () => {
    expect(resolveWorkers(3)).toBe(3);
    const auto = resolveWorkers(0);
    expect(auto).toBeGreaterThanOrEqual(1);
    expect(auto).toBeLessThanOrEqual(availableParallelism());
    expect(resolveWorkers(undefined)).toBe(auto);
  });
});
