/**
 * bench/gpu.sh, the GPU check: its JSON schema (bench/gpu.schema.json) accepts the reports the
 * driver writes and rejects inconsistent ones, and on a machine without a GPU it stops before any run
 * with exit 3 and still writes a valid JSON saying so. "No GPU" is made certain on any machine: an
 * nvidia-smi that fails as it does without a driver comes first on PATH, and the Vulkan loader is
 * pointed at an ICD file that does not exist. With a WebGPU adapter (lavapipe in CI) the whole flow
 * runs once on shrunken workloads with --allow-software. Nothing here asserts a time.
 */
import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GPU_EXIT, gpuReportProblem, type GpuReport, type GpuRun } from '../../bench/gpu/report.js';
import { probeWebgpu } from '../../tasks/lib/engine/webgpu-probe.js';
import { ROOT } from '../paths.js';

const SCRIPT = join(ROOT, 'bench', 'gpu.sh');

function okRun(backend: GpuRun['backend']): GpuRun {
  return {
    workload: 'w2', description: 'synthetic 5000 x 1000', backend, status: 'ok', backend_label: backend === 'wasm' ? 'wasm-fused' : backend,
    backend_selection: { requested: backend, reason: `requested with --backend ${backend}` }, wall_s: 12.5, factorize_s: 10.25, iterations: 10000,
    ms_per_iteration: 1.025, peak_device_mb: backend === 'wasm' ? null : 812, peak_device_source: 'nvidia-smi',
    labels_vs_wasm: backend === 'wasm' ? null : [{ k: 2, agreement: 1 }, { k: 3, agreement: 0.9975 }], labels_match_wasm: backend === 'wasm' ? null : false,
  };
}

function measured(): GpuReport {
  return {
    schema: 'nmf-consensus/bench-gpu@1', created: '2026-11-30T06:00:00.000Z', finished: '2026-11-30T06:04:00.000Z', argv: [], quick: false,
    allow_software: false, budget_s: 285, status: 'measured', exit_code: GPU_EXIT.labelsDiffer, message: 'labels differ from wasm in w2/webgpu',
    machine: { node: 'v20.19.0', cpu_model: 'Test CPU', cores: 16, total_mem_gb: 128, platform: 'linux', arch: 'x64' },
    devices: { nvidia: [{ name: 'NVIDIA H200', memory_total_mb: 143771, driver: '570.0' }], nvidia_note: null, webgpu: { ok: true, adapter: 'nvidia discrete-gpu NVIDIA H200', software: false } },
    installs: [{ package: '@tensorflow/tfjs-node-gpu', outcome: 'installed', detail: 'added 1 package' }],
    not_available: ['webgpu-fused: not written'],
    runs: [okRun('wasm'), okRun('webgpu'), { ...okRun('tensorflow'), status: 'skipped', error: 'the budget was spent', wall_s: null, iterations: null }],
  };
}

describe('bench/gpu.schema.json', () => {
  it('accepts a measured report with ok and skipped runs', () => {
    expect(gpuReportProblem(measured())).toBeNull();
  });

  it('rejects reports that contradict themselves or lack a field', () => {
    const cases: [string, (r: GpuReport) => unknown][] = [
      ['no_gpu with exit 0', (r) => ({ ...r, status: 'no_gpu', exit_code: 0, runs: [] })],
      ['no_gpu with runs', (r) => ({ ...r, status: 'no_gpu', exit_code: 3 })],
      ['an ok run without a time', (r) => ({ ...r, runs: [{ ...r.runs[0]!, wall_s: null }] })],
      ['a skipped run without its reason', (r) => ({ ...r, runs: [{ ...r.runs[2]!, error: undefined }] })],
      ['an agreement above 1', (r) => ({ ...r, runs: [{ ...r.runs[1]!, labels_vs_wasm: [{ k: 2, agreement: 1.5 }] }] })],
      ['an unknown backend', (r) => ({ ...r, runs: [{ ...r.runs[1]!, backend: 'cuda' }] })],
      ['an unknown field', (r) => ({ ...r, gpu_seconds: 1 })],
      ['no message', (r) => ({ ...r, message: '' })],
    ];
    for (const [what, make] of cases) expect(gpuReportProblem(JSON.parse(JSON.stringify(make(measured())))), what).not.toBeNull();
  });
});

