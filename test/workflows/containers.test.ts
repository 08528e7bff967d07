/**
 * containers/Dockerfile builds and runs without a registry: test/workflows/container-build.sh makes a
 * Debian bookworm base with mmdebstrap (cached in ~/.cache/nmf-consensus/ once made), adds this
 * machine's Node 20, builds the Dockerfile with podman (npm offline from the local npm cache, no
 * network in the build) into the podman store the engine tests share, tagged with containers/IMAGE.
 * `run` on the example inside the image, as its non-root user, must give the host's consensus byte
 * for byte, with the native kernels the image's build stage compiled (where the CPU has AVX2). containers/Dockerfile.gpu and containers/nmf-consensus.def are not built here (no CUDA
 * base image, no Apptainer for bookworm). Needs root, podman, runc and mmdebstrap (.ci/run installs them).
 */
import { execa } from 'execa';
import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EXAMPLE, describeWithTool, expectSameFolder, referenceRun, tempDir, toolVersion } from './helpers.js';
import { IMAGE, PODMAN, containerToolsMissing, ensureImage } from './engines.js';
import { cpuHasAvx2 } from '../engine/helpers.js';

describeWithTool('containers/Dockerfile: built with podman on an mmdebstrap base, run on the example', containerToolsMissing(), () => {
  let work: string;
  let reference: string;
  let log = '';
  let runLog = '';
  const podman = (args: string[]) => execa(PODMAN, args, { reject: false, all: true, timeout: 300_000 });

  beforeAll(async () => {
    work = tempDir('nmfc-container-');
    const ref = referenceRun(work);
    log = await ensureImage();
    const data = join(work, 'data');
    mkdirSync(data);
    chmodSync(data, 0o777); // the image's user nmf writes here
    copyFileSync(EXAMPLE, join(data, 'ALL_AML_data.gct'));
    const r = await podman(['run', '--rm', '--network', 'none', '-v', `${data}:/data`, IMAGE, 'run', '--input', '/data/ALL_AML_data.gct', '--outdir', '/data/result',
      '--ks', '2-3', '--restarts', '4', '--max-iter', '200', '--backend', 'wasm']);
    if (r.exitCode !== 0) throw new Error(`run in the image failed (${r.exitCode}):\n${r.all?.slice(-3000)}`);
    runLog = r.all ?? '';
    reference = await ref;
  }, 600_000);

  afterAll(() => {
    if (work && !process.env.KEEP_WORKFLOW_TESTS) rmSync(work, { recursive: true, force: true });
  });

  it('run inside the image gives the host run\'s consensus byte for byte', () => {
    expectSameFolder(join(work, 'data/result/consensus'), join(reference, 'consensus'));
  });

  it('the image carries the native kernels its build stage compiled, and factorize in it runs them (wasm where the CPU lacks AVX2)', () => {
    const build = cpuHasAvx2() ? 'native AVX2 build, 8 lanes' : 'wasm SIMD build, 4 lanes';
    expect(log).not.toMatch(/native kernels not built/);
    expect(runLog).toMatch(new RegExp(`factorize: k=2,3, fused kernels \\(wasm-fused arithmetic, ${build}\\)`));
  });

  it('the image runs as a non-root user, its entrypoint is the CLI, its OCI version label is the package version', async () => {
    const inspect = await podman(['image', 'inspect', '--format', '{{.Config.User}}|{{json .Config.Entrypoint}}|{{index .Labels "org.opencontainers.image.version"}}', IMAGE]);
    expect(inspect.stdout.trim()).toBe(`nmf|["nmf-consensus-entrypoint"]|${toolVersion()}`);
    expect((await podman(['run', '--rm', '--network', 'none', IMAGE, '--version'])).stdout.trim()).toBe(toolVersion());
  });

  it('a shell command, as workflow engines pass it, runs as is; ps is there for Nextflow\'s task metrics', async () => {
    const r = await podman(['run', '--rm', '--network', 'none', IMAGE, 'bash', '-c', 'id -un; nmf-consensus --version; command -v ps']);
    expect(r.stdout).toBe(`nmf\n${toolVersion()}\n/usr/bin/ps`);
  });

  it('the image was built without a registry (offline npm, no network), or reused from an earlier build of the same sources', () => {
    expect(log).toMatch(/added \d+ packages|is up to date in/);
    expect(log).not.toMatch(/SELF_SIGNED|ENOTFOUND|EAI_AGAIN/);
  });
});
