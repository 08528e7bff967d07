/**
 * Parameters: one place that merges, validates and normalises them (like scikit-learn's
 * `_check_params`). Precedence: command-line flags > `--config` YAML > `conf/defaults.yaml`.
 * The merged raw object is validated with ajv against schemas/params.schema.json; cross-field
 * rules (e.g. k vs data size) are checked where the data is known.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { inputError, usageError } from './errors.js';
import { packageRoot } from './paths.js';
import { schemaProblem } from './manifest/validate.js';
import type { Algorithm, BackendName, StopRule } from './types.js';

export interface Params {
  ks: number[];
  restarts: number;
  /** Restarts per k of the random-data baseline (A with each sample's column permuted); 0 = none. */
  null_restarts: number;
  seed: number;
  algorithm: Algorithm;
  max_iter: number;
  check_every: number;
  stable_checks: number;
  /** 'auto' = the algorithm's default (resolveStopRule). */
  stop: 'auto' | StopRule;
  tol: number;
  backend: BackendName;
  workers: number;
  kernels: 'auto' | 'fused' | 'ops';
  max_device_mb: number;
  negatives: 'error' | 'clamp' | 'shift';
  min_samples_per_feature: number;
  min_features_per_sample: number;
  normalize: 'none' | 'cp10k' | 'tpm' | 'log1p';
  top_features: number;
  top_features_by: 'variance' | 'cv' | 'fano';
  scale_features: boolean;
  transpose: boolean;
  max_consensus_n: number;
  consensus_sample_n: number;
  log_format: 'text' | 'json';
}

export type RawParams = Record<string, unknown>;

/** Largest rank accepted (labels are stored as uint16; consensus NMF is used far below this). */
export const MAX_K = 1000;
/** Restarts per k are numbered below this (schemas/params.schema.json has the same maximum). */
export const MAX_RESTARTS = 100_000;
/**
 * Restarts per k of the random-data baseline that `run`, `plan` (every workflow) and `consensus`
 * expect: never more than the data get, so the baseline at most doubles the factorization time.
 */
export function baselineRestarts(nullRestarts: number, restarts: number): number {
  return Math.min(nullRestarts, restarts);
}
/**
 * Every rank must be below min(features, samples) of the preprocessed matrix (exit 3 at `where`,
 * the fix naming `flag`); a matrix with fewer than 3 features or samples takes no rank at all.
 */
export function checkRanksFit(where: string, ks: readonly number[], m: number, n: number, flag: '--ks' | '--k'): void {
  const limit = Math.min(m, n);
  const tooBig = ks.filter((k) => k >= limit);
  if (tooBig.length === 0) return;
  const fix = limit <= 2 ? 'pass a matrix with at least 3 features and 3 samples left after preprocessing (k is at least 2)' : `choose ranks below ${limit} with ${flag}`;
  throw inputError(where, `k = ${tooBig.join(', ')} is not below min(features, samples) = min(${m}, ${n})`, fix);
}
/**
 * The stop rule each algorithm uses when --stop is auto (docs/method.md, Stop rules): brunet keeps
 * R NMF's connectivity rule (R NMF parity by default); lee and hals stop on the objective
 * (scikit-learn's rule), chosen by measurement: on the W2-time matrix lee ran 10.5 s against 22.2 s
 * under connectivity with the same planted-k consensus, and on ALL/AML (50 restarts) its cophenetic
 * stays within 0.0125 of R NMF's lee; a HALS fit settles in tens of sweeps.
 */
const DEFAULT_STOP: Record<Algorithm, StopRule> = { brunet: 'connectivity', lee: 'objective', hals: 'objective' };

export function resolveStopRule(algorithm: Algorithm, stop: 'auto' | StopRule): StopRule {
  return stop === 'auto' ? DEFAULT_STOP[algorithm] : stop;
}

/** The stop rule as shard.json and consensus.json state it. */
export function describeStopRule(rule: StopRule, p: { check_every: number; stable_checks: number; tol: number }): string {
  const connectivity = `connectivity (R NMF 0.25 nmf.stop.connectivity): labels unchanged for more than ${p.stable_checks} checks`;
  const objective = `objective: (f at the previous check - f) / f at the start < ${p.tol}`;
  if (p.stable_checks === 0) return `${rule}, turned off by stable_checks = 0: every restart runs max_iter iterations`;
  const text = rule === 'connectivity' ? connectivity : rule === 'objective' ? objective : `both: ${connectivity}, and ${objective}`;
  return `${text}; a check every ${p.check_every} iterations`;
}

/** A parameter file is a few lines; anything larger is refused before it is parsed. */
const MAX_CONFIG_BYTES = 1 << 20;
export const PARAM_NAMES = [
  'ks', 'restarts', 'null_restarts', 'seed', 'algorithm', 'max_iter', 'check_every', 'stable_checks', 'stop', 'tol',
  'backend', 'workers', 'kernels', 'max_device_mb', 'negatives',
  'min_samples_per_feature', 'min_features_per_sample', 'normalize', 'top_features', 'top_features_by', 'scale_features', 'transpose',
  'max_consensus_n', 'consensus_sample_n',
  'log_format',
] as const satisfies readonly (keyof Params)[];