/** An environment in which no GPU can be seen: a failing nvidia-smi first on PATH, no Vulkan ICD. */
function noGpuEnv(dir: string): Record<string, string> {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const smi = join(bin, 'nvidia-smi');
  writeFileSync(smi, "#!/bin/sh\necho \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\" >&2\nexit 9\n");
  chmodSync(smi, 0o755);
  const icd = join(dir, 'absent', 'nvidia_icd.json');
  return { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, VK_ICD_FILENAMES: icd, VK_DRIVER_FILES: icd };
}

const adapter = await probeWebgpu();

function gpuSh(args: string[], env: Record<string, string> = {}) {
  return execa(SCRIPT, ['--no-build', ...args], { reject: false, all: true, env, timeout: 240_000 });
}

describe('bench/gpu.sh', () => {
  it('without a GPU stops before any run with exit 3, a one-line reason and a valid JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmfc-gpu-'));
    const out = join(dir, 'gpu.json');
    const r = await gpuSh(['--out', out], noGpuEnv(dir));
    expect(r.exitCode, String(r.all)).toBe(GPU_EXIT.noGpu);
    expect(String(r.all)).toMatch(/^bench\/gpu: no GPU found \(nvidia-smi failed: NVIDIA-SMI has failed.*\): nothing was measured\./m);
    const report = JSON.parse(readFileSync(out, 'utf8')) as GpuReport;
    expect(gpuReportProblem(report)).toBeNull();
    expect(report.status).toBe('no_gpu');
    expect(report.exit_code).toBe(3);
    expect(report.runs).toEqual([]);
    expect(report.installs).toEqual([]);
    expect(report.devices!.nvidia).toEqual([]);
    expect(report.not_available.join(' ')).toMatch(/tfjs-ops path on webgpu .* not measured/);
  }, 120_000);

  it('refuses an unknown option with exit 2', async () => {
    const r = await gpuSh(['--gpus', '4']);
    expect(r.exitCode).toBe(GPU_EXIT.usage);
    expect(String(r.all)).toMatch(/^bench\/gpu: unknown option --gpus$/m);
  });

});

describe('bench/gpu.sh on a WebGPU adapter', () => {
  describe.skipIf(!adapter.ok)('on a WebGPU adapter (lavapipe in CI), shrunken workloads', () => {
    it('--quick --allow-software runs wasm and webgpu on all three workloads and compares labels', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nmfc-gpu-sw-'));
      const out = join(dir, 'gpu.json');
      const r = await gpuSh(['--out', out, '--quick', '--allow-software', '--no-install']);
      const report = JSON.parse(readFileSync(out, 'utf8')) as GpuReport;
      expect(gpuReportProblem(report)).toBeNull();
      expect(report.exit_code).toBe(r.exitCode);
      if (adapter.software) expect(report.status).toBe('software_only');
      expect(report.runs.map((x) => `${x.workload}/${x.backend}`)).toEqual(expect.arrayContaining(['w1/wasm', 'w1/webgpu', 'w2/wasm', 'w2/webgpu', 'paper/wasm', 'paper/webgpu']));
      for (const run of report.runs.filter((x) => x.backend === 'webgpu')) {
        expect(run.status, run.error).toBe('ok');
        expect(run.backend_label).toBe('webgpu-fused');
        expect(run.labels_vs_wasm!.map((a) => a.k)).toEqual([2, 3]);
        // Same seeds, same update order, float32 on both: the small planted problems agree exactly.
        expect(run.labels_match_wasm).toBe(true);
      }
      expect(r.exitCode).toBe(GPU_EXIT.ok);
    }, 240_000);

    it('a budget too small for any run skips them all, says so and exits 5', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nmfc-gpu-budget-'));
      const out = join(dir, 'gpu.json');
      const r = await gpuSh(['--out', out, '--quick', '--allow-software', '--no-install', '--budget-s', '1']);
      expect(r.exitCode, String(r.all)).toBe(GPU_EXIT.runsMissing);
      const report = JSON.parse(readFileSync(out, 'utf8')) as GpuReport;
      expect(gpuReportProblem(report)).toBeNull();
      expect(report.runs.length).toBe(6);
      for (const run of report.runs) expect([run.status, run.error]).toEqual(['skipped', 'the 1 s budget was spent before this run']);
    }, 60_000);
  });
});
