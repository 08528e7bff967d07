#!/usr/bin/env node
/**
 * npm run gen:workflows: write every file that lists the parameters from schemas/params.schema.json,
 * the one source of their names, types, defaults and descriptions:
 *   conf/defaults.yaml                                the CLI's embedded defaults
 *   workflows/nextflow/nextflow_schema.json           nf-schema's schema (JSON Schema 2020-12)
 *   workflows/nextflow/nextflow.config                its params { } block
 *   workflows/wdl/nmf_consensus.wdl                   the workflow's input { } and parameter_meta { } blocks
 *   workflows/wdl/healthomics-parameter-template.json every WDL input, its description, optional or not
 * `--check` writes nothing and exits 1 naming each file that differs (test/workflows/generated.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/params.schema.json'), 'utf8'));
const CLI = schema.properties;
const BOTH = schema.definitions.workflow_inputs.properties;
const NF = schema.definitions.nextflow_inputs.properties;
const WDL = schema.definitions.wdl_inputs.properties;

/** The scatter's parameters, listed first in both workflows. */
const SCATTER = ['ks', 'restarts', 'null_restarts', 'restarts_per_shard'];
const PREPROCESS = ['negatives', 'min_samples_per_feature', 'min_features_per_sample', 'normalize', 'top_features', 'top_features_by', 'scale_features', 'transpose'];
const NMF = Object.keys(CLI).filter((k) => !SCATTER.includes(k) && !PREPROCESS.includes(k));
const byName = (names, ...sources) => Object.fromEntries(names.map((n) => [n, sources.find((s) => s[n])[n]]));

/** nextflow_schema.json groups: [id, title, description, params]. */
const NF_GROUPS = [
  ['input_output_options', 'Input/output options', 'The expression matrix and where the results go.', ['input', 'outdir', 'annotations', 'features_file', 'pdf', 'publish_dir_mode']],
  ['scatter_options', 'Ranks, restarts and the scatter', 'nmf-consensus plan turns these into shards: every k and every range of restarts_per_shard restarts (and of the random-data baseline) is one FACTORIZE task; CONSENSUS gathers them all.', SCATTER],
  ['preprocess_options', 'Preprocess options', 'Passed to nmf-consensus preprocess (nmf-consensus preprocess --help).', PREPROCESS],
  ['nmf_options', 'NMF options', 'Passed to the nmf-consensus stages as flags of the same names (nmf-consensus <stage> --help).', NMF],
  ['container_options', 'Container', 'The image of every process.', ['container']],
  ['executor_options', 'Executor options', 'Used by the slurm, awsbatch and google profiles.', ['slurm_queue', 'slurm_gpu_queue', 'awsbatch_queue', 'awsbatch_gpu_queue', 'aws_region', 'awscli_path', 'google_project', 'google_location', 'google_accelerator_type']],
  ['generic_options', 'Generic options', 'Parameter validation; set by institutional and test profiles.', ['validate_params', 'config_profile_name', 'config_profile_description']],
];
const HIDDEN = ['config_profile_name', 'config_profile_description'];
/** WDL input order: the matrix and files, the scatter, the CLI parameters, then runtime. */
const WDL_ORDER = ['input_matrix', 'features_file', 'annotations', 'pdf', ...SCATTER, ...NMF, ...PREPROCESS, ...Object.keys(WDL).filter((k) => k !== 'input_matrix')];

function check(groups) {
  const all = groups.flat();
  for (const n of [...Object.keys(CLI), ...Object.keys(BOTH), ...Object.keys(NF)]) {
    if (!all.includes(n) && !Object.keys(WDL).includes(n)) throw new Error(`gen-workflows: ${n} is in no group; add it to NF_GROUPS`);
  }
}

/** A property as nf-schema reads it: the CLI's form without the YAML-only list of ks, paths checked to exist. */
function nfProperty(name, p) {
  const out = {};
  if (p.oneOf) {
    const alts = p.oneOf.filter((a) => a.type !== 'array');
    if (alts.length === 1) Object.assign(out, alts[0]);
    else out.anyOf = alts;
  }
  for (const [k, v] of Object.entries(p)) if (!['oneOf', 'description', 'default'].includes(k)) out[k] = v;
  if (out.enum && !out.type) out.type = typeof out.enum[0] === 'string' ? 'string' : 'number';
  if (p.format === 'file-path') out.exists = true;
  if (p.default !== undefined) out.default = p.default;
  out.description = p.description;
  if (HIDDEN.includes(name)) out.hidden = true;
  return out;
}

