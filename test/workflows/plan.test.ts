/**
 * One scatter plan: `nmf-consensus plan` is the only place the rule is written, and every launcher
 * prints its shards with it. Checked here: the CLI's plan against an independent statement of the
 * rule (each k once, ascending; restarts 0..R-1 covered in order by ranges of at most the shard
 * size, all full but the last; then the random-data baseline's min(null_restarts, R)), TSV and JSON; bad input exits 2 with one line; the WDL plan_shards
 * command and workflows/slurm/submit.sh (dry run) print exactly the CLI's plan; no workflow file
 * computes ranges itself. The Nextflow PLAN process runs under
 * Nextflow itself in engine-nextflow.test.ts.
 */
import { execa } from 'execa';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, EXAMPLE, NF, ROOT, SLURM, WDL, cliOnPath, stageEnv, tempDir } from './helpers.js';
import { parseWdl, wdlCommand } from './parse.js';

const CASES: [ks: string, restarts: number, per: number, nul: number][] = [['2-5', 20, 10, 10], ['2-3,5', 5, 2, 0], ['3', 7, 3, 10], [' 2, 4-5 ', 1, 1, 1], ['2-3,3', 3, 5, 2], ['4,2', 10, 4, 0]];

async function cliPlan(ks: string, restarts: number, per: number, nul: number, format: 'tsv' | 'json' = 'tsv') {
  return execa(process.execPath, [BIN, 'plan', '--ks', ks, '--restarts', String(restarts), '--null-restarts', String(nul), '--restarts-per-shard', String(per), '--format', format], { reject: false });
}

/**
 * The rule, stated independently: sorted unique ks from ranges/lists; consecutive ranges of `per`
 * restarts; then the same for min(nul, restarts) baseline restarts (4th column 1).
 */
function expected(ks: string, restarts: number, per: number, nul = 0): number[][] {
  const set = new Set<number>();
  for (const part of ks.split(',')) {
    const [lo, hi = lo] = part.trim().split('-').map(Number) as [number, number?];
    for (let k = lo; k <= hi!; k++) set.add(k);
  }
  const out: number[][] = [];
  for (const [count, baseline] of [[restarts, 0], [Math.min(nul, restarts), 1]] as const) {
    for (const k of [...set].sort((a, b) => a - b)) {
      const n = Math.ceil(count / per);
      for (let i = 0; i < n; i++) out.push([k, i * per, i === n - 1 ? count - 1 : (i + 1) * per - 1, baseline]);
    }
  }
  return out;
}

