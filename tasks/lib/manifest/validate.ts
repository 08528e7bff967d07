/**
 * Every manifest and the parameter set are checked against `schemas/<name>.schema.json` with ajv,
 * on write (so we never emit a file a later stage would reject) and on read (so a stage never trusts
 * a foreign or damaged file). A failure names the file and the first offending field.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import AjvModule, { type ValidateFunction } from 'ajv';
import { ExitCode, NmfError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { writeFileAtomic } from '../io/atomic.js';

export type SchemaName = 'params' | 'preprocess' | 'shard' | 'consensus' | 'summary';

const Ajv = AjvModule as unknown as typeof AjvModule.default;
const ajv = new Ajv({ allErrors: false, strict: true, useDefaults: false });
const compiled = new Map<SchemaName, ValidateFunction>();

const SCHEMAS: readonly SchemaName[] = ['params', 'preprocess', 'shard', 'consensus', 'summary'];
let loaded = false;

function validator(name: SchemaName): ValidateFunction {
  if (!loaded) {
    // All at once: schemas $ref each other by $id (summary -> consensus#/definitions/metrics).
    for (const s of SCHEMAS) ajv.addSchema(JSON.parse(readFileSync(join(packageRoot(), 'schemas', `${s}.schema.json`), 'utf8')));
    loaded = true;
  }
  let v = compiled.get(name);
  if (!v) {
    v = ajv.getSchema(`nmf-consensus/${name}.schema.json`)!;
    compiled.set(name, v);
  }
  return v;
}

/** Describe the first schema error as "field /a/b must be ...". */
export function schemaProblem(name: SchemaName, value: unknown): string | null {
  const v = validator(name);
  if (v(value)) return null;
  const e = v.errors![0]!;
  const where = e.instancePath ? `field ${e.instancePath}` : 'the document';
  const extra = e.keyword === 'additionalProperties' ? ` ('${(e.params as { additionalProperty: string }).additionalProperty}')` : '';
  return `${where} ${e.message ?? 'is invalid'}${extra}`;
}

export function writeManifest<T>(path: string, name: SchemaName, value: T): void {
  const problem = schemaProblem(name, value);
  // Writing an invalid manifest is our bug, not the user's.
  if (problem) throw new NmfError(`internal error: ${basename(path)} would not match schemas/${name}.schema.json: ${problem}.`, ExitCode.internal);
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Read and validate a manifest; `code` is the exit code for a missing or invalid one. */
export function readManifest<T>(path: string, name: SchemaName, code: 3 | 4 = ExitCode.invalidInput): T {
  if (!existsSync(path)) throw new NmfError(`${path}: file not found; run the stage that writes it first.`, code);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new NmfError(`${path}: not valid JSON (${(err as Error).message}); rerun the stage that writes it.`, code);
  }
  const problem = schemaProblem(name, value);
  if (problem) throw new NmfError(`${path}: ${problem} (schemas/${name}.schema.json); rerun the stage that writes it with this version of nmf-consensus.`, code);
  return value as T;
}