function nextflowSchema() {
  check(NF_GROUPS.map((g) => g[3]));
  const defs = {};
  for (const [id, title, description, names] of NF_GROUPS) {
    const props = byName(names, NF, BOTH, CLI);
    const required = names.filter((n) => schema.definitions.nextflow_inputs.required.includes(n));
    defs[id] = { title, type: 'object', description, ...(required.length ? { required } : {}), properties: Object.fromEntries(Object.entries(props).map(([n, p]) => [n, nfProperty(n, p)])) };
  }
  return `${JSON.stringify({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://raw.githubusercontent.com/nmf-consensus/nmf-consensus/main/workflows/nextflow/nextflow_schema.json',
    title: 'nmf-consensus pipeline parameters',
    description: 'Consensus NMF clustering: scatter (k, restart range) shards, gather one consensus, report. Generated from schemas/params.schema.json by npm run gen:workflows: do not edit.',
    type: 'object',
    $defs: defs,
    allOf: NF_GROUPS.map(([id]) => ({ $ref: `#/$defs/${id}` })),
  }, null, 4)}\n`;
}

const groovy = (v) => (v === undefined || v === null ? 'null' : typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : String(v));

function paramsBlock() {
  const lines = ['params {', '    // generated from schemas/params.schema.json by npm run gen:workflows: do not edit'];
  for (const [, title, , names] of NF_GROUPS) {
    lines.push('', `    // ${title}`);
    const props = byName(names, NF, BOTH, CLI);
    const w = Math.max(...names.map((n) => n.length));
    for (const [n, p] of Object.entries(props)) lines.push(`    ${n.padEnd(w)} = ${groovy(p.default)}`);
  }
  lines.push('}');
  return lines.join('\n');
}

function wdlType(p) {
  const t = p.format === 'file-path' ? 'File' : p.type === 'integer' ? 'Int' : p.type === 'number' ? 'Float' : p.type === 'boolean' ? 'Boolean' : 'String';
  return t;
}
const wdlLiteral = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function wdlBlocks() {
  const props = byName(WDL_ORDER, WDL, BOTH, CLI);
  const input = ['  input {', '    # generated from schemas/params.schema.json by npm run gen:workflows: do not edit'];
  const meta = ['  parameter_meta {', '    # generated from schemas/params.schema.json by npm run gen:workflows: do not edit'];
  for (const [n, p] of Object.entries(props)) {
    const required = schema.definitions.wdl_inputs.required.includes(n);
    // ks is a String: a JSON number given for it is coerced (miniwdl, Cromwell)
    const type = wdlType(p.oneOf ? p.oneOf[0] : p);
    input.push(p.default !== undefined ? `    ${type} ${n} = ${wdlLiteral(p.default)}` : `    ${type}${required ? '' : '?'} ${n}`);
    meta.push(`    ${n}: ${JSON.stringify(p.description.replace(/"/g, "'"))}`);  // no escapes: not every WDL 1.0 parser reads them
  }
  input.push('  }');
  meta.push('  }');
  return { input: input.join('\n'), meta: meta.join('\n'), props };
}

function healthomics() {
  const { props } = wdlBlocks();
  const out = {};
  for (const [n, p] of Object.entries(props)) out[n] = { description: p.description, optional: !schema.definitions.wdl_inputs.required.includes(n) };
  return `${JSON.stringify(out, null, 1)}\n`;
}

function defaultsYaml() {
  const lines = ['# Embedded defaults of every parameter. Generated from schemas/params.schema.json by npm run gen:workflows: do not edit.',
    '# Precedence: command-line flags > --config YAML > this file. Keys may be written with \'_\' or \'-\' (max_iter or max-iter).'];
  for (const [n, p] of Object.entries(CLI)) lines.push(`${n}: ${typeof p.default === 'string' ? JSON.stringify(p.default) : p.default}   # ${p.description}`);
  return `${lines.join('\n')}\n`;
}

/** Replace the first block `start ... }` that begins at a line equal to `start` (matching braces). */
function replaceBlock(text, start, replacement, file) {
  const at = text.indexOf(`\n${start}\n`);
  if (at < 0) throw new Error(`${file}: no "${start.trim()}" block`);
  let depth = 0;
  let i = at + 1;
  for (; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) break;
  }
  return text.slice(0, at + 1) + replacement + text.slice(i + 1);
}

function wdlFile() {
  const file = join(ROOT, 'workflows/wdl/nmf_consensus.wdl');
  const { input, meta } = wdlBlocks();
  let text = readFileSync(file, 'utf8');
  const wf = text.indexOf('\nworkflow nmf_consensus {');
  const end = text.indexOf('\n}\n', wf);
  let body = text.slice(wf, end);
  body = replaceBlock(body, '  input {', input, file);
  body = replaceBlock(body, '  parameter_meta {', meta, file);
  return text.slice(0, wf) + body + text.slice(end);
}

function nextflowConfig() {
  const file = join(ROOT, 'workflows/nextflow/nextflow.config');
  return replaceBlock(readFileSync(file, 'utf8'), 'params {', paramsBlock(), file);
}

const outputs = {
  'conf/defaults.yaml': defaultsYaml(),
  'workflows/nextflow/nextflow_schema.json': nextflowSchema(),
  'workflows/nextflow/nextflow.config': nextflowConfig(),
  'workflows/wdl/nmf_consensus.wdl': wdlFile(),
  'workflows/wdl/healthomics-parameter-template.json': healthomics(),
};

const checkOnly = process.argv.includes('--check');
const drifted = [];
for (const [rel, text] of Object.entries(outputs)) {
  const file = join(ROOT, rel);
  if (readFileSync(file, 'utf8') === text) continue;
  drifted.push(rel);
  if (!checkOnly) writeFileSync(file, text);
}
if (checkOnly && drifted.length) {
  console.error(`differ from schemas/params.schema.json (run npm run gen:workflows): ${drifted.join(', ')}`);
  process.exit(1);
}
console.log(drifted.length ? `${checkOnly ? 'would write' : 'wrote'} ${drifted.join(', ')}` : 'all generated files are up to date');
