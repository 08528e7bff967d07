/**
 * workflows/wdl/nmf_consensus.wdl under a real engine: miniwdl (PyPI, pinned) with its podman
 * backend, every task in the image CI builds from containers/Dockerfile (tagged with the name the
 * inputs use, so nothing is pulled). Checks:
 * - `miniwdl check` reports no warning;
 * - inputs/local.json (ks 2-3, 4 restarts, 2 per shard: two shards per k) runs end to end, and the
 *   gathered consensus (consensus.tar and the single-file outputs) equals `nmf-consensus run` with
 *   the same parameters byte for byte;
 * - a run killed (SIGKILL to miniwdl and its podman clients) while the scatter is under way, then
 *   rerun with miniwdl's call cache, reruns no shard that had finished and gives the same consensus;
 * - use_gpu on this GPU-less machine: factorize_gpu (backend tensorflow) fails at once with exit 5.
 * miniwdl runs one call at a time here (call_concurrency = 1): 1.16.0's podman backend counts CPUs
 * in a race when its first two tasks start together (AssertionError in _SubprocessScheduler).
 * Needs root, podman, runc, mmdebstrap and the miniwdl venv (.ci/run makes all of them).
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT, TINY, WDL, describeWithTool, expectSameFolder, referenceRun, tempDir } from './helpers.js';
import { MINIWDL, PODMAN, containerToolsMissing, engineEnv, ensureImage, miniwdlMissing, waitFor } from './engines.js';

const missing = containerToolsMissing() ?? miniwdlMissing();

/** inputs/local.json with absolute paths (runs start in their own folder) and optional changes. */
function inputs(dir: string, change: Record<string, unknown> = {}): string {
  const local = JSON.parse(readFileSync(join(ROOT, 'workflows/wdl/inputs/local.json'), 'utf8')) as Record<string, unknown>;
  const abs = Object.fromEntries(Object.entries(local).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('examples/') ? join(ROOT, v) : v]));
  const file = join(dir, 'inputs.json');
  writeFileSync(file, JSON.stringify({ ...abs, ...change }, null, 1));
  return file;
}

function config(dir: string): string {
  const file = join(dir, 'miniwdl.cfg');
  writeFileSync(file, [
    '[scheduler]', 'container_backend = podman', 'call_concurrency = 1',
    '[podman]', `exe = ["${PODMAN}"]`,
    // the work folders miniwdl mounts belong to the caller (root here): run the task as that user
    '[task_runtime]', 'as_user = true',
    '[call_cache]', 'put = true', 'get = true', `dir = ${join(dir, 'call-cache')}`,
    '',
  ].join('\n'));
  return file;
}

function miniwdl(args: string[], cwd: string, detached = false) {
  return execa(MINIWDL, args, { cwd, env: engineEnv(), reject: false, all: true, timeout: 300_000, detached });
}

/** Untar a task's .tar output into dir; the folder it holds. */
async function untar(tar: string, dir: string, folder: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await execa('tar', ['-xf', tar, '-C', dir]);
  return join(dir, folder);
}

const shardCalls = (run: string) => readdirSync(run).filter((d) => d.startsWith('call-factorize-')).sort();
const finished = (run: string) => shardCalls(run).filter((d) => existsSync(join(run, d, 'outputs.json')));

