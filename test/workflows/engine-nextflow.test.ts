/**
 * workflows/nextflow under Nextflow itself (24.10.0 from Maven Central, scripts/install-nextflow.sh),
 * offline (NXF_OFFLINE) and without the nf-schema plugin (-profile test sets validate_params false: the plugin registry is
 * out of reach; params.test.ts validates nextflow_schema.json with ajv instead). Checks:
 * - -profile test,local (the CLI of this checkout on PATH) and -profile test,podman (every task in
 *   the CI-built image): PLAN, PREPROCESS, 8 FACTORIZE (2 shards per k and 2 of the random-data
 *   baseline), CONSENSUS, REPORT, and the gathered consensus/ equals `nmf-consensus run` byte for byte;
 * - -stub-run with --ks 3 (a number, as nextflow_schema.json allows): the real plan, stub outputs for every task;
 * - a run killed (SIGTERM to Nextflow, which stops its tasks) while FACTORIZE tasks are finishing,
 *   then -resume: every FACTORIZE the killed run recorded as finished is CACHED, the rest run, same consensus.
 * - -profile test,local,gpu on this GPU-less machine: FACTORIZE (backend tensorflow) fails at once, exit 5.
 * -profile test,slurm,local runs in slurm.test.ts, on the one-node Slurm that test starts.
 * Needs java, Nextflow under ~/.cache/nmf-consensus/nextflow, and for podman root, podman, runc,
 * mmdebstrap (.ci/run installs all of them).
 */
import { execa } from 'execa';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NF, cliOnPath, describeWithTool, expectSameFolder, referenceRun, tempDir } from './helpers.js';
import { IMAGE, NEXTFLOW, containerToolsMissing, ensureImage, nextflowEnv, nextflowMissing, taskDirs, trace, waitFor } from './engines.js';

