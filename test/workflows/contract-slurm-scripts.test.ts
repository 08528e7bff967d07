/**
 * Contract test for workflows/slurm/ without Slurm: submit.sh runs with a stand-in `sbatch`
 * (fake-sbatch.sh: runs each job at once, array tasks one by one, refuses a job whose afterok
 * dependency failed), so the scripts' own command lines run against the built CLI on the example.
 * The gathered consensus/ must equal `nmf-consensus run`'s byte for byte. The real thing, on a
 * one-node Slurm with GPUs, is slurm.test.ts.
 */
import { execa } from 'execa';
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOTATIONS, EXAMPLE, SLURM, TINY, cliOnPath, expectSameFolder, referenceRun, stageEnv, tempDir } from './helpers.js';

describe('Slurm scripts: command lines executed (stand-in sbatch), consensus equals run', () => {
  let work: string;
  let reference: string;
  let out: string;
  let submit: { exitCode?: number; stdout: string; stderr: string };
  let calls: string[];

  beforeAll(async () => {
    work = tempDir('nmfc-slurm-contract-');
    const bin = cliOnPath(work);
    copyFileSync(join(import.meta.dirname, 'fake-sbatch.sh'), join(bin, 'sbatch'));
    const state = join(work, 'sbatch');
    mkdirSync(state);
    const config = join(work, 'params.yaml');
    writeFileSync(config, `max_iter: ${TINY.max_iter}\nbackend: ${TINY.backend}\n`);
    out = join(work, 'run');
    const ref = referenceRun(work);
    const r = await execa(join(SLURM, 'submit.sh'), ['--input', EXAMPLE, '--outdir', out, '--ks', TINY.ks, '--restarts', String(TINY.restarts),
      '--restarts-per-shard', String(TINY.restarts_per_shard), '--config', config, '--annotations', ANNOTATIONS, '--partition', 'gpu'],
    { env: stageEnv(bin, { FAKE_SBATCH_STATE: state }), reject: false, timeout: 300_000 });
    submit = { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    calls = readFileSync(join(state, 'calls.log'), 'utf8').trim().split('\n');
    reference = await ref;
  }, 300_000);

  afterAll(() => {
    if (work && !process.env.KEEP_WORKFLOW_TESTS) rmSync(work, { recursive: true, force: true });
  });

  it('submit.sh submits preprocess, the factorize array on the GPU partition, then consensus+report, chained by afterok', () => {
    expect(submit.exitCode, submit.stderr).toBe(0);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatch(/preprocess\.sbatch$/);
    expect(calls[0]).not.toMatch(/--partition/); // no default partition: the cluster's default
    expect(calls[1]).toMatch(/--partition gpu --array 0-7 --dependency afterok:100 --kill-on-invalid-dep=yes .*factorize\.sbatch$/);
    expect(calls[1]).not.toMatch(/--gres/); // GPUs only with --gpu
    expect(calls[2]).toMatch(/--dependency afterok:101 --kill-on-invalid-dep=yes .*consensus\.sbatch$/);
    // 2 shards per k, then 2 per k of the random-data baseline (null_restarts 10, at most restarts)
    expect(readFileSync(join(out, 'slurm/shards.tsv'), 'utf8')).toBe('2\t0\t1\t0\n2\t2\t3\t0\n3\t0\t1\t0\n3\t2\t3\t0\n2\t0\t1\t1\n2\t2\t3\t1\n3\t0\t1\t1\n3\t2\t3\t1\n');
    expect(readFileSync(join(out, 'slurm/jobs.txt'), 'utf8')).toBe('100\n101\n102\n');
  });

  it('factorize.sbatch asks for no GPU itself (submit.sh --gpu does), uses the task\'s CPUs as workers, and each task ran one shard', () => {
    const script = readFileSync(join(SLURM, 'factorize.sbatch'), 'utf8');
    expect(script).not.toMatch(/^#SBATCH --gres/m);
    expect(script).toMatch(/--workers "\$\{SLURM_CPUS_PER_TASK:-1\}"/);
    const logs = readdirSync(join(out, 'slurm/logs')).filter((f) => f.startsWith('nmf-factorize-')).sort();
    expect(logs).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `nmf-factorize-101_${i}.out`));
    expect(readdirSync(join(out, 'shards')).filter((f) => !f.startsWith('.')).sort()).toEqual(['k2.r0-1', 'k2.r2-3', 'k3.r0-1', 'k3.r2-3', 'null.k2.r0-1', 'null.k2.r2-3', 'null.k3.r0-1', 'null.k3.r2-3']);
  });

  it('the gathered consensus/ equals nmf-consensus run byte for byte, and the report was written', () => {
    expectSameFolder(join(out, 'consensus'), join(reference, 'consensus'));
    expect(readFileSync(join(out, 'report/report.html'), 'utf8')).toContain('ALL-B');
  });

  it('consensus gets the plan\'s counts, so a baseline shard lost before the gather is exit 4 naming it, not a smaller baseline', async () => {
    const log = readdirSync(join(out, 'slurm/logs')).find((f) => f.startsWith('nmf-consensus-'))!;
    expect(readFileSync(join(out, 'slurm/logs', log), 'utf8')).toMatch(/: 4 restarts per k, 4 of the random-data baseline\n/);
    const lost = join(work, 'lost');
    for (const d of ['preprocess', 'shards']) cpSync(join(out, d), join(lost, d), { recursive: true });
    rmSync(join(lost, 'shards', 'null.k3.r2-3'), { recursive: true });
    const r = await execa('bash', [join(SLURM, 'consensus.sbatch')], { env: stageEnv(cliOnPath(work), { NMF_OUTDIR: lost, NMF_RESTARTS: '4', NMF_NULL_RESTARTS: '4' }), reject: false });
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/error: k=3: random-data baseline restarts 2-3 are missing from the shards; run factorize --null for them/);
    expect(readdirSync(lost).sort()).toEqual(['preprocess', 'shards']);
  });

  it('each script runs its own subcommand', () => {
    expect(readFileSync(join(SLURM, 'preprocess.sbatch'), 'utf8')).toMatch(/^"\$\{CLI\[@\]\}" preprocess \\$/m);
    expect(readFileSync(join(SLURM, 'factorize.sbatch'), 'utf8')).toMatch(/^"\$\{CLI\[@\]\}" factorize \\$/m);
    const c = readFileSync(join(SLURM, 'consensus.sbatch'), 'utf8');
    expect(c).toMatch(/^"\$\{CLI\[@\]\}" consensus \\$/m);
    expect(c).toMatch(/^"\$\{CLI\[@\]\}" report \\$/m);
  });
});
