/**
 * bench/gpu.sh's driver: finds the GPUs, installs what the GPU backends need, runs W1, W2 and the
 * nmf-gpu paper workload on wasm and on every GPU backend available, compares labels with wasm and
 * writes one JSON (bench/gpu.schema.json). Without a GPU it stops before any run, says so, writes
 * the JSON anyway and exits 3. Exit codes: GPU_EXIT in ./report.ts.
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { machineInfo, round } from '../measure.js';
import { RESULTS_DIR, ROOT, resolveFromCwd } from '../paths.js';
import { DeviceMemorySampler, detectDevices, nvidiaGpus, type Devices } from './devices.js';
import { GPU_EXIT, writeGpuReport, type GpuReport, type GpuRun } from './report.js';
import { gpuWorkloads, labelAgreement, runBackend, type BackendRun } from './workloads.js';

const USAGE = `usage: bench/gpu.sh [--out FILE] [--budget-s S] [--no-install] [--quick] [--allow-software]
  --out FILE         the JSON report (default bench/results/gpu-<time>.json)
  --budget-s S       seconds for the whole check, installs included (default 285: under 5 minutes)
  --no-install       do not npm-install @tensorflow/tfjs-node-gpu or webgpu when missing
  --quick            shrunken workloads: checks the script, measures nothing worth quoting
  --allow-software   accept a software WebGPU adapter (Mesa lavapipe) as the device: a check of the
                     script on a machine without a GPU, never a GPU number
exit: 0 measured, every GPU run's labels equal wasm's; 1 failed; 2 usage; 3 no GPU (JSON written);
      4 a GPU run's labels differ from wasm's; 5 a run failed or did not fit the budget (JSON says which)`;

const NOT_AVAILABLE = [
  'webgpu-ops: webgpu runs use that backend\'s default kernels, the WGSL fused kernels (shards say webgpu-fused); the tfjs-ops path on webgpu (--kernels ops, one restart at a time) is not measured here',
];

interface Args {
  out: string;
  budgetS: number;
  install: boolean;
  quick: boolean;
  allowSoftware: boolean;
}

class UsageError extends Error {}
class HelpRequest extends Error {}

function parseArgs(argv: string[]): Args {
  const a: Args = { out: join(RESULTS_DIR, `gpu-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), budgetS: 285, install: true, quick: false, allowSoftware: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${f} needs a value`);
      return v;
    };
    if (f === '--out') a.out = resolveFromCwd(value());
    else if (f === '--budget-s') {
      a.budgetS = Number(value());
      if (!(a.budgetS > 0)) throw new UsageError(`--budget-s must be a positive number of seconds`);
    } else if (f === '--no-install') a.install = false;
    else if (f === '--quick') a.quick = true;
    else if (f === '--allow-software') a.allowSoftware = true;
    else if (f === '--help' || f === '-h') throw new HelpRequest();
    else throw new UsageError(`unknown option ${f}`);
  }
  return a;
}

function resolvable(pkg: string): boolean {
  try {
    createRequire(join(ROOT, 'package.json')).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

async function npmInstall(pkgs: string[], timeoutS: number): Promise<{ ok: boolean; detail: string }> {
  process.stderr.write(`bench/gpu: npm install --no-save ${pkgs.join(' ')}\n`);
  const r = await execa('npm', ['install', '--no-save', '--no-audit', '--no-fund', ...pkgs], { cwd: ROOT, reject: false, all: true, timeout: timeoutS * 1000 });
  const last = String(r.all ?? '').trim().split('\n').slice(-1)[0] ?? '';
  return r.exitCode === 0 ? { ok: true, detail: last } : { ok: false, detail: r.timedOut ? `timed out after ${Math.round(timeoutS)} s` : `npm exited ${r.exitCode}: ${last}` };
}

function emptyRun(workload: string, description: string, backend: GpuRun['backend'], status: 'error' | 'skipped', error: string): GpuRun {
  return {
    workload, description, backend, status, error, backend_label: null, backend_selection: null, wall_s: null, factorize_s: null,
    iterations: null, ms_per_iteration: null, peak_device_mb: null, peak_device_source: 'not measured', labels_vs_wasm: null, labels_match_wasm: null,
  };
}

async function main(argv: string[]): Promise<number> {
  const t0 = Date.now();
  const args = parseArgs(argv);
  const left = (): number => args.budgetS - (Date.now() - t0) / 1000;
  const report: GpuReport = {
    schema: 'nmf-consensus/bench-gpu@1', created: new Date().toISOString(), finished: '', argv, quick: args.quick, allow_software: args.allowSoftware,
    budget_s: args.budgetS, status: 'failed', exit_code: GPU_EXIT.failed, message: '', machine: machineInfo(), devices: null, installs: [],
    not_available: NOT_AVAILABLE, runs: [],
  };
  mkdirSync(dirname(args.out), { recursive: true });
  const finish = (status: GpuReport['status'], code: number, message: string): number => {
    Object.assign(report, { status, exit_code: code, message, finished: new Date().toISOString() });
    writeGpuReport(args.out, report);
    process.stderr.write(`bench/gpu: ${message}\nbench/gpu: wrote ${args.out}\n`);
    return code;
  };

  // The webgpu package is an optional dependency; on an NVIDIA machine without it, install it first.
  const nvidia = nvidiaGpus();
  if (nvidia.gpus.length > 0 && !resolvable('webgpu')) {
    if (!args.install) report.installs.push({ package: 'webgpu', outcome: 'skipped', detail: '--no-install' });
    else {
      const r = await npmInstall(['webgpu@^0.6.2', '@tensorflow/tfjs-backend-webgpu@^4.22.0'], Math.min(120, left()));
      report.installs.push({ package: 'webgpu', outcome: r.ok ? 'installed' : 'failed', detail: r.detail });
    }
  }
  const devices: Devices = await detectDevices();
  report.devices = devices;
  const hardwareWebgpu = devices.webgpu.ok && devices.webgpu.software !== true;
  const useWebgpu = hardwareWebgpu || (args.allowSoftware && devices.webgpu.ok);
  if (devices.nvidia.length === 0 && !useWebgpu) {
    const why = [devices.nvidia_note ?? 'no NVIDIA GPU', devices.webgpu.ok ? `WebGPU found only a software adapter (${devices.webgpu.adapter})` : `WebGPU: ${devices.webgpu.reason}`];
    return finish('no_gpu', GPU_EXIT.noGpu, `no GPU found (${why.join('; ')}): nothing was measured. Run this on a machine with a GPU (--allow-software checks the script on lavapipe, without GPU numbers).`);
  }

  const backends: GpuRun['backend'][] = [];
  if (useWebgpu) backends.push('webgpu');
  if (devices.nvidia.length > 0) {
    if (resolvable('@tensorflow/tfjs-node-gpu')) report.installs.push({ package: '@tensorflow/tfjs-node-gpu', outcome: 'present' });
    else if (!args.install) report.installs.push({ package: '@tensorflow/tfjs-node-gpu', outcome: 'skipped', detail: '--no-install' });
    else {
      const r = await npmInstall(['@tensorflow/tfjs-node-gpu@4.22.0'], Math.min(150, Math.max(1, left() - 60)));
      report.installs.push({ package: '@tensorflow/tfjs-node-gpu', outcome: r.ok ? 'installed' : 'failed', detail: r.detail });
    }
    backends.push('tensorflow');
  }
  // Without the package, auto would silently run wasm or webgpu: record why instead of running.
  const tensorflowMissing = backends.includes('tensorflow') && !resolvable('@tensorflow/tfjs-node-gpu') ? '@tensorflow/tfjs-node-gpu is not installed (see installs)' : null;

  const work = mkdtempSync(join(tmpdir(), 'nmfc-gpu-bench-'));
  try {
    for (const w of gpuWorkloads(args.quick)) {
      const input = await w.input(work);
      let ref: BackendRun | null = null;
      for (const backend of ['wasm' as const, ...backends]) {
        if (backend === 'tensorflow' && tensorflowMissing) {
          report.runs.push(emptyRun(w.name, w.description, backend, 'error', tensorflowMissing));
          continue;
        }
        if (left() < 5) {
          report.runs.push(emptyRun(w.name, w.description, backend, 'skipped', `the ${args.budgetS} s budget was spent before this run`));
          continue;
        }
        process.stderr.write(`bench/gpu: ${w.name} on ${backend} (${Math.round(left())} s of the budget left)\n`);
        const sampler = new DeviceMemorySampler();
        if (backend !== 'wasm') sampler.start();
        try {
          // tensorflow through auto: it is picked only when TensorFlow reports a CUDA GPU in use.
          const r = await runBackend(w, input, backend === 'tensorflow' ? 'auto' : backend, join(work, `${w.name}-${backend}`), left());
          const peak = backend === 'wasm' ? null : sampler.stop();
          if (backend === 'tensorflow' && !r.backend_label?.startsWith('tensorflow')) {
            throw new Error(`auto did not pick tensorflow (shards say ${r.backend_label}): ${JSON.stringify(r.backend_selection)}`);
          }
          if (backend === 'wasm') ref = r;
          const agreement = ref && backend !== 'wasm' ? labelAgreement(r.labels, ref.labels) : null;
          report.runs.push({
            workload: w.name, description: w.description, backend, status: 'ok', backend_label: r.backend_label, backend_selection: r.backend_selection,
            wall_s: r.wall_s, factorize_s: r.factorize_s, iterations: r.iterations,
            ms_per_iteration: r.factorize_s !== null && r.iterations > 0 ? round((r.factorize_s * 1000) / r.iterations, 4) : null,
            peak_device_mb: peak,
            peak_device_source: backend === 'wasm' ? 'not applicable (CPU)' : peak === null ? 'not measured: nvidia-smi unavailable' : 'nvidia-smi memory.used every 100 ms, less its value before the run (whole device)',
            labels_vs_wasm: agreement,
            labels_match_wasm: agreement === null ? null : agreement.every((a) => a.agreement === 1),
          });
        } catch (err) {
          sampler.stop();
          report.runs.push(emptyRun(w.name, w.description, backend, 'error', (err as Error).message));
        } finally {
          rmSync(join(work, `${w.name}-${backend}`), { recursive: true, force: true });
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const gpuRuns = report.runs.filter((r) => r.backend !== 'wasm');
  const differ = gpuRuns.filter((r) => r.labels_match_wasm === false).map((r) => `${r.workload}/${r.backend}`);
  const missing = report.runs.filter((r) => r.status !== 'ok').map((r) => `${r.workload}/${r.backend} (${r.status})`);
  const status = hardwareWebgpu || devices.nvidia.length > 0 ? 'measured' : 'software_only';
  const on = [
    ...devices.nvidia.map((g) => `tensorflow on ${g.name}`),
    ...(useWebgpu ? [`webgpu on ${devices.webgpu.adapter}${hardwareWebgpu ? '' : ' (software: no GPU number)'}`] : []),
  ].join(', ');
  const what = status === 'software_only' ? `a software adapter only, no GPU number (${on})` : on;
  if (differ.length > 0) return finish(status, GPU_EXIT.labelsDiffer, `${what}; labels differ from wasm in ${differ.join(', ')}${missing.length ? `; not finished: ${missing.join(', ')}` : ''}`);
  if (missing.length > 0) return finish(status, GPU_EXIT.runsMissing, `${what}; not finished: ${missing.join(', ')}`);
  return finish(status, GPU_EXIT.ok, `${what}; every GPU run gave wasm's labels`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof HelpRequest) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(GPU_EXIT.ok);
    }
    if (err instanceof UsageError) {
      process.stderr.write(`bench/gpu: ${err.message}\n${USAGE}\n`);
      process.exit(GPU_EXIT.usage);
    }
    process.stderr.write(`bench/gpu: failed: ${(err as Error).message}\n`);
    process.exit(GPU_EXIT.failed);
  },
);