describeWithTool('Nextflow runs the pipeline: local, podman, stub, kill and -resume', nextflowMissing(), () => {
  let work: string;
  let bin: string;
  let reference: string;
  const runs: Record<string, { exitCode?: number; all?: string; dir: string }> = {};

  /** One run in its own folder (outputs, trace); `workDir` is shared by a run and its -resume. */
  const nextflow = (name: string, args: string[], workDir = name, detached = false) => {
    const dir = join(work, name);
    const p = execa(NEXTFLOW, ['run', NF, '--outdir', join(dir, 'out'), '-with-trace', join(dir, 'trace.txt'), '-work-dir', join(work, workDir, 'work'), ...args],
      { cwd: work, env: nextflowEnv(work, bin), reject: false, all: true, timeout: 400_000, detached });
    return { dir, p };
  };
  const run = async (name: string, args: string[], workDir = name) => {
    const { dir, p } = nextflow(name, args, workDir);
    const r = await p;
    runs[name] = { exitCode: r.exitCode, all: r.all, dir };
    return runs[name]!;
  };

  beforeAll(async () => {
    work = tempDir('nmfc-nextflow-');
    bin = cliOnPath(work);
    reference = await referenceRun(work);
    await run('local', ['-profile', 'test,local']);
  }, 600_000);

  afterAll(() => {
    if (work && !process.env.KEEP_WORKFLOW_TESTS) rmSync(work, { recursive: true, force: true });
  });

  it('-profile test,local: every process ran, 8 FACTORIZE tasks, consensus equals nmf-consensus run', () => {
    const r = runs.local!;
    expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
    const t = trace(join(r.dir, 'trace.txt'));
    const names = t.map((row) => row.name!.replace(/^NMF_CONSENSUS:/, '').replace(/ .*/, ''));
    for (const p of ['PLAN', 'PREPROCESS', 'CONSENSUS', 'REPORT']) expect(names.filter((n) => n === p), p).toHaveLength(1);
    expect(names.filter((n) => n === 'FACTORIZE')).toHaveLength(8);
    expect(t.every((row) => row.status === 'COMPLETED')).toBe(true);
    expect(readdirSync(join(r.dir, 'out/shards')).sort()).toEqual(['k2.r0-1', 'k2.r2-3', 'k3.r0-1', 'k3.r2-3', 'null.k2.r0-1', 'null.k2.r2-3', 'null.k3.r0-1', 'null.k3.r2-3']);
    expectSameFolder(join(r.dir, 'out/consensus'), join(reference, 'consensus'));
    expect(existsSync(join(r.dir, 'out/report/report.html'))).toBe(true);
  });

  describeWithTool('-profile test,podman (the CI-built image)', containerToolsMissing(), () => {
    beforeAll(async () => {
      await ensureImage();
      await run('podman', ['-profile', 'test,podman']);
    }, 600_000);

    it('every task ran in the image, and the consensus equals nmf-consensus run', () => {
      const r = runs.podman!;
      expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
      expect(trace(join(r.dir, 'trace.txt'))).toHaveLength(12);
      const tasks = ['plan', 'preprocess', 'factorize', 'consensus', 'report'].flatMap((s) => taskDirs(join(r.dir, 'work'), s));
      expect(tasks).toHaveLength(12);
      for (const d of tasks) {
        const script = readFileSync(join(d, '.command.run'), 'utf8');
        expect(script, d).toContain('podman run');
        expect(script, d).toContain(` ${IMAGE} `);
      }
      expectSameFolder(join(r.dir, 'out/consensus'), join(reference, 'consensus'));
    });
  });

  it('-stub-run with --ks 3 (a number): the real plan for k = 3, every task stubbed', async () => {
    const r = await run('stub', ['-profile', 'test,local', '-stub-run', '--ks', '3']);
    expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
    const t = trace(join(r.dir, 'trace.txt'));
    expect(t.filter((row) => row.name!.includes(':FACTORIZE'))).toHaveLength(4); // 2 shards + 2 baseline shards of k = 3
    expect(readdirSync(join(r.dir, 'out/shards')).sort()).toEqual(['k3.r0-1', 'k3.r2-3', 'null.k3.r0-1', 'null.k3.r2-3']);
    expect(readFileSync(join(r.dir, 'out/shards/k3.r0-1/shard.json'), 'utf8').trim()).toBe('{}'); // the stub's
    expect(existsSync(join(r.dir, 'out/consensus'))).toBe(true);
  }, 300_000);

  it('killed during FACTORIZE, then -resume: no finished FACTORIZE runs again, same consensus', async () => {
    // one restart per shard, one task at a time: 16 FACTORIZE tasks, so the kill lands among them
    const args = ['-profile', 'test,local', '--restarts_per_shard', '1', '-qs', '1'];
    const { dir, p } = nextflow('kill', args, 'kill', true);
    const finishedNow = () => taskDirs(join(work, 'kill', 'work'), 'factorize')
      .filter((d) => existsSync(join(d, '.exitcode')) && readFileSync(join(d, '.exitcode'), 'utf8').trim() === '0');
    const inFactorize = await waitFor(() => finishedNow().length >= 2, 240_000);
    // SIGTERM, as a scheduler or Ctrl-C ends a run: Nextflow stops its tasks and records what finished
    process.kill(p.pid!, 'SIGTERM');
    const killed = await p;
    expect(inFactorize, 'two FACTORIZE tasks finished before the kill').toBe(true);
    expect(killed.exitCode, 'the killed run did not succeed').not.toBe(0);
    const done = trace(join(dir, 'trace.txt')).filter((row) => row.name!.includes(':FACTORIZE') && row.status === 'COMPLETED').map((row) => row.hash);
    expect(done.length, 'FACTORIZE tasks recorded as finished by the killed run').toBeGreaterThan(0);
    expect(done.length).toBeLessThan(16);

    const r = await run('resume', [...args, '-resume'], 'kill');
    expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
    const rows = trace(join(r.dir, 'trace.txt')).filter((row) => row.name!.includes(':FACTORIZE'));
    expect(rows).toHaveLength(16);
    const cached = rows.filter((row) => row.status === 'CACHED').map((row) => row.hash);
    for (const h of done) expect(cached, `${h} finished before the kill`).toContain(h);
    expect(rows.filter((row) => row.status === 'COMPLETED')).toHaveLength(16 - cached.length);
    expectSameFolder(join(r.dir, 'out/consensus'), join(reference, 'consensus'));
  }, 600_000);
  it('-profile test,local,gpu on a machine without a GPU: FACTORIZE fails at once with exit 5 (backend tensorflow)', async () => {
    const r = await run('gpu', ['-profile', 'test,local,gpu']);
    expect(r.exitCode, r.all?.slice(-2000)).not.toBe(0);
    const failed = trace(join(r.dir, 'trace.txt')).filter((row) => row.name!.includes(':FACTORIZE') && row.status === 'FAILED');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.exit).toBe('5');
    const d = taskDirs(join(r.dir, 'work'), 'factorize')[0]!;
    expect(readFileSync(join(d, '.command.sh'), 'utf8')).toMatch(/--backend tensorflow/);
    expect(readFileSync(join(d, '.command.err'), 'utf8')).toMatch(/backend 'tensorflow' is unavailable/);
    expect(existsSync(join(r.dir, 'out/consensus')), 'no consensus from a failed scatter').toBe(false);
  }, 300_000);
});
