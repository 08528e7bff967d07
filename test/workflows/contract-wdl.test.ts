/**
 * Contract test for the WDL workflow, without Cromwell or miniwdl: the command section of every
 * task in workflows/wdl/nmf_consensus.wdl is extracted, its ~{} placeholders filled from the
 * workflow's own `call ... { input: ... }` wiring (evaluated here) with inputs/local.json over the
 * workflow defaults, and run with bash in a task folder, input files localized elsewhere as an
 * engine does; the scatter is plan_shards' own output. The gathered consensus/ must equal
 * `nmf-consensus run`'s byte for byte. Also: every call passes exactly inputs its task declares (and
 * all required ones), every output expression resolves, and factorize_gpu runs the same command as
 * factorize. No external tool is needed, so this never skips.
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, TINY, WDL, cliOnPath, expectSameFolder, pool, referenceRun, stageEnv, tempDir, toolVersion } from './helpers.js';
import { type Binding, type WdlCall, parseWdl, wdlCommand, wdlExpr, wdlLiteral, wdlOutput } from './parse.js';

const doc = parseWdl(WDL);
const SUBCOMMAND: Record<string, string | null> = { preprocess: 'preprocess', plan_shards: null, factorize: 'factorize', factorize_gpu: 'factorize', consensus: 'consensus', report: 'report' };

function call(task: string): WdlCall {
  const c = doc.workflow.calls.find((x) => x.task === task);
  if (!c) throw new Error(`the workflow has no call ${task}`);
  return c;
}

/** Workflow inputs: declared defaults, then inputs/local.json (without the workflow-name prefix). */
function workflowInputs(): Binding {
  const local = JSON.parse(readFileSync(join(ROOT, 'workflows/wdl/inputs/local.json'), 'utf8')) as Record<string, unknown>;
  const b: Binding = {};
  for (const [name, d] of doc.workflow.inputs) {
    const v = wdlLiteral(d.default);
    if (v !== undefined) b[name] = v;
  }
  for (const [k, v] of Object.entries(local)) b[k.replace(`${doc.workflow.name}.`, '')] = v;
  for (const f of ['input_matrix', 'annotations']) if (typeof b[f] === 'string') b[f] = join(ROOT, b[f] as string);
  return b;
}

let localized = 0;
/** Run one task: bind its inputs from the call, localize File inputs, fill and run the command, collect outputs. */
async function runTask(taskName: string, scope: Binding, work: string, bin: string): Promise<Binding & { dir: string }> {
  const task = doc.tasks.get(taskName)!;
  const c = call(taskName);
  const dir = join(work, `${taskName}-${localized++}`);
  const inputs = join(work, 'inputs', String(localized));
  mkdirSync(dir, { recursive: true });
  const b: Binding = {};
  for (const [name, decl] of task.inputs) {
    let v = c.inputs.has(name) ? wdlExpr(c.inputs.get(name)!, scope) : wdlLiteral(decl.default);
    if (v === undefined) {
      if (decl.type.endsWith('?')) continue;
      throw new Error(`${taskName}: no value for required input ${name}`);
    }
    // localize files as an engine does: into their own folder, never the task's working folder
    const localize = (p: string, i: number) => {
      const d = join(inputs, `${name}-${i}`);
      mkdirSync(d, { recursive: true });
      symlinkSync(p, join(d, basename(p)));
      return join(d, basename(p));
    };
    if (decl.type.startsWith('File')) v = localize(v as string, 0);
    else if (decl.type.startsWith('Array[File]')) v = (v as string[]).map(localize);
    b[name] = v;
  }
  const script = wdlCommand(task.command, b, inputs);
  const r = await execa('bash', ['-c', script], { cwd: dir, env: stageEnv(bin), reject: false, timeout: 300_000 });
  if (r.exitCode !== 0) throw new Error(`task ${taskName} failed (${r.exitCode}) in ${dir}:\n${script}\n${r.stderr}`);
  const out: Binding & { dir: string } = { dir };
  for (const o of task.outputs) {
    const v = wdlOutput(o.default!, b, dir);
    if (o.type === 'File') expect(existsSync(v as string), `${taskName}: output ${o.name} (${v}) is missing`).toBe(true);
    out[o.name] = v;
  }
  return out;
}