describe('nmf-consensus plan: the one scatter rule, used by WDL, Nextflow and Slurm', () => {
  const work = tempDir('nmfc-plan-');
  const bin = cliOnPath(work);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('prints every k x every restart range, as TSV and as JSON', async () => {
    for (const [ks, restarts, per, nul] of CASES) {
      const tsv = await cliPlan(ks, restarts, per, nul);
      expect(tsv.exitCode, tsv.stderr).toBe(0);
      const want = expected(ks, restarts, per, nul);
      expect(tsv.stdout.split('\n').map((l) => l.split('\t').map(Number)), `${ks} ${restarts} ${per} ${nul}`).toEqual(want);
      const json = await cliPlan(ks, restarts, per, nul, 'json');
      expect(JSON.parse(json.stdout)).toEqual(want);
    }
    expect((await cliPlan('2-3,5', 5, 2, 0)).stdout).toBe('2\t0\t1\t0\n2\t2\t3\t0\n2\t4\t4\t0\n3\t0\t1\t0\n3\t2\t3\t0\n3\t4\t4\t0\n5\t0\t1\t0\n5\t2\t3\t0\n5\t4\t4\t0');
    expect((await cliPlan('2', 4, 3, 2)).stdout).toBe('2\t0\t2\t0\n2\t3\t3\t0\n2\t0\t1\t1');
    // the default baseline (conf/defaults.yaml null_restarts) is capped at --restarts, as in run
    const dflt = await execa(process.execPath, [BIN, 'plan', '--ks', '2', '--restarts', '4'], { reject: false });
    expect(dflt.stdout).toBe('2\t0\t3\t0\n2\t0\t3\t1');
  });

  it('refuses a rank below 2, a zero or non-numeric shard size, with exit 2 and one line', async () => {
    for (const [ks, per] of [['1-3', '2'], ['2-3', '0'], ['2-3', 'x']] as const) {
      const r = await execa(process.execPath, [BIN, 'plan', '--ks', ks, '--restarts', '4', '--restarts-per-shard', per], { reject: false });
      expect(r.exitCode, `${ks} ${per}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    }
  });

  it('the WDL plan_shards command prints the CLI\'s plan', async () => {
    const task = parseWdl(WDL).tasks.get('plan_shards')!;
    expect(task.command).toMatch(/nmf-consensus plan /);
    for (const [i, [ks, restarts, per, nul]] of CASES.entries()) {
      const dir = join(work, `wdl-${i}`);
      await execa('mkdir', ['-p', dir]);
      const r = await execa('bash', ['-c', wdlCommand(task.command, { ks, restarts, restarts_per_shard: per, null_restarts: nul }, dir)], { cwd: dir, env: stageEnv(bin), reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'shards.json'), 'utf8'))).toEqual(expected(ks, restarts, per, nul));
    }
  });

  it('workflows/slurm/submit.sh writes the CLI\'s plan to shards.tsv and sizes the array from it', async () => {
    for (const [i, [ks, restarts, per, nul]] of CASES.entries()) {
      const out = join(work, `slurm-${i}`);
      // submit.sh takes the other parameters from --config, as the CLI does
      const config = join(work, `slurm-${i}.yaml`);
      writeFileSync(config, `null_restarts: ${nul}\n`);
      const s = await execa(join(SLURM, 'submit.sh'), ['--input', EXAMPLE, '--outdir', out, '--ks', ks, '--restarts', String(restarts), '--restarts-per-shard', String(per), '--config', config, '--dry-run'],
        { env: stageEnv(bin), reject: false });
      expect(s.exitCode, s.stderr).toBe(0);
      const want = expected(ks, restarts, per, nul);
      expect(readFileSync(join(out, 'slurm/shards.tsv'), 'utf8')).toBe(want.map((r) => `${r.join('\t')}\n`).join(''));
      expect(s.stderr).toContain(`--array 0-${want.length - 1} `);
    }
    const bad = await execa(join(SLURM, 'submit.sh'), ['--input', EXAMPLE, '--outdir', join(work, 'o'), '--ks', '1-3', '--dry-run'], { env: stageEnv(bin), reject: false });
    expect(bad.exitCode).toBe(2);
  });

  it('submit.sh --gpu asks one GPU per shard (--gres=gpu:1); without it no GPU; no partition unless given', async () => {
    const gpu = await execa(join(SLURM, 'submit.sh'), ['--input', EXAMPLE, '--outdir', join(work, 'g'), '--ks', '2', '--restarts', '4', '--gpu', '--dry-run'], { env: stageEnv(bin), reject: false });
    expect(gpu.exitCode, gpu.stderr).toBe(0);
    const calls = gpu.stderr.split('\n').filter((l) => l.startsWith('sbatch '));
    expect(calls[1]).toMatch(/--gres=gpu:1 .*--kill-on-invalid-dep=yes .*factorize\.sbatch$/);
    expect(calls.join('\n')).not.toMatch(/--partition/);
    const cpu = await execa(join(SLURM, 'submit.sh'), ['--input', EXAMPLE, '--outdir', join(work, 'c'), '--ks', '2', '--restarts', '4', '--dry-run'], { env: stageEnv(bin), reject: false });
    expect(cpu.stderr).not.toMatch(/--gres/);
  });

  it('no workflow file computes restart ranges itself (the hand-written copies are gone)', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : files.push(join(d, f));
    };
    walk(join(ROOT, 'workflows'));
    expect(files.some((f) => f.endsWith('ShardPlan.groovy'))).toBe(false);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      // the loop every hand-written copy had: step through restarts by the shard size
      expect(text, f).not.toMatch(/\+=\s*\$?\{?per|\.step\(|a \+ per/);
    }
    expect(readFileSync(join(NF, 'modules/local/plan/main.nf'), 'utf8')).toMatch(/nmf-consensus plan/);
  });
});
