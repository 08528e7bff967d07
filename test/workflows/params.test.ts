/**
 * The workflows and the CLI agree on parameters, image and scatter plan:
 * - every parameter of schemas/params.schema.json is in nextflow_schema.json, in nextflow.config's
 *   params and in the WDL workflow inputs, with conf/defaults.yaml's default, and vice versa (minus
 *   each workflow's own inputs, listed below);
 * - every such parameter is a flag of `nmf-consensus run --help`, and every NMF flag there is one;
 * - nextflow_schema.json is valid JSON Schema 2020-12 (what nf-schema 2 reads) and lists exactly the
 *   params of nextflow.config, with the same defaults;
 * - the image is set once per workflow and equals containers/IMAGE, whose tag is package.json's version;
 * (the scatter plan is plan.test.ts).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { execa } from 'execa';
import yaml from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, EXAMPLE, NF, ROOT, WDL, toolVersion } from './helpers.js';
import { parseParamsBlock, parseWdl, wdlLiteral } from './parse.js';

const paramsSchema = JSON.parse(readFileSync(join(ROOT, 'schemas/params.schema.json'), 'utf8'));
const defaults = yaml.load(readFileSync(join(ROOT, 'conf/defaults.yaml'), 'utf8')) as Record<string, unknown>;
const nfSchema = JSON.parse(readFileSync(join(NF, 'nextflow_schema.json'), 'utf8'));
const nfConfig = parseParamsBlock(join(NF, 'nextflow.config'));
const wdl = parseWdl(WDL);

const PARAMS = Object.keys(paramsSchema.properties).sort();
/** Parameters of `run` alone (the workflows scatter shards instead): none at present. */
const RUN_ONLY: string[] = [];
const SHARED = PARAMS.filter((p) => !RUN_ONLY.includes(p));
/** Inputs that only a workflow has (files, the scatter size, containers, executors, resources). */
const NF_ONLY = ['input', 'features_file', 'annotations', 'pdf', 'outdir', 'publish_dir_mode', 'restarts_per_shard', 'container', 'slurm_queue', 'slurm_gpu_queue',
  'awsbatch_queue', 'awsbatch_gpu_queue', 'aws_region', 'awscli_path', 'google_project', 'google_location', 'google_accelerator_type',
  'validate_params', 'config_profile_name', 'config_profile_description'];
const WDL_ONLY = ['input_matrix', 'features_file', 'annotations', 'pdf', 'restarts_per_shard', 'docker', 'preemptible', 'max_retries', 'disk_gb', 'memory_gb', 'cpu',
  'zones', 'use_gpu', 'gpu_type', 'gpu_count', 'nvidia_driver_version', 'accelerator_type', 'boot_disk_gb'];

function nfSchemaProperties(): Record<string, { default?: unknown; type?: string; enum?: unknown[] }> {
  const out: Record<string, { default?: unknown }> = {};
  for (const group of Object.values(nfSchema.$defs) as { properties: Record<string, { default?: unknown }> }[]) Object.assign(out, group.properties);
  return out;
}

