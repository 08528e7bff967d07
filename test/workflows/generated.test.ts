/**
 * schemas/params.schema.json is the one source of every parameter's name, type and default:
 * scripts/gen-workflows.mjs (npm run gen:workflows) writes conf/defaults.yaml, nextflow_schema.json,
 * nextflow.config's params block, the WDL workflow's input and parameter_meta blocks and the
 * HealthOmics parameter template from it. This test fails when any of them differs from what the
 * generator writes, and shows that a hand edit of a generated file, or of the schema, is caught.
 */
import { execa } from 'execa';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';

const GEN = 'scripts/gen-workflows.mjs';

/** A copy of what the generator reads and writes, to edit without touching the checkout. */
function copy(): string {
  const dir = tempDir('nmfc-gen-');
  for (const p of ['scripts', 'schemas', 'conf', 'workflows']) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  return dir;
}

describe('generated workflow files agree with schemas/params.schema.json', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('every generated file is up to date (npm run gen:workflows --check)', async () => {
    const r = await execa(process.execPath, [GEN, '--check'], { cwd: ROOT, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('a hand edit of a generated file is reported, naming the file', async () => {
    const dir = copy();
    dirs.push(dir);
    const cfg = join(dir, 'workflows/nextflow/nextflow.config');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/^( +restarts +=) 20$/m, '$1 21'));
    const r = await execa(process.execPath, [join(dir, GEN), '--check'], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('workflows/nextflow/nextflow.config');
    expect(r.stderr).not.toContain('nmf_consensus.wdl');
  });

  it('a new default in the schema reaches every generated file', async () => {
    const dir = copy();
    dirs.push(dir);
    const file = join(dir, 'schemas/params.schema.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.properties.max_iter.default = 1234;
    writeFileSync(file, JSON.stringify(schema, null, 2));
    const check = await execa(process.execPath, [join(dir, GEN), '--check'], { reject: false });
    expect(check.exitCode).toBe(1);
    for (const f of ['conf/defaults.yaml', 'workflows/nextflow/nextflow_schema.json', 'workflows/nextflow/nextflow.config', 'workflows/wdl/nmf_consensus.wdl']) expect(check.stderr).toContain(f);
    const gen = await execa(process.execPath, [join(dir, GEN)], { reject: false });
    expect(gen.exitCode, gen.stderr).toBe(0);
    expect((yaml.load(readFileSync(join(dir, 'conf/defaults.yaml'), 'utf8')) as Record<string, unknown>).max_iter).toBe(1234);
    expect(readFileSync(join(dir, 'workflows/nextflow/nextflow.config'), 'utf8')).toMatch(/^ +max_iter += 1234$/m);
    expect(readFileSync(join(dir, 'workflows/wdl/nmf_consensus.wdl'), 'utf8')).toMatch(/^ +Int max_iter = 1234$/m);
    const nf = JSON.parse(readFileSync(join(dir, 'workflows/nextflow/nextflow_schema.json'), 'utf8'));
    expect(nf.$defs.nmf_options.properties.max_iter.default).toBe(1234);
  });

  it('conf/defaults.yaml holds exactly the schema\'s defaults', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/params.schema.json'), 'utf8'));
    const defaults = yaml.load(readFileSync(join(ROOT, 'conf/defaults.yaml'), 'utf8')) as Record<string, unknown>;
    expect(defaults).toEqual(Object.fromEntries(Object.entries(schema.properties as Record<string, { default: unknown }>).map(([k, p]) => [k, p.default])));
  });

  it('ks accepts a number as well as a string: in the CLI schema and in nextflow_schema.json', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/params.schema.json'), 'utf8'));
    expect(schema.properties.ks.oneOf.map((a: { type: string }) => a.type).sort()).toEqual(['array', 'integer', 'string']);
    const nf = JSON.parse(readFileSync(join(ROOT, 'workflows/nextflow/nextflow_schema.json'), 'utf8'));
    expect(nf.$defs.scatter_options.properties.ks.anyOf.map((a: { type: string }) => a.type).sort()).toEqual(['integer', 'string']);
  });
});
