/**
 * Shared by the workflow checks (test/workflows/*.test.ts): paths, tool detection (a missing tool
 * fails in CI and skips visibly elsewhere), the reference `run`, a `nmf-consensus` on PATH, and
 * byte comparison of output folders.
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin', 'nmf-consensus.js');
export const NF = join(ROOT, 'workflows', 'nextflow');
export const WDL = join(ROOT, 'workflows', 'wdl', 'nmf_consensus.wdl');
export const SLURM = join(ROOT, 'workflows', 'slurm');
export const EXAMPLE = join(ROOT, 'examples', 'ALL_AML_data.gct');
export const ANNOTATIONS = join(ROOT, 'examples', 'ALL_AML_samples.tsv');
export const GROOVY_LIB = join(ROOT, 'node_modules', 'npm-groovy-lint', 'lib', 'java', 'groovy', 'lib');
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** The tiny parameters every workflow check uses (the Nextflow test profile, WDL inputs/local.json). */
export const TINY = { ks: '2-3', restarts: 4, restarts_per_shard: 2, max_iter: 200, backend: 'wasm' } as const;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A describe block that needs an external tool. `missing` is null when the tool is there, else why
 * not. In CI (process.env.CI set) a missing tool is a failing test; elsewhere the block is skipped
 * and its title says why.
 */
export function describeWithTool(title: string, missing: string | null, body: () => void): void {
  if (!missing) {
    describe(title, body);
  } else if (process.env.CI) {
    describe(title, () => {
      it(`has its tool: ${missing}`, () => {
        throw new Error(`${title}: ${missing}; .ci/run installs it, so CI must have it`);
      });
    });
  } else {
    console.warn(`[skipped] ${title}: ${missing}`);
    describe.skip(`${title} [skipped: ${missing}]`, body);
  }
}

function works(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** null if java 17+ and the Groovy 4 jars of npm-groovy-lint are there, else why not. */
export function groovyMissing(): string | null {
  if (!existsSync(join(GROOVY_LIB, 'groovy-4.0.26.jar'))) return `no Groovy jars in ${GROOVY_LIB} (devDependency npm-groovy-lint@18.0.0; run npm ci)`;
  if (!works('java', ['-version'])) return 'no java on PATH (apt-get install openjdk-17-jre-headless)';
  return null;
}

/** Run a Groovy script with the npm-groovy-lint jars. */
export async function groovy(script: string, args: string[]) {
  return execa('java', ['-cp', `${GROOVY_LIB}/*`, 'groovy.ui.GroovyMain', script, ...args], { reject: false, timeout: 120_000 });
}

export function wdlparseMissing(): string | null {
  if (!existsSync(DEBIAN_PYTHON)) return `no ${DEBIAN_PYTHON}`;
  if (!works(DEBIAN_PYTHON, ['-c', 'import wdlparse.v1.WdlV1Parser'])) return 'python3-wdlparse is not installed for /usr/bin/python3 (apt-get install python3-wdlparse)';
  return null;
}

/** A folder with an `nmf-consensus` that runs this checkout's built CLI, to put first on PATH. */
export function cliOnPath(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const exe = join(bin, 'nmf-consensus');
  writeFileSync(exe, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(exe, 0o755);
  return bin;
}

/** Environment for a stage command: the CLI on PATH, no progress chatter. */
export function stageEnv(binDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...process.env, PATH: `${binDir}:${process.env.PATH}`, NMF_PROGRESS_SECONDS: '1000', ...extra } as Record<string, string>;
}

/** `nmf-consensus run` on the example with the tiny parameters: the reference every workflow must equal. */
export async function referenceRun(dir: string): Promise<string> {
  const out = join(dir, 'reference');
  const r = await execa(process.execPath, [BIN, 'run', '--input', EXAMPLE, '--outdir', out, '--ks', TINY.ks, '--restarts', String(TINY.restarts),
    // null_restarts at its default: min(10, 4) random-data baseline restarts per k, as the workflows scatter them
    '--max-iter', String(TINY.max_iter), '--backend', TINY.backend], { reject: false, env: { NMF_PROGRESS_SECONDS: '1000' } });
  if (r.exitCode !== 0) throw new Error(`reference run failed (${r.exitCode}): ${r.stderr}`);
  return out;
}

/** The files every gathered consensus must reproduce byte for byte (and any other file `run` writes there). */
export const CONSENSUS_FILES = ['consensus.k.2.gct', 'consensus.k.3.gct', 'membership.gct', 'metrics.tsv', 'consensus.json'];

/** Assert that `actual` holds exactly the files of `expected` (the reference consensus/), byte for byte. */
export function expectSameFolder(actual: string, expected: string): void {
  const want = readdirSync(expected).sort();
  for (const f of CONSENSUS_FILES) expect(want, `reference run wrote ${f}`).toContain(f);
  expect(readdirSync(actual).sort()).toEqual(want);
  for (const f of want) {
    const a = readFileSync(join(actual, f));
    const b = readFileSync(join(expected, f));
    expect(a.equals(b), `${f} differs from nmf-consensus run's`).toBe(true);
  }
}

export function toolVersion(): string {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
}

/** Run async jobs at most `limit` at a time (the CI machine has 2 cores). */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}
