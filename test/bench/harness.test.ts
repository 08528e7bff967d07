/**
 * The bench harness (bench/): its formatting and report assembly in-process, and one `--quick` run of
 * the built harness end to end. Benchmarks are never timed here: only the shape of the output is
 * checked (fields present, numbers positive).
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attachPeers, workloadResult } from '../../bench/report.js';
import { selectWorkloads } from '../../bench/select.js';
import { formatReport, textTable } from '../../bench/table.js';
import type { BenchReport, Machine } from '../../bench/types.js';
import { growthRows, linkage } from '../../bench/workloads/linkage.js';
import { runFlags } from '../../bench/workloads/cli-run.js';
import { peersFor } from '../../bench/peers.js';
import { WORKLOADS } from '../../bench/workloads/index.js';
import { kernels } from '../../bench/workloads/kernels.js';
import { BUILD_NAMES, kernelLanes, nativeAvailable } from '../../tasks/lib/engine/fused/kernel.js';
import { shardTotals } from '../../bench/shards.js';
import { PYTHON3 } from '../../bench/peers.js';
import { writeSyntheticGct } from '../../bench/synthetic.js';
import { consensusClusters, errorsAt, peerQuality, plantedGroups } from '../../bench/fit-quality.js';
import { mulberry32 } from '../../bench/prng.js';
import { adjustedRandIndex } from '../../tasks/lib/metrics/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const machine: Machine = { node: 'v20.0.0', cpu_model: 'Test CPU', cores: 2, total_mem_gb: 8, platform: 'linux', arch: 'x64' };

describe('bench formatting', () => {
  it('aligns a text table, numbers right and text left', () => {
    const t = textTable(['name', 'seconds'], [['a', '1.5'], ['longer', '10.25']]).split('\n');
    expect(t[0]).toBe('name    seconds');
    expect(t[2]).toBe('a           1.5');
    expect(t[3]).toBe('longer    10.25');
  });

  it('computes the growth ratio per doubling and the exponent', () => {
    const rows = growthRows([{ n: 4000, seconds: 4 }, { n: 2000, seconds: 1 }, { n: 3000, seconds: 2 }]);
    expect(rows.map((r) => r.n)).toEqual([2000, 3000, 4000]);
    expect(rows[0]!.ratio_per_doubling).toBeNull();
    expect(rows[1]!.ratio_per_doubling).toBeNull(); // 3000 is not twice 2000
    expect(rows[2]!.ratio_per_doubling).toBeNull(); // nor 4000 twice 3000
    const d = growthRows([{ n: 1000, seconds: 1 }, { n: 2000, seconds: 4 }]);
    expect(d[1]!.ratio_per_doubling).toBe(4);
    expect(d[1]!.exponent).toBe(2);
  });

  it('assembles a workload result with peers and ours/peer ratios, and prints it', () => {
    const r = workloadResult(linkage, { ns: [10] }, machine, {
      outcome: { wall_s: 2, iterations: 100, per_iteration_ms: 20, backend: 'host-js', cases: [{ n: 10, seconds: 0.5 }] },
      own_peak_rss_mb: 50,
    });
    expect(r).toMatchObject({ name: 'linkage', wall_s: 2, peak_rss_mb: 50, node: 'v20.0.0', cpu_model: 'Test CPU', cores: 2 });
    attachPeers(r, [{ name: 'R-NMF', description: 'peer', wall_s: 4, iterations: 100, per_iteration_ms: 40, peak_rss_mb: 100, backend: 'R' }]);
    expect(r.ratio).toEqual({ 'R-NMF': { wall_s: 0.5, per_iteration_ms: 0.5, peak_rss_mb: 0.5 } });
    const report: BenchReport = { schema: 'nmf-consensus/bench@1', created: 'now', argv: [], quick: true, machine, workloads: [r] };
    const text = formatReport(report);
    expect(text).toContain('Test CPU, 2 cores');
    expect(text).toMatch(/linkage\s+2\.00\s+100\s+20\.000\s+50\.0\s+-\s+host-js\s+ok/);
    expect(text).toContain('R-NMF');
  });

  it('selects workloads: --quick keeps linkage only, --set overrides, unknown names fail', () => {
    const quick = selectWorkloads({ only: null, quick: true, settings: [] });
    expect(quick.map((s) => s.workload.name)).toEqual(['linkage']);
    expect(quick[0]!.params['ns']).toEqual([1000, 2000]);
    const set = selectWorkloads({ only: ['linkage'], quick: false, settings: [['repeats', 1]] });
    expect(set[0]!.params['repeats']).toBe(1);
    expect(linkage.params['repeats']).not.toBe(1); // the registry's defaults are not mutated
    expect(() => selectWorkloads({ only: ['nope'], quick: false, settings: [] })).toThrow(/unknown workload/);
    expect(() => selectWorkloads({ only: ['w1-ours'], quick: true, settings: [] })).toThrow(/--quick/);
    expect(() => selectWorkloads({ only: ['linkage'], quick: false, settings: [['typo', 1]] })).toThrow(/typo/);
  });
});

describe('bench workloads at the defaults (issue 14)', () => {
  it('W1 and W2 run at 20 and 5 restarts per k with no --workers flag and no random-data baseline', () => {
    const byName = new Map(WORKLOADS.map((w) => [w.name, w]));
    for (const [name, restarts] of [['w1-ours', 20], ['w1-ours-r5', 5], ['w2-ours', 20], ['w2-ours-r5', 5]] as const) {
      const w = byName.get(name);
      expect(w, name).toBeDefined();
      expect(w!.params['restarts']).toBe(restarts);
      expect(w!.params['workers']).toBe(0);
      expect(w!.params['null_restarts']).toBe(0);
    }
    const flags = runFlags({ ks: '2-5', restarts: 5, seed: 1, algorithm: 'lee', backend: 'wasm', workers: 0, nullRestarts: 0 });
    expect(flags).not.toContain('--workers');
    expect(flags.join(' ')).toContain('--null-restarts 0');
    expect(runFlags({ ks: '2', restarts: 1, seed: 1, algorithm: 'lee', backend: 'wasm', workers: 2, nullRestarts: -1 }).join(' ')).toMatch(/--workers 2$/);
  });

  it('registers R NMF for both W1 workloads and scikit-learn and the numpy floor for both W2 workloads', () => {
    const names = (w: string) => peersFor(w).map((p) => p.name);
    expect(names('w1-ours')).toEqual(['r-nmf']);
    expect(names('w1-ours-r5')).toEqual(['r-nmf']);
    expect(names('w2-ours')).toEqual(['sklearn-mu', 'numpy-floor']);
    expect(names('w2-ours-r5')).toEqual(['sklearn-mu', 'numpy-floor']);
    expect(names('linkage')).toEqual([]);
  });

  it('registers RcppML and scikit-learn cd/mu at their default tol for the W2-time hals workloads, scikit-learn mu for lee', () => {
    const names = (w: string) => peersFor(w).map((p) => p.name);
    expect(names('w2t-hals')).toEqual(['rcppml', 'sklearn-cd-tol', 'sklearn-mu-tol']);
    expect(names('w2t-hals-r20')).toEqual(['rcppml', 'sklearn-cd-tol', 'sklearn-mu-tol']);
    expect(names('w2t-lee-connectivity')).toEqual(['sklearn-mu-tol']);
    for (const w of ['w2t-hals', 'w2t-hals-r20', 'w2t-lee', 'w2t-lee-connectivity']) expect(WORKLOADS.some((x) => x.name === w)).toBe(true);
  });
});

describe('fit quality (W2-time)', () => {
  it('scores the planted-k consensus by ARI against the planted groups and averages errors at k', () => {
    const n = 30;
    const truth = Array.from(plantedGroups(n, 3));
    // Three restarts that find the groups under different label names: the consensus is the truth.
    const relabelled = [truth, truth.map((g) => (g + 1) % 3), truth.map((g) => 2 - g)];
    expect(adjustedRandIndex(consensusClusters(relabelled, n, 3), truth)).toBe(1);
    // Restarts that split samples at random give a consensus far from the groups.
    const rand = mulberry32(3);
    const noise = [0, 1, 2, 3].map(() => truth.map(() => Math.floor(rand() * 3)));
    expect(adjustedRandIndex(consensusClusters(noise, n, 3), truth)).toBeLessThan(0.5);
    const fits = relabelled.map((labels, restart) => ({ k: 3, restart, iterations: 10 * (restart + 1), rel_error: 0.1 + restart * 0.01, labels }));
    const row = peerQuality([...fits, { k: 2, restart: 0, iterations: 30, rel_error: 0.5, labels: truth.map((g) => g % 2) }], n, 3, 30);
    expect(row).toEqual({ rel_error_planted_k_mean: 0.11, rel_error_planted_k_best: 0.1, consensus_ari_planted_k: 1, fits_at_iteration_cap: 2 });
    expect(() => errorsAt(fits, 4)).toThrow(/no fit at k = 4/);
  });
});

describe('shard totals', () => {
  it('sums restart-iterations and takes the factorize seconds from the last shard to finish', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmfc-shards-'));
    try {
      const shard = (name: string, json: object) => {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, 'shard.json'), JSON.stringify(json));
      };
      shard('k2.r0-1', { backend: 'wasm-fused', runs: [{ iterations: 10 }, { iterations: 30 }], elapsed_s: 3.25 });
      shard('k3.r0-0', { backend: 'wasm-fused', runs: [{ iterations: 5 }], elapsed_s: 1.5 });
      expect(shardTotals(dir)).toEqual({ shards: 2, restarts: 3, iterations: 45, backends: ['wasm-fused'], factorizeS: 3.25 });
      expect(shardTotals(join(dir, 'none')).factorizeS).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kernels workload', () => {
  it('reports ms per restart-iteration for a full SIMD group and for one restart alone, per build, shape and k', async () => {
    const o = await kernels.run({ w1_ks: [2, 3], w1_iters: 40, w2_ks: [2], w2_iters: 30, check_every: 10 });
    const builds = nativeAvailable() ? ['native', 'wasm'] as const : ['wasm'] as const;
    expect(o.cases!.map((c) => `${c['kernels']} ${c['shape']} k=${c['k']}`)).toEqual(
      builds.flatMap((b) => ['W1 5000x38 k=2', 'W1 5000x38 k=3', 'W2 5000x1000 k=2'].map((x) => `${BUILD_NAMES[b]} ${x}`)));
    for (const c of o.cases!) {
      expect(c['ms_full_group']).toBeGreaterThan(0);
      expect(c['ms_1_lane']).toBeGreaterThan(0);
    }
    expect(o.cases![0]!['cost_vs_first_k']).toBe(1);
    expect(o.cases![1]!['k_vs_first_k']).toBe(1.5);
    // A full group is as many restarts as the build has lanes, plus one restart alone, per k.
    expect(o.iterations).toBe(builds.reduce((s, b) => s + (kernelLanes(b) + 1) * (40 * 2 + 30), 0));
    expect(process.env.NMF_NATIVE).toBeUndefined(); // the workload put the environment back
  });
});

// The floor is a peer script: checked where the bench machine has it (python3 with numpy).
const hasNumpy = existsSync(PYTHON3) && (await execa(PYTHON3, ['-c', 'import numpy'], { reject: false })).exitCode === 0;

describe('numpy floor (bench/peers/numpy_floor.py)', () => {
  it.skipIf(!hasNumpy)('fits a planted k = 3 matrix with the stacked GEMM updates (relative error under 0.2 at k = 3, and below k = 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmfc-floor-'));
    try {
      const npy = join(dir, 'a.npy');
      await writeSyntheticGct(join(dir, 'a.gct'), { m: 200, n: 40, k: 3, seed: 7, noise: 0.05 }, npy);
      const out = join(dir, 'out.json');
      const r = await execa(PYTHON3, [join(ROOT, 'bench', 'peers', 'numpy_floor.py'), npy, '2-3', '3', '200', out], { reject: false });
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const j = JSON.parse(readFileSync(out, 'utf8')) as { iterations: number; first_restart_rel_err: Record<string, number>; dtype: string };
      expect(j.iterations).toBe(2 * 3 * 200);
      expect(j.dtype).toBe('float32');
      expect(j.first_restart_rel_err['3']).toBeLessThan(0.2);
      expect(j.first_restart_rel_err['3']).toBeLessThan(j.first_restart_rel_err['2']!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run bench -- --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nmfc-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a JSON report with positive measurements', async () => {
    const run = join(ROOT, 'dist', 'bench', 'run.js');
    expect(existsSync(run), 'build first (npm test runs the build)').toBe(true);
    const out = join(dir, 'quick.json');
    const r = await execa(process.execPath, [run, '--quick', '--with-peers', '--out', out], { cwd: ROOT, reject: false, timeout: 120_000 });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toContain('linkage');
    expect(String(r.stderr)).toContain('no peers are registered for linkage');
    const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    expect(report.schema).toBe('nmf-consensus/bench@1');
    expect(report.quick).toBe(true);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.workloads).toHaveLength(1);
    const w = report.workloads[0]!;
    expect(w.name).toBe('linkage');
    expect(w.error).toBeUndefined();
    for (const key of ['wall_s', 'peak_rss_mb', 'cores'] as const) expect(w[key]).toBeGreaterThan(0);
    expect(w.node).toBe(process.version);
    expect(typeof w.cpu_model).toBe('string');
    expect(w.backend).toBe('host-js');
    expect(w.peers).toBeUndefined();
    expect(w.cases!.map((c) => c['n'])).toEqual([1000, 2000]);
    for (const c of w.cases!) expect(c['seconds']).toBeGreaterThan(0);
    expect(w.cases![1]!['ratio_per_doubling']).toBeGreaterThan(0);
  });
});
