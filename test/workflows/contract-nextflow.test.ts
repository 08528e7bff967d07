/**
 * Contract test for the Nextflow pipeline, without Nextflow: the script block of every module
 * (workflows/nextflow/modules/local/<stage>/main.nf) is extracted, its Groovy placeholders filled
 * with the params of -profile test (nextflow.config + conf/test.config) and staged inputs, and run
 * with bash -euo pipefail in a task folder, as Nextflow would; the tasks are chained the way main.nf
 * wires them (scatter from the PLAN process's `nmf-consensus plan`, gather into one CONSENSUS). The gathered
 * consensus/ must equal `nmf-consensus run`'s byte for byte. Every declared output must exist, the
 * versions.yml must hold the CLI's version, and every stub block must produce the declared outputs.
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ANNOTATIONS, EXAMPLE, NF, TINY, cliOnPath, describeWithTool, expectSameFolder, groovyMissing, pool, referenceRun, stageEnv,
  tempDir, toolVersion,
} from './helpers.js';
import { type Binding, type NfProcess, gstring, groovyExpr, parseNfProcess, parseParamsBlock, stripIndent } from './parse.js';

const STAGES = ['plan', 'preprocess', 'factorize', 'consensus', 'report'] as const;
const SUBCOMMAND: Record<string, string> = { PLAN: 'plan', PREPROCESS: 'preprocess', FACTORIZE: 'factorize', CONSENSUS: 'consensus', REPORT: 'report' };

/** params as `nextflow run -profile test` sees them. */
function testProfileParams(): Record<string, unknown> {
  const base = parseParamsBlock(join(NF, 'nextflow.config'));
  const test = parseParamsBlock(join(NF, 'conf/test.config'), { projectDir: NF });
  return { ...base, ...test };
}

interface Task { dir: string; stdout: string }

/**
 * Stage `values` (name -> value; paths are absolute, lists for stageAs globs, [] for an empty path)
 * into a fresh task folder, fill the script (or stub) and run it there.
 */
async function runProcess(proc: NfProcess, values: Record<string, unknown>, params: Record<string, unknown>, dir: string, binDir: string, which: 'script' | 'stub' = 'script'): Promise<Task> {
  mkdirSync(dir, { recursive: true });
  const b: Binding = { params, task: { process: `NMF_CONSENSUS:${proc.name}`, ext: {}, attempt: 1 } };
  for (const channel of proc.inputs) {
    for (const el of channel) {
      if (!(el.name in values)) throw new Error(`${proc.name}: the test has no value for input ${el.name}`);
      const v = values[el.name];
      if (el.kind === 'val') { b[el.name] = v; continue; }
      const list = Array.isArray(v) ? (v as string[]) : [v as string];
      const staged = list.map((p) => {
        const rel = el.stageAs ? el.stageAs.replace('*', basename(p)) : basename(p);
        mkdirSync(join(dir, rel, '..'), { recursive: true });
        symlinkSync(p, join(dir, rel));
        return rel;
      });
      b[el.name] = Array.isArray(v) ? staged : staged[0];
    }
  }
  for (const [name, expr] of proc.defs) b[name] = groovyExpr(expr, b);
  const script = stripIndent(gstring(which === 'script' ? proc.script : proc.stub, b));
  writeFileSync(join(dir, '.command.sh'), script);
  const r = await execa('bash', ['-euo', 'pipefail', '.command.sh'], { cwd: dir, env: stageEnv(binDir), reject: false, timeout: 300_000 });
  if (r.exitCode !== 0) throw new Error(`${proc.name} ${which} failed (${r.exitCode}) in ${dir}:\n${script}\n${r.stderr}`);
  for (const out of proc.outputs) {
    const p = gstring(out.pattern, b);
    expect(existsSync(join(dir, p)), `${proc.name} ${which}: declared output ${p} (emit ${out.emit}) is missing`).toBe(true);
  }
  return { dir, stdout: r.stdout };
}

