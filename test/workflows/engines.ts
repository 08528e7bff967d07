/**
 * The real workflow engines and the CI image, shared by the engine tests: miniwdl (PyPI, in a venv
 * that .ci/run makes), Nextflow (Maven Central, scripts/install-nextflow.sh), and the image built
 * once per source tree from containers/Dockerfile into a podman store outside git
 * (container-build.sh --ensure), tagged with the name every workflow uses (containers/IMAGE).
 * Every location can be moved with an environment variable; the defaults are what .ci/run installs.
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

const CACHE = join(homedir(), '.cache', 'nmf-consensus');
export const IMAGE = readFileSync(join(ROOT, 'containers/IMAGE'), 'utf8').trim();
export const PODMAN_STORE = process.env.NMF_PODMAN_STORE ?? join(CACHE, 'podman');
/** The podman that uses PODMAN_STORE and never pulls an image that is already there. */
export const PODMAN = join(PODMAN_STORE, 'bin', 'podman');
export const MINIWDL_VERSION = '1.16.0';
export const MINIWDL = process.env.NMF_MINIWDL ?? join(CACHE, `miniwdl-${MINIWDL_VERSION}`, 'bin', 'miniwdl');
export const NEXTFLOW = process.env.NMF_NEXTFLOW ?? join(CACHE, 'nextflow', 'nextflow');
const BUILD = join(import.meta.dirname, 'container-build.sh');

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** null if the image can be built here (root, podman, runc, mmdebstrap), else why not. */
export function containerToolsMissing(): string | null {
  if (process.getuid?.() !== 0) return 'not root (podman runs rootful here)';
  for (const t of ['podman', 'runc', 'mmdebstrap']) if (!has(t)) return `${t} not found (apt-get install podman runc mmdebstrap)`;
  return null;
}

export function miniwdlMissing(): string | null {
  return existsSync(MINIWDL) ? null : `no miniwdl ${MINIWDL_VERSION} at ${MINIWDL} (.ci/run makes a venv there: pip install miniwdl==${MINIWDL_VERSION})`;
}

export function nextflowMissing(): string | null {
  if (!existsSync(NEXTFLOW)) return `no Nextflow at ${NEXTFLOW} (scripts/install-nextflow.sh ${join(CACHE, 'nextflow')})`;
  if (!has('java')) return 'no java on PATH';
  return null;
}

let built: Promise<string> | undefined;
/** Build IMAGE from this checkout (or reuse it when the sources are unchanged); the build log. */
export function ensureImage(): Promise<string> {
  built ??= execa(BUILD, ['--ensure', PODMAN_STORE, IMAGE], { all: true, reject: false, timeout: 540_000 }).then((r) => {
    if (r.exitCode !== 0) throw new Error(`container-build.sh failed (${r.exitCode}):\n${(r.all ?? '').slice(-4000)}`);
    return r.all ?? '';
  });
  return built;
}

/** Environment for an engine: the podman wrapper first on PATH, nothing pulled, no progress chatter. */
export function engineEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ...process.env, PATH: `${join(PODMAN_STORE, 'bin')}:${process.env.PATH}`, NMF_PROGRESS_SECONDS: '1000', ...extra } as Record<string, string>;
}

/** Wait until `done()` is true, checking every `ms`; false after `timeout` ms. */
export async function waitFor(done: () => boolean, timeout: number, ms = 100): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeout) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, ms));
  }
  return done();
}

/** The environment a Nextflow run here needs: offline, its own NXF_HOME, the CLI and podman on PATH (-profile test skips nf-schema). */
export function nextflowEnv(work: string, bin: string): Record<string, string> {
  const env = engineEnv({ NXF_OFFLINE: 'true', NXF_HOME: join(work, 'nxf-home'), NXF_ANSI_LOG: 'false' });
  return { ...env, PATH: `${bin}:${env.PATH}` };
}

/** Every task folder under a Nextflow work dir whose script runs `nmf-consensus <sub>`. */
export function taskDirs(workDir: string, sub: string): string[] {
  const out: string[] = [];
  if (!existsSync(workDir)) return out;
  for (const a of readdirSync(workDir)) {
    for (const b of readdirSync(join(workDir, a))) {
      const sh = join(workDir, a, b, '.command.sh');
      if (existsSync(sh) && readFileSync(sh, 'utf8').includes(`nmf-consensus ${sub} `)) out.push(join(workDir, a, b));
    }
  }
  return out;
}

/** Trace rows (tab-separated, with a header) as objects. */
export function trace(file: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head!.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i]!, v])));
}
