/**
 * workflows/slurm/ on a real (one-node) Slurm: test/workflows/slurm-cluster.sh starts munged,
 * slurmctld and slurmd under a temporary folder (partitions cpu and gpu, Gres=gpu:2 backed by
 * placeholder device files), submit.sh --gpu submits preprocess -> factorize array (-p gpu, --gres=gpu:1
 * per task; --backend wasm, as the placeholder GPUs cannot compute) -> consensus+report chained by afterok, and the test waits for them (at most 5 min).
 * Checks: every job completed with exit 0 on the partition it asked for, every array task held one
 * GPU and saw CUDA_VISIBLE_DEVICES, consensus+report started only after the last shard, and the
 * consensus equals `nmf-consensus run`'s byte for byte. Then Nextflow (-profile test,slurm,local)
 * runs the pipeline on the same cluster. Every daemon is stopped in afterAll.
 * Needs root and Debian's slurm-wlm + munge (.ci/run installs them).
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ANNOTATIONS, EXAMPLE, NF, SLURM, TINY, cliOnPath, describeWithTool, expectSameFolder, referenceRun, stageEnv, tempDir } from './helpers.js';
import { NEXTFLOW, nextflowEnv, nextflowMissing, taskDirs, trace } from './engines.js';

const CLUSTER = join(import.meta.dirname, 'slurm-cluster.sh');

function slurmMissing(): string | null {
  if (process.getuid?.() !== 0) return 'not root (the test cluster runs slurmd and munged as root)';
  for (const t of ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'sinfo']) {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
    } catch {
      return `${t} not found (apt-get install slurm-wlm munge)`;
    }
  }
  return null;
}

/** `scontrol show job -o ID` as one record per job (array tasks each get one), key -> value. */
async function jobRecords(id: string, env: Record<string, string>): Promise<Record<string, string>[]> {
  const r = await execa('scontrol', ['show', 'job', '-o', id], { env });
  return r.stdout.trim().split('\n').map((line) => Object.fromEntries([...line.matchAll(/(\w+)=(\S*)/g)].map((m) => [m[1]!, m[2]!])));
}