describe('parameters: params.schema.json = nextflow_schema.json = nextflow.config = WDL inputs = CLI', () => {
  const nfProps = nfSchemaProperties();

  it('conf/defaults.yaml has a default for every parameter', () => {
    for (const p of PARAMS) expect(defaults[p], p).not.toBeUndefined();
  });

  it('nextflow_schema.json: every parameter with the same default, and nothing else but the workflow inputs', () => {
    for (const p of SHARED) {
      expect(nfProps[p], `${p} missing from nextflow_schema.json`).toBeDefined();
      expect(nfProps[p]!.default, `${p} default`).toEqual(defaults[p]);
      const src = paramsSchema.properties[p];
      if (src.enum) expect(nfProps[p]!.enum, `${p} choices`).toEqual(src.enum);
    }
    expect(Object.keys(nfProps).filter((p) => !NF_ONLY.includes(p)).sort()).toEqual(SHARED);
    for (const p of RUN_ONLY) expect(nfProps[p], `${p} is run-only`).toBeUndefined();
  });

  it('nextflow.config params: the same names and defaults as nextflow_schema.json', () => {
    expect(Object.keys(nfConfig).sort()).toEqual(Object.keys(nfProps).sort());
    for (const [p, v] of Object.entries(nfConfig)) {
      if (v === null) expect(nfProps[p]!.default, `${p}: null in nextflow.config, so no default in the schema`).toBeUndefined();
      else expect(v, `${p}: nextflow.config vs nextflow_schema.json`).toEqual(nfProps[p]!.default);
    }
  });

  it('nextflow_schema.json is valid JSON Schema 2020-12, and the defaults and -profile test validate against it', () => {
    expect(nfSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(nfSchema);
    const test = { ...nfConfig, ...parseParamsBlock(join(NF, 'conf/test.config'), { projectDir: NF }) };
    const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
    expect(validate(clean({ ...nfConfig, input: EXAMPLE })), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate(clean(test)), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate(clean({ ...test, algorithm: 'nope' }))).toBe(false);
  });

  it('WDL workflow inputs: every parameter with the same default, and nothing else but the workflow inputs', () => {
    const inputs = wdl.workflow.inputs;
    for (const p of SHARED) {
      expect(inputs.has(p), `${p} missing from the WDL inputs`).toBe(true);
      expect(wdlLiteral(inputs.get(p)!.default), `${p} default`).toEqual(defaults[p]);
    }
    expect([...inputs.keys()].filter((p) => !WDL_ONLY.includes(p)).sort()).toEqual(SHARED);
    for (const p of RUN_ONLY) expect(inputs.has(p), `${p} is run-only`).toBe(false);
    // parameter_meta documents every input
    const meta = /parameter_meta \{([\s\S]*?)\n {2}\}/.exec(wdl.workflow.body)![1]!;
    for (const p of inputs.keys()) expect(meta, `parameter_meta for ${p}`).toMatch(new RegExp(`^\\s+${p}:`, 'm'));
  });

  it('WDL example inputs name only workflow inputs; the HealthOmics template lists them all', () => {
    const inputs = [...wdl.workflow.inputs.keys()].sort();
    for (const f of ['local.json', 'terra.json', 'healthomics.json']) {
      const keys = Object.keys(JSON.parse(readFileSync(join(ROOT, 'workflows/wdl/inputs', f), 'utf8'))).map((k) => k.replace(/^nmf_consensus\./, ''));
      for (const k of keys) expect(inputs, `${f}: ${k}`).toContain(k);
    }
    const template = JSON.parse(readFileSync(join(ROOT, 'workflows/wdl/healthomics-parameter-template.json'), 'utf8'));
    expect(Object.keys(template).sort()).toEqual(inputs);
    for (const [k, v] of Object.entries(template) as [string, { optional: boolean }][]) {
      expect(v.optional, k).toBe(wdl.workflow.inputs.get(k)!.default !== undefined || wdl.workflow.inputs.get(k)!.type.endsWith('?'));
    }
  });

  it('the CLI accepts every parameter (nmf-consensus run --help), and every NMF flag of run is a parameter', async () => {
    const r = await execa(process.execPath, [BIN, 'run', '--help']);
    // An option starts its line after two spaces; a wrapped description line may also start with --flag.
    const flags = [...r.stdout.matchAll(/^ {2}--([a-z][a-z-]*)/gm)].map((m) => m[1]!.replace(/-/g, '_'));
    for (const p of PARAMS) expect(flags, `--${p.replace(/_/g, '-')}`).toContain(p);
    // files and switches of a single run, not parameters of the analysis
    const notParams = ['help', 'version', 'config', 'input', 'outdir', 'features_file', 'feature_names', 'annotations', 'pdf', 'force'];
    expect(flags.filter((f) => !notParams.includes(f)).sort()).toEqual(PARAMS);
  });
});

describe('one image per workflow, equal to containers/IMAGE', () => {
  const image = readFileSync(join(ROOT, 'containers/IMAGE'), 'utf8').trim();

  it('containers/IMAGE is tagged with the package version', () => {
    expect(image).toMatch(new RegExp(`:${toolVersion().replace(/\./g, '\\.')}$`));
  });

  it('Nextflow: params.container (config and schema); every module uses it; WDL: docker; local inputs', () => {
    expect(nfConfig.container).toBe(image);
    expect(nfSchemaProperties().container!.default).toBe(image);
    expect(wdlLiteral(wdl.workflow.inputs.get('docker')!.default)).toBe(image);
    expect(JSON.parse(readFileSync(join(ROOT, 'workflows/wdl/inputs/local.json'), 'utf8'))['nmf_consensus.docker']).toBe(image);
    // nowhere else is an image name written out
    for (const f of ['main.nf', 'conf/base.config', 'conf/modules.config', 'conf/test.config', ...['preprocess', 'factorize', 'consensus', 'report'].map((s) => `modules/local/${s}/main.nf`)]) {
      expect(readFileSync(join(NF, f), 'utf8'), f).not.toContain('ghcr.io');
    }
    const config = readFileSync(join(NF, 'nextflow.config'), 'utf8');
    expect(config.split(image).length - 1, 'nextflow.config names the image once').toBe(1);
    expect(readFileSync(WDL, 'utf8').split(image).length - 1, 'the WDL names the image once').toBe(1);
  });
});
