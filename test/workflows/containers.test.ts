/**
 * containers/Dockerfile builds and runs without a registry: test/workflows/container-build.sh makes a
 * Debian bookworm base with mmdebstrap (cached in ~/.cache/nmf-consensus/ once made), adds this
 * machine's Node 20, builds the Dockerfile with podman (npm offline from the local npm cache, no
 * network in the build), and runs `run` on the example inside the image as its non-root user. The
 * consensus must equal the host's `run` byte for byte. containers/Dockerfile.gpu and
 * containers/nmf-consensus.def are not built here (no CUDA base image, no Apptainer for bookworm).
 * Needs root, podman, runc and mmdebstrap (.ci/run installs them).
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTool, expectSameFolder, referenceRun, tempDir, toolVersion } from './helpers.js';

const BUILD = join(import.meta.dirname, 'container-build.sh');

function containerToolsMissing(): string | null {
  if (process.getuid?.() !== 0) return 'not root (podman runs rootful here)';
  for (const t of ['podman', 'runc', 'mmdebstrap']) {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
    } catch {
      return `${t} not found (apt-get install podman runc mmdebstrap)`;
    }
  }
  return null;
}

describeWithTool('containers/Dockerfile: built with podman on an mmdebstrap base, run on the example', containerToolsMissing(), () => {
  let work: string;
  let reference: string;
  let log = '';

  beforeAll(async () => {
    work = tempDir('nmfc-container-');
    const ref = referenceRun(work);
    const r = await execa(BUILD, [join(work, 'podman'), 'localhost/nmf-consensus:ci'], { all: true, reject: false, timeout: 420_000 });
    log = r.all ?? '';
    if (r.exitCode !== 0) throw new Error(`container-build.sh failed (${r.exitCode}):\n${log.slice(-4000)}`);
    reference = await ref;
  }, 480_000);

  afterAll(async () => {
    if (work && !process.env.KEEP_WORKFLOW_TESTS) {
      await execa(BUILD, ['--clean', join(work, 'podman')], { reject: false });
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('run inside the image gives the host run\'s consensus byte for byte', () => {
    expectSameFolder(join(work, 'podman/out/result/consensus'), join(reference, 'consensus'));
  });

  it('the image runs as a non-root user, its entrypoint is the CLI, its OCI version label is the package version', () => {
    expect(readFileSync(join(work, 'podman/inspect.txt'), 'utf8').trim()).toBe(`nmf|["nmf-consensus-entrypoint"]|${toolVersion()}`);
    expect(readFileSync(join(work, 'podman/version.txt'), 'utf8').trim()).toBe(toolVersion());
  });

  it('a shell command, as workflow engines pass it, runs as is', () => {
    expect(readFileSync(join(work, 'podman/engine-style.txt'), 'utf8')).toBe(`nmf\n${toolVersion()}\n`);
  });

  it('the build used no registry (offline npm, no network)', () => {
    expect(log).toMatch(/added \d+ packages/);
    expect(log).not.toMatch(/SELF_SIGNED|ENOTFOUND|EAI_AGAIN/);
  });
});