/** Other names accepted for parameters (scanpy/cNMF style), in YAML files as on the command line. */
export const PARAM_ALIASES: Readonly<Record<string, string>> = {
  min_cells: 'min_samples_per_feature',
  min_genes: 'min_features_per_sample',
  by: 'top_features_by',
};

/** 'max-iter' and 'maxIter' -> 'max_iter'. */
export function normaliseKey(key: string): string {
  return key.replace(/-/g, '_').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Parameters are scalars or a flat list (ks). Anything nested is refused before it is walked, so a
 * YAML alias bomb (aliases nested into an exponential tree) costs no more than the file's size.
 */
function checkPlainValue(path: string, key: string, v: unknown): void {
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v) && v.length <= MAX_K && v.every((x) => x === null || typeof x !== 'object')) return;
  throw usageError(`${path}: the value of '${key}' is a nested structure or a very long list; parameters are numbers, words or a list of ranks, so write it plainly (without anchors and aliases).`);
}

function readYaml(path: string, what: string): RawParams {
  if (!existsSync(path)) throw usageError(`${what} ${path} not found; check the path given to --config.`);
  if (statSync(path).size > MAX_CONFIG_BYTES) throw usageError(`${path}: the file is over ${MAX_CONFIG_BYTES / 2 ** 20} MiB, far more than a parameter file; check the path given to --config.`);
  let doc: unknown;
  try {
    doc = yaml.load(readFileSync(path, 'utf8'));
  } catch (err) {
    const e = err as { mark?: { line: number; column: number }; reason?: string; message: string };
    const at = e.mark ? ` line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
    throw usageError(`${path}${at}: invalid YAML (${e.reason ?? e.message}); fix the syntax.`);
  }
  if (doc == null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw usageError(`${path}: expected a YAML mapping of parameter names to values.`);
  const out: RawParams = {};
  const spelled = new Map<string, string>();
  for (const [k, v] of Object.entries(doc as RawParams)) {
    const norm = normaliseKey(k);
    const key = PARAM_ALIASES[norm] ?? norm;
    checkPlainValue(path, k, v);
    const before = spelled.get(key);
    if (before !== undefined) throw usageError(`${path}: '${before}' and '${k}' both set ${key}; keep one of them.`);
    spelled.set(key, k);
    out[key] = v;
  }
  return out;
}

export function embeddedDefaults(): RawParams {
  return readYaml(join(packageRoot(), 'conf', 'defaults.yaml'), 'defaults file');
}

/** "2-5" -> [2,3,4,5]; "2,3,5" -> [2,3,5]; sorted, unique. */
export function parseKs(value: unknown): number[] {
  const out = new Set<number>();
  const parts = Array.isArray(value) ? value.map(String) : String(value).split(',');
  for (const part of parts) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw usageError(`--ks: '${part}' is not a rank or a range; use e.g. --ks 2-6 or --ks 2,3,5.`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw usageError(`--ks: range '${part}' runs backwards; write it as ${b}-${a}.`);
    if (b > MAX_K) throw usageError(`--ks: rank ${b} in '${part}' is above the largest supported rank ${MAX_K}; ranks must also be below the number of samples, so use e.g. --ks 2-10.`);
    for (let k = a; k <= b; k++) out.add(k);
  }
  const ks = [...out].sort((x, y) => x - y);
  if (ks.length === 0 || ks[0]! < 2) throw usageError(`--ks: every rank must be at least 2 (got ${ks.join(',')}); use e.g. --ks 2-5.`);
  return ks;
}

/** Merge defaults < config file < flags, validate, normalise. `flags` keys may be kebab or camel. */
export function resolveParams(flags: RawParams, configPath?: string): Params {
  const merged: RawParams = { ...embeddedDefaults() };
  if (configPath) Object.assign(merged, readYaml(configPath, 'config file'));
  for (const name of PARAM_NAMES) {
    const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = flags[name] ?? flags[camel] ?? flags[name.replace(/_/g, '-')];
    if (v !== undefined) merged[name] = v;
  }
  const problem = schemaProblem('params', merged);
  if (problem) {
    const field = /^field \/(\w+)/.exec(problem)?.[1];
    throw usageError(
      field
        ? `invalid parameter ${field}=${JSON.stringify(merged[field])}: ${problem.replace(/^field \/\w+ /, '')}; see --help or conf/defaults.yaml.`
        : `invalid parameters: ${problem}; see --help or conf/defaults.yaml.`,
    );
  }
  const p = { ...(merged as unknown as Params), ks: parseKs(merged.ks) };
  if (p.consensus_sample_n > p.max_consensus_n) {
    throw usageError(`consensus_sample_n=${p.consensus_sample_n} is above max_consensus_n=${p.max_consensus_n}; the subsample's consensus matrix must fit the same limit, so lower --consensus-sample-n.`);
  }
  return p;
}