describeWithTool('Slurm: job array on a GPU partition, dependent consensus+report, on a one-node test cluster', slurmMissing(), () => {
  let work: string;
  let state: string;
  let env: Record<string, string>;
  let out: string;
  let reference: string;
  let jobs: { pre: string; fac: string; con: string };
  const records: Record<string, Record<string, string>[]> = {};
  let waited = 0;
  let bin: string;

  beforeAll(async () => {
    work = tempDir('nmfc-slurm-');
    state = join(work, 'cluster');
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const ref = referenceRun(work);
    const start = await execa(CLUSTER, ['start', state], { env: { ...process.env, SLURM_TEST_PORT: port }, reject: false, timeout: 60_000 });
    if (start.exitCode !== 0) throw new Error(`the test cluster did not start:\n${start.stderr}`);
    bin = cliOnPath(work);
    env = stageEnv(bin, { SLURM_CONF: start.stdout.trim() });
    const config = join(work, 'params.yaml');
    writeFileSync(config, `max_iter: ${TINY.max_iter}\nbackend: ${TINY.backend}\n`);
    out = join(work, 'run');
    const sub = await execa(join(SLURM, 'submit.sh'), ['--input', EXAMPLE, '--outdir', out, '--ks', TINY.ks, '--restarts', String(TINY.restarts),
      '--restarts-per-shard', String(TINY.restarts_per_shard), '--config', config, '--annotations', ANNOTATIONS, '--partition', 'gpu',
      // --gpu asks --gres=gpu:1 per shard; the placeholder GPUs cannot compute, so the backend stays wasm
      '--gpu', '--backend', TINY.backend, '--sbatch-opt=--mem=400M', '--sbatch-opt=--cpus-per-task=1'], { env, reject: false });
    if (sub.exitCode !== 0) throw new Error(`submit.sh failed: ${sub.stderr}`);
    const [pre, fac, con] = readFileSync(join(out, 'slurm/jobs.txt'), 'utf8').trim().split('\n') as [string, string, string];
    jobs = { pre, fac, con };
    const t0 = Date.now();
    while (Date.now() - t0 < 300_000) {
      const q = await execa('squeue', ['-h', '-o', '%i %T %r'], { env });
      if (!q.stdout.trim()) break;
      if (/DependencyNeverSatisfied/.test(q.stdout)) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    waited = (Date.now() - t0) / 1000;
    for (const [k, id] of Object.entries(jobs)) records[k] = await jobRecords(id, env);
    reference = await ref;
  }, 360_000);

  afterAll(async () => {
    if (state) await execa(CLUSTER, ['stop', state], { reject: false });
    if (work && !process.env.KEEP_WORKFLOW_TESTS) rmSync(work, { recursive: true, force: true });
  });

  it('every job completed with exit code 0, within the 5 minute bound', () => {
    expect(waited).toBeLessThan(300);
    const all = Object.values(records).flat();
    expect(all).toHaveLength(1 + 8 + 1);
    for (const r of all) expect(`${r.JobId} ${r.JobName} ${r.JobState} ${r.ExitCode}`).toBe(`${r.JobId} ${r.JobName} COMPLETED 0:0`);
  });

  it('one array task per shard, each on the gpu partition with --gres=gpu:1', () => {
    const tasks = records.fac!;
    expect(tasks.map((r) => r.ArrayTaskId).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    for (const r of tasks) {
      expect(r.Partition).toBe('gpu');
      expect(r.TresPerNode).toBe('gres:gpu:1');
    }
    expect(records.pre![0]!.Partition).toBe('cpu');
    expect(records.con![0]!.Partition).toBe('cpu');
  });

  it('each shard saw its GPU (CUDA_VISIBLE_DEVICES) and ran its own k and restart range', () => {
    const logs = readdirSync(join(out, 'slurm/logs')).filter((f) => f.startsWith('nmf-factorize-')).sort();
    expect(logs).toHaveLength(8);
    const seen = logs.map((f) => {
      const text = readFileSync(join(out, 'slurm/logs', f), 'utf8');
      const m = /^factorize k=(\d) restarts (\d-\d)( \(baseline\))? on \S+, job \d+_\d, CUDA_VISIBLE_DEVICES=(\d)$/m.exec(text);
      expect(m, `${f}:\n${text}`).not.toBeNull();
      return `${m![3] ? 'null.' : ''}k${m![1]}.r${m![2]}`;
    });
    expect(seen.sort()).toEqual(['k2.r0-1', 'k2.r2-3', 'k3.r0-1', 'k3.r2-3', 'null.k2.r0-1', 'null.k2.r2-3', 'null.k3.r0-1', 'null.k3.r2-3']);
  });

  it('consensus+report started after every shard ended, preprocess before any shard started (afterok)', () => {
    const t = (s: string) => Date.parse(s);
    const preEnd = t(records.pre![0]!.EndTime!);
    const facStart = Math.min(...records.fac!.map((r) => t(r.StartTime!)));
    const facEnd = Math.max(...records.fac!.map((r) => t(r.EndTime!)));
    expect(facStart).toBeGreaterThanOrEqual(preEnd);
    expect(t(records.con![0]!.StartTime!)).toBeGreaterThanOrEqual(facEnd);
    expect(records.fac![0]!.Dependency ?? '').toBe('(null)'); // satisfied and cleared
  });

  it('the gathered consensus/ equals nmf-consensus run byte for byte, and the report was written', () => {
    expectSameFolder(join(out, 'consensus'), join(reference, 'consensus'));
    expect(readFileSync(join(out, 'report/report.html'), 'utf8')).toContain('ALL-B');
  });
  describeWithTool('Nextflow -profile test,slurm,local: every task a job on this cluster', nextflowMissing(), () => {
    let r: { exitCode?: number; all?: string };
    let dir: string;

    beforeAll(async () => {
      dir = join(work, 'nextflow');
      // poll the queue every second instead of Nextflow's default minute
      writeFileSync(join(work, 'poll.config'), "executor { pollInterval = '1 sec'; queueStatInterval = '2 sec' }\n");
      r = await execa(NEXTFLOW, ['run', NF, '-profile', 'test,slurm,local', '-c', join(work, 'poll.config'), '--outdir', join(dir, 'out'),
        '-with-trace', join(dir, 'trace.txt'), '-work-dir', join(dir, 'work')],
      { cwd: work, env: { ...nextflowEnv(work, bin), SLURM_CONF: env.SLURM_CONF! }, reject: false, all: true, timeout: 420_000 });
    }, 480_000);

    it('every task ran as a Slurm job (sbatch script, job id) and completed', () => {
      expect(r.exitCode, r.all?.slice(-3000)).toBe(0);
      const rows = trace(join(dir, 'trace.txt'));
      expect(rows).toHaveLength(1 + 1 + 8 + 1 + 1);
      for (const row of rows) {
        expect(row.status, row.name).toBe('COMPLETED');
        expect(row.native_id, row.name).toMatch(/^\d+$/);
      }
      for (const d of taskDirs(join(dir, 'work'), 'factorize')) {
        const script = readFileSync(join(d, '.command.run'), 'utf8');
        expect(script).toMatch(/^#SBATCH/m);
        expect(script, 'no partition unless --slurm_queue').not.toMatch(/^#SBATCH -p /m);
        expect(script, 'no GPU without the gpu profile').not.toMatch(/--gres/);
      }
    });

    it('the gathered consensus/ equals nmf-consensus run byte for byte', () => {
      expectSameFolder(join(dir, 'out/consensus'), join(reference, 'consensus'));
    });
  });
});