describeWithTool('WDL under miniwdl on podman, in the CI-built image', missing, () => {
  let work: string;
  let reference: string;
  let run: { exitCode?: number; all?: string; dir: string; outputs: Record<string, unknown> };
  let check: { exitCode?: number; all?: string };

  beforeAll(async () => {
    work = tempDir('nmfc-miniwdl-');
    const ref = referenceRun(work);
    await ensureImage();
    const cfg = config(work);
    check = await miniwdl(['check', '--suppress', 'CommandShellCheck', WDL], work);
    const r = await miniwdl(['run', WDL, '-i', inputs(work), '--dir', join(work, 'run') + '/.', '--cfg', cfg], work);
    const outputs = r.exitCode === 0 ? JSON.parse(readFileSync(join(work, 'run', 'outputs.json'), 'utf8')) : {};
    run = { exitCode: r.exitCode, all: r.all, dir: join(work, 'run'), outputs };
    reference = await ref;
  }, 600_000);

  afterAll(() => {
    if (work && !process.env.KEEP_WORKFLOW_TESTS) rmSync(work, { recursive: true, force: true });
  });

  it('miniwdl check: no warnings', () => {
    expect(check.exitCode, check.all).toBe(0);
    // a warning is a line "(Ln N, Col M) WarningName, ..." under its task
    expect(check.all, check.all).not.toMatch(/\(Ln \d+, Col \d+\) \w+/);
  });

  it('runs end to end: two shards per k (and two of the random-data baseline), every task in the image', () => {
    expect(run.exitCode, run.all?.slice(-3000)).toBe(0);
    // 4 restarts, 2 per shard; baseline min(null_restarts 10, 4) = 4 restarts, 2 per shard
    expect(readFileSync(join(run.dir, 'call-plan_shards', 'work', 'shards.json'), 'utf8').trim())
      .toBe('[[2,0,1,0],[2,2,3,0],[3,0,1,0],[3,2,3,0],[2,0,1,1],[2,2,3,1],[3,0,1,1],[3,2,3,1]]');
    expect(TINY.restarts / TINY.restarts_per_shard).toBe(2);
    expect(shardCalls(run.dir)).toHaveLength(8);
    const image = (JSON.parse(readFileSync(join(ROOT, 'workflows/wdl/inputs/local.json'), 'utf8')) as Record<string, string>)['nmf_consensus.docker'];
    expect(readFileSync(join(run.dir, 'workflow.log'), 'utf8')).toContain(`podman pull :: image: "${image}"`);
    for (const call of readdirSync(run.dir).filter((d) => d.startsWith('call-'))) {
      expect(readFileSync(join(run.dir, call, 'task.log'), 'utf8'), call).toMatch(/podman run/);
    }
  });

  it('the gathered consensus equals nmf-consensus run byte for byte (consensus.tar and each output file)', async () => {
    const o = run.outputs as Record<string, string | string[]>;
    const folder = await untar(o['nmf_consensus.consensus_tar'] as string, join(work, 'untar'), 'consensus');
    expectSameFolder(folder, join(reference, 'consensus'));
    for (const [key, file] of [['metrics_tsv', 'metrics.tsv'], ['membership_gct', 'membership.gct'], ['consensus_json', 'consensus.json']] as const) {
      expect(readFileSync(o[`nmf_consensus.${key}`] as string).equals(readFileSync(join(reference, 'consensus', file))), key).toBe(true);
    }
    const gcts = (o['nmf_consensus.consensus_gct'] as string[]).map((f) => f.split('/').pop()).sort();
    expect(gcts).toEqual(['consensus.k.2.gct', 'consensus.k.3.gct']);
    expect(readFileSync(o['nmf_consensus.summary_json'] as string, 'utf8')).toMatch(/"recommended_k"/);
  });

  it('killed during the scatter, rerun with the call cache: no finished shard is run again, same consensus', async () => {
    const dir = join(work, 'kill');
    mkdirSync(dir);
    const cfg = config(dir);
    // one restart per shard: 16 shards (8 of them the baseline's), so the kill lands inside the scatter
    const inp = inputs(dir, { 'nmf_consensus.restarts_per_shard': 1 });
    const first = join(dir, 'run1');
    const p = miniwdl(['run', WDL, '-i', inp, '--dir', first + '/.', '--cfg', cfg], dir, true);
    const inScatter = await waitFor(() => existsSync(first) && finished(first).length >= 2, 240_000);
    process.kill(-p.pid!, 'SIGKILL'); // miniwdl and the podman clients it started
    await p;
    expect(inScatter, 'two shards finished before the kill').toBe(true);
    const done = finished(first);
    expect(done.length, `finished before the kill: ${done}`).toBeLessThan(16);
    // containers already started may still be running: let them end before the rerun
    await waitFor(() => false, 3000);

    const second = join(dir, 'run2');
    const r = await miniwdl(['run', WDL, '-i', inp, '--dir', second + '/.', '--cfg', cfg], dir);
    expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
    expect(shardCalls(second)).toHaveLength(16);
    for (const call of shardCalls(second)) {
      const log = readFileSync(join(second, call, 'task.log'), 'utf8');
      if (done.includes(call)) {
        expect(log, `${call} finished before the kill`).toContain('done (cached)');
        expect(log, `${call} must not run again`).not.toMatch(/podman run/);
      } else {
        expect(log, `${call} had not finished`).toMatch(/podman run/);
      }
    }
    const o = JSON.parse(readFileSync(join(second, 'outputs.json'), 'utf8')) as Record<string, string>;
    expectSameFolder(await untar(o['nmf_consensus.consensus_tar']!, join(dir, 'untar'), 'consensus'), join(reference, 'consensus'));
    // containers whose podman client the kill stopped before they started stay "Created": remove them
    await execa(PODMAN, ['container', 'prune', '--force'], { reject: false });
  }, 600_000);
  it('use_gpu on a machine without a GPU: factorize_gpu fails at once with exit 5 (backend tensorflow), nothing computed on the CPU', async () => {
    // the GPU image cannot be built here (no CUDA base image): the CPU image stands in under the
    // -gpu tag; like a GPU VM whose GPU does not work, it has no usable tensorflow backend
    const image = (JSON.parse(readFileSync(join(ROOT, 'workflows/wdl/inputs/local.json'), 'utf8')) as Record<string, string>)['nmf_consensus.docker']!;
    const tag = await execa(PODMAN, ['tag', image, `${image}-gpu`], { reject: false, all: true });
    expect(tag.exitCode, tag.all).toBe(0);
    const dir = join(work, 'gpu');
    mkdirSync(dir);
    const r = await miniwdl(['run', WDL, '-i', inputs(dir, { 'nmf_consensus.use_gpu': true }), '--dir', join(dir, 'run') + '/.', '--cfg', config(dir)], dir);
    expect(r.exitCode, r.all?.slice(-2000)).not.toBe(0);
    const gpuCalls = readdirSync(join(dir, 'run')).filter((d) => d.startsWith('call-factorize_gpu-'));
    expect(gpuCalls.length).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'run')).filter((d) => /^call-factorize-/.test(d))).toEqual([]);
    const failed = gpuCalls.find((c) => existsSync(join(dir, 'run', c, 'stderr.txt')) && /backend 'tensorflow' is unavailable/.test(readFileSync(join(dir, 'run', c, 'stderr.txt'), 'utf8')));
    expect(failed, 'a factorize_gpu call said its backend is unavailable').toBeDefined();
    expect(readFileSync(join(dir, 'run', failed!, 'task.log'), 'utf8')).toMatch(/exit_status: 5|"exit_status": 5|exit status 5/);
    expect(readFileSync(join(dir, 'run', failed!, 'command'), 'utf8')).toMatch(/--backend tensorflow/);
    expect(readFileSync(join(dir, 'run', failed!, 'command'), 'utf8')).toMatch(/CUDA_CACHE_PATH=/);
  }, 300_000);
});
