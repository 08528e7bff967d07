/** The JSON bench/gpu.sh writes (bench/gpu.schema.json), checked against its schema before writing. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { ROOT } from '../paths.js';
import type { Machine } from '../types.js';
import type { Devices } from './devices.js';

/** bench/gpu.sh's exit codes (also in its header and docs/testing.md). */
export const GPU_EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  noGpu: 3,
  labelsDiffer: 4,
  runsMissing: 5,
} as const;

export type GpuStatus = 'measured' | 'software_only' | 'no_gpu' | 'failed';

export interface GpuRun {
  workload: string;
  description: string;
  backend: 'wasm' | 'webgpu' | 'tensorflow';
  status: 'ok' | 'error' | 'skipped';
  error?: string;
  backend_label: string | null;
  backend_selection: unknown;
  wall_s: number | null;
  factorize_s: number | null;
  iterations: number | null;
  ms_per_iteration: number | null;
  peak_device_mb: number | null;
  peak_device_source: string;
  labels_vs_wasm: { k: number; agreement: number }[] | null;
  labels_match_wasm: boolean | null;
}

export interface GpuReport {
  schema: 'nmf-consensus/bench-gpu@1';
  created: string;
  finished: string;
  argv: string[];
  quick: boolean;
  allow_software: boolean;
  budget_s: number;
  status: GpuStatus;
  exit_code: number;
  message: string;
  machine: Machine;
  devices: Devices | null;
  installs: { package: string; outcome: 'present' | 'installed' | 'failed' | 'skipped'; detail?: string }[];
  /** GPU paths that do not exist yet, so were not run. */
  not_available: string[];
  runs: GpuRun[];
}

const Ajv = AjvModule as unknown as typeof AjvModule.default;
export const GPU_SCHEMA_FILE = join(ROOT, 'bench', 'gpu.schema.json');
let validate: ReturnType<InstanceType<typeof Ajv>['compile']> | undefined;

/** null when the report matches bench/gpu.schema.json, else the first problem. */
export function gpuReportProblem(report: unknown): string | null {
  validate ??= new Ajv({ strict: true, allErrors: false }).compile(JSON.parse(readFileSync(GPU_SCHEMA_FILE, 'utf8')));
  if (validate(report)) return null;
  const e = validate.errors![0]!;
  return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`;
}

/** Written under a temporary name and renamed, so a reader never sees half a report. */
export function writeGpuReport(file: string, report: GpuReport): void {
  const problem = gpuReportProblem(report);
  if (problem) throw new Error(`bench/gpu: the report does not match bench/gpu.schema.json (${problem}); a bug in bench/gpu`);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(report, null, 2) + '\n');
  renameSync(tmp, file);
}