describeWithTool('Nextflow modules: command lines executed, gathered consensus equals run', groovyMissing(), () => {
  const procs = Object.fromEntries(STAGES.map((s) => [s, parseNfProcess(join(NF, 'modules/local', s, 'main.nf'))])) as Record<(typeof STAGES)[number], NfProcess>;
  const params = testProfileParams();
  let work: string;
  let bin: string;
  let reference: string;
  let plan: number[][];
  const tasks: Record<string, Task> = {};
  const shardTasks: Task[] = [];

  beforeAll(async () => {
    work = tempDir('nmfc-nf-contract-');
    bin = cliOnPath(work);
    const ref = referenceRun(work);
    // PLAN -> shards.tsv, read as main.nf does (splitCsv sep '\t', every field an int)
    tasks.plan = await runProcess(procs.plan, {}, params, join(work, 'plan'), bin);
    plan = readFileSync(join(tasks.plan.dir, 'shards.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t').map(Number));

    // main.nf: PREPROCESS(matrix) -> FACTORIZE(prep x plan) -> CONSENSUS(prep, all shards) -> REPORT(consensus, annotations)
    const meta = { id: basename(String(params.input)).replace(/\..*$/, '') };
    tasks.preprocess = await runProcess(procs.preprocess, { meta, matrix: params.input, features_file: params.features_file ?? [] }, params, join(work, 'preprocess'), bin);
    const prep = join(tasks.preprocess.dir, 'preprocess');
    await pool(plan, 2, async ([k, first, last]) => {
      shardTasks.push(await runProcess(procs.factorize, { meta, prep, k, first, last }, params, join(work, `factorize-${k}-${first}`), bin));
    });
    const shards = shardTasks.map((t) => join(t.dir, 'shards', readShardName(t.dir)));
    tasks.consensus = await runProcess(procs.consensus, { meta, prep, shards }, params, join(work, 'consensus'), bin);
    tasks.report = await runProcess(procs.report, { meta, consensus: join(tasks.consensus.dir, 'consensus'), annotations: params.annotations ?? [] }, params, join(work, 'report'), bin);
    reference = await ref;
  }, 300_000);

  afterAll(() => {
    if (work && !process.env.KEEP_WORKFLOW_TESTS) rmSync(work, { recursive: true, force: true });
  });

  it('-profile test is the bundled example with the tiny parameters', () => {
    expect(params.input).toBe(`${NF}/../../examples/${basename(EXAMPLE)}`);
    expect(existsSync(String(params.input))).toBe(true);
    expect(params.pdf).toBe(false);
    expect(params.annotations).toBe(`${NF}/../../examples/${basename(ANNOTATIONS)}`);
    for (const [k, v] of Object.entries(TINY)) expect(params[k], `test profile ${k}`).toBe(v);
  });

  it('each module runs its own subcommand and says so in its header', () => {
    for (const s of STAGES) {
      const p = procs[s];
      expect(p.script).toMatch(new RegExp(`^\\s*nmf-consensus ${SUBCOMMAND[p.name]} \\\\\\\\`, 'm'));
      expect(readFileSync(p.file, 'utf8')).toMatch(new RegExp(`\`nmf-consensus ${SUBCOMMAND[p.name]}\``));
      expect(readFileSync(p.file, 'utf8')).toMatch(/^\s+container "\$\{params\.container\}"$/m);
    }
    expect(procs.factorize.label).toBe('process_gpu');
    expect(readFileSync(join(NF, 'main.nf'), 'utf8')).toMatch(/PLAN\.out\.shards\.splitCsv\(sep: '\\t'\)/);
  });

  it('the scatter is every k x every restart range (PLAN: nmf-consensus plan)', () => {
    expect(plan).toEqual([[2, 0, 1], [2, 2, 3], [3, 0, 1], [3, 2, 3]]);
    expect(shardTasks).toHaveLength(4);
  });

  it('the gathered consensus/ equals nmf-consensus run byte for byte', () => {
    expectSameFolder(join(tasks.consensus!.dir, 'consensus'), join(reference, 'consensus'));
  });

  it('REPORT wrote the report with the recommended k', () => {
    const summary = JSON.parse(readFileSync(join(tasks.report!.dir, 'report/summary.json'), 'utf8'));
    const ref = JSON.parse(readFileSync(join(reference, 'report/summary.json'), 'utf8'));
    expect(summary.recommended_k).toBe(ref.recommended_k);
    expect(readFileSync(join(tasks.report!.dir, 'report/report.html'), 'utf8')).toContain('ALL-B'); // annotations were passed
  });

  it('every task wrote versions.yml with the CLI version', () => {
    for (const t of [tasks.plan!, tasks.preprocess!, shardTasks[0]!, tasks.consensus!, tasks.report!]) {
      const y = readFileSync(join(t.dir, 'versions.yml'), 'utf8');
      expect(y).toMatch(new RegExp(`^"NMF_CONSENSUS:[A-Z]+":\\n    nmf-consensus: ${toolVersion().replace(/\./g, '\\.')}\\n$`));
    }
  });

  it('every stub block creates the declared outputs', async () => {
    const meta = { id: 'stub' };
    const d = tempDir('nmfc-nf-stub-');
    const fake = join(d, 'in');
    mkdirSync(join(fake, 'k2.r0-1'), { recursive: true });
    writeFileSync(join(d, 'matrix.gct'), '');
    await runProcess(procs.preprocess, { meta, matrix: join(d, 'matrix.gct'), features_file: [] }, params, join(d, 'p'), bin, 'stub');
    await runProcess(procs.factorize, { meta, prep: fake, k: 2, first: 0, last: 1 }, params, join(d, 'f'), bin, 'stub');
    await runProcess(procs.consensus, { meta, prep: fake, shards: [join(fake, 'k2.r0-1')] }, params, join(d, 'c'), bin, 'stub');
    await runProcess(procs.report, { meta, consensus: fake, annotations: [] }, params, join(d, 'r'), bin, 'stub');
    rmSync(d, { recursive: true, force: true });
  });
});

function readShardName(taskDir: string): string {
  const script = readFileSync(join(taskDir, '.command.sh'), 'utf8');
  const k = /-k (\d+)/.exec(script)![1];
  const r = /--restarts (\d+-\d+)/.exec(script)![1];
  return `k${k}.r${r}`;
}