describe('WDL tasks: command lines executed, gathered consensus equals run', () => {
  let work: string;
  let reference: string;
  // inputs/local.json, plus pdf = true so that the report's --pdf branch runs too
  const scope: Binding = { ...workflowInputs(), pdf: true };

  beforeAll(async () => {
    work = tempDir('nmfc-wdl-contract-');
    const bin = cliOnPath(work);
    const ref = referenceRun(work);
    // the workflow's wiring: preprocess, plan_shards, scatter factorize (use_gpu false), consensus, report
    scope.preprocess = await runTask('preprocess', scope, work, bin);
    scope.plan_shards = await runTask('plan_shards', scope, work, bin);
    const shardTars: string[] = [];
    await pool((scope.plan_shards as Binding).shards as number[][], 2, async (shard) => {
      const f = await runTask('factorize', { ...scope, shard }, work, bin);
      shardTars.push(f.shard_tar as string);
    });
    scope.shard_tar = shardTars.sort();
    scope.consensus = await runTask('consensus', scope, work, bin);
    scope.report = await runTask('report', scope, work, bin);
    reference = await ref;
  }, 300_000);

  afterAll(() => {
    if (work && !process.env.KEEP_WORKFLOW_TESTS) rmSync(work, { recursive: true, force: true });
  });

  it('inputs/local.json is the bundled example with the tiny parameters', () => {
    for (const [k, v] of Object.entries(TINY)) expect(scope[k], `local.json ${k}`).toBe(v);
    expect(scope.use_gpu).toBe(false);
    expect(scope.pdf).toBe(true);
  });

  it('plan_shards scatters every k x every restart range', () => {
    expect((scope.plan_shards as Binding).shards).toEqual([[2, 0, 1], [2, 2, 3], [3, 0, 1], [3, 2, 3]]);
  });

  it('the gathered consensus/ equals nmf-consensus run byte for byte', () => {
    expectSameFolder(join((scope.consensus as Binding & { dir: string }).dir, 'consensus'), join(reference, 'consensus'));
    expect((scope.consensus as Binding).consensus_gct as string[]).toHaveLength(2);
  });

  it('report and the version output', () => {
    const rep = scope.report as Binding;
    expect(JSON.parse(readFileSync(rep.summary_json as string, 'utf8')).recommended_k)
      .toBe(JSON.parse(readFileSync(join(reference, 'report/summary.json'), 'utf8')).recommended_k);
    expect(statSync(rep.report_html as string).size).toBeGreaterThan(1000);
    expect(readFileSync(rep.report_html as string, 'utf8')).toContain('ALL-B'); // annotations passed
    expect((rep.figures as string[]).length).toBeGreaterThan(0);
    expect(rep.pdf_report as string[]).toHaveLength(1); // pdf = true
    expect(readFileSync((rep.pdf_report as string[])[0]!).subarray(0, 5).toString()).toBe('%PDF-');
    expect((scope.preprocess as Binding).nmf_consensus_version).toBe(toolVersion());
  });

  it('each task runs its own subcommand', () => {
    for (const [name, sub] of Object.entries(SUBCOMMAND)) {
      const t = doc.tasks.get(name);
      expect(t, `task ${name}`).toBeDefined();
      if (sub) expect(t!.command).toMatch(new RegExp(`^\\s*nmf-consensus ${sub} \\\\$`, 'm'));
    }
    expect([...doc.tasks.keys()].sort()).toEqual(Object.keys(SUBCOMMAND).sort());
  });

  it('factorize_gpu runs exactly the command of factorize, with GPU runtime attributes', () => {
    const cpu = doc.tasks.get('factorize')!;
    const gpu = doc.tasks.get('factorize_gpu')!;
    expect(gpu.command).toBe(cpu.command);
    expect(gpu.outputs).toEqual(cpu.outputs);
    for (const a of ['gpuType', 'gpuCount', 'nvidiaDriverVersion', 'zones', 'acceleratorType', 'acceleratorCount']) expect(gpu.runtime.has(a), a).toBe(true);
    expect(cpu.runtime.has('gpuCount')).toBe(false);
    expect(call('factorize_gpu').inputs.get('docker')).toBe('docker + "-gpu"');
  });

  it('every task has docker, cpu, memory, disks, preemptible and maxRetries', () => {
    for (const t of doc.tasks.values()) {
      for (const a of ['docker', 'cpu', 'memory', 'disks', 'preemptible', 'maxRetries']) expect(t.runtime.has(a), `${t.name} runtime ${a}`).toBe(true);
    }
  });

  it('every call passes only inputs its task declares, and every required one', () => {
    expect(doc.workflow.calls.map((c) => c.task).sort()).toEqual([...doc.tasks.keys()].sort());
    for (const c of doc.workflow.calls) {
      const t = doc.tasks.get(c.task)!;
      for (const name of c.inputs.keys()) expect(t.inputs.has(name), `call ${c.task} passes ${name}, which the task does not declare`).toBe(true);
      for (const d of t.inputs.values()) {
        if (d.default === undefined && !d.type.endsWith('?')) expect(c.inputs.has(d.name), `call ${c.task} misses required input ${d.name}`).toBe(true);
      }
    }
  });

  it('every workflow output names a task output', () => {
    for (const o of doc.workflow.outputs) {
      const m = /^(\w+)\.(\w+)$/.exec(o.default!);
      expect(m, `output ${o.name} = ${o.default}`).not.toBeNull();
      const t = doc.tasks.get(m![1]!);
      expect(t?.outputs.find((x) => x.name === m![2])?.type, `${o.default}`).toBe(o.type);
    }
  });
});
