/**
 * The bench harness (bench/): its formatting and report assembly in-process, and one `--quick` run of
 * the built harness end to end. Benchmarks are never timed here: only the shape of the output is
 * checked (fields present, numbers positive).
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attachPeers, workloadResult } from '../../bench/report.js';
import { selectWorkloads } from '../../bench/select.js';
import { formatReport, textTable } from '../../bench/table.js';
import type { BenchReport, Machine } from '../../bench/types.js';
import { growthRows, linkage } from '../../bench/workloads/linkage.js';

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
