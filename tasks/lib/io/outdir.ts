/**
 * Output folders are owned. A stage writes only into a folder that does not exist, is empty, or
 * carries its own marker (`.nmf-consensus`, written first into every folder the tool builds, or,
 * for folders of earlier versions, the stage's manifest). Anything else is refused (exit 6), never
 * deleted, as is an output folder that is the current folder, equals or holds an input, or lies
 * inside an input folder. When a stage replaces its previous result, entries it did not write
 * (a user's notes) are carried into the new folder, so only tool-made files are moved aside.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { outputError } from '../errors.js';
import { acquireLock } from './lock.js';

export type OutputKind = 'preprocess' | 'shards' | 'shard' | 'consensus' | 'report';

export const MARKER = '.nmf-consensus';

/** What each kind of folder holds when the tool wrote it (its marker aside). */
const TOOL_ENTRIES: Record<OutputKind, RegExp> = {
  preprocess: /^(matrix\.npy|features\.tsv|samples\.tsv|preprocess\.json)$/,
  shards: /^\.?(null\.)?k\d+\.r\d+-\d+(\.lock|\.tmp-.*)?$/,
  shard: /^(shard\.json|labels\.bin|W\.npy|best_W\.npy|best_H\.npy)$/,
  consensus: /^(consensus\.k\.\d+\.gct|consensus\.k\.\d+\.binned\.npy|metagenes\.k\d+\.tsv|membership\.gct|metrics\.tsv|consensus\.json)$/,
  report: /^(report\.html|report\.pdf|figures|summary\.json)$/,
};

/** The manifest that marks a folder of an earlier version (before markers). */
const MANIFEST: Partial<Record<OutputKind, string>> = {
  preprocess: 'preprocess.json',
  shard: 'shard.json',
  consensus: 'consensus.json',
  report: 'summary.json',
};

export function isToolEntry(kind: OutputKind, name: string): boolean {
  return name === MARKER || TOOL_ENTRIES[kind].test(name);
}

/** Write the marker; first thing in every folder the tool builds, so even a killed one is recognisable. */
export function writeMarker(dir: string, kind: OutputKind): void {
  writeFileSync(join(dir, MARKER), JSON.stringify({ tool: 'nmf-consensus', kind }) + '\n');
}

type Owner = { state: 'absent' | 'empty' | 'file' | 'foreign' } | { state: 'tool'; kind: OutputKind | 'unknown' };

function ownerOf(dir: string): Owner {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return { state: 'absent' };
  }
  if (!st.isDirectory()) return { state: 'file' };
  const names = readdirSync(dir);
  if (names.length === 0) return { state: 'empty' };
  if (names.includes(MARKER)) {
    try {
      const kind = (JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as { kind?: OutputKind }).kind;
      return { state: 'tool', kind: kind && kind in TOOL_ENTRIES ? kind : 'unknown' };
    } catch {
      return { state: 'tool', kind: 'unknown' };
    }
  }
  for (const [kind, file] of Object.entries(MANIFEST) as [OutputKind, string][]) {
    if (names.includes(file) && madeByTool(join(dir, file))) return { state: 'tool', kind };
  }
  return { state: 'foreign' };
}

/** The kind named by a folder's marker, if it has one. */
export function markedKind(dir: string): OutputKind | 'unknown' | undefined {
  const owner = ownerOf(dir);
  return owner.state === 'tool' ? owner.kind : undefined;
}

function madeByTool(manifest: string): boolean {
  try {
    const schema = (JSON.parse(readFileSync(manifest, 'utf8')) as { schema?: unknown }).schema;
    return typeof schema === 'string' && schema.startsWith('nmf-consensus/');
  } catch {
    return false;
  }
}

/** The absolute path with symbolic links resolved as far as the path exists. */
function realish(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const up = dirname(abs);
    return up === abs ? abs : join(realish(up), basename(abs));
  }
}

function inside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

const FIX = 'choose a new or empty folder for --outdir';

/**
 * Check that `dir` may be written by a stage of `kind` reading `inputs`, and lock it for this
 * process; returns the release. Throws exit 6 (naming the folder and why) when it may not.
 */
export function claimOutput(dir: string, kind: OutputKind, inputs: readonly string[]): () => void {
  const out = realish(dir);
  const cwd = realish('.');
  if (out === cwd || inside(cwd, out)) throw outputError(dir, 'this is the current folder or holds it, and a stage replaces its whole output folder', `${FIX}, e.g. --outdir ${kind}`);
  for (const input of inputs) {
    const inp = realish(input);
    if (inp === out) throw outputError(dir, `this is also an input (${input}), which a stage never overwrites`, FIX);
    if (inside(inp, out)) throw outputError(dir, `this folder holds the input ${input}, which a stage never overwrites`, FIX);
    if (inside(out, inp) && existsSync(inp) && statSync(inp).isDirectory()) throw outputError(dir, `this is inside the input folder ${input}`, `${FIX} outside it`);
  }
  const owner = ownerOf(out);
  if (owner.state === 'file') throw outputError(dir, 'this is a file, not a folder', `${FIX} (the file is left as it is)`);
  if (owner.state === 'foreign') {
    throw outputError(dir, `the folder is not empty and was not made by nmf-consensus (it has no ${MARKER} marker), so nothing in it was changed`, `${FIX}, or move its files elsewhere`);
  }
  if (owner.state === 'tool' && owner.kind !== kind) {
    const what = owner.kind === 'unknown' ? 'another nmf-consensus output' : `the output of ${owner.kind === 'shards' || owner.kind === 'shard' ? 'factorize' : owner.kind}`;
    throw outputError(dir, `this folder holds ${what}, not of ${kind === 'shard' ? 'a factorize shard' : kind}`, FIX);
  }
  mkdirSync(dirname(out), { recursive: true });
  return acquireLock(join(dirname(out), `.${basename(out)}.lock`), dir);
}

/** Lock a folder this process only adds to (run's folder): the lock file lives inside it. */
export function lockFolder(dir: string): () => void {
  const out = realish(dir);
  if (existsSync(out) && !statSync(out).isDirectory()) throw outputError(dir, 'this is a file, not a folder', `${FIX} (the file is left as it is)`);
  mkdirSync(out, { recursive: true });
  return acquireLock(join(out, `${MARKER}.lock`), dir);
}

/**
 * Before `staging` replaces `finalDir`: move the entries of `finalDir` that the tool did not write
 * into `staging`, so they stay where the user put them. A name the new result also uses is refused.
 */
export function carryForeignEntries(finalDir: string, staging: string, kind: OutputKind): void {
  if (!existsSync(finalDir)) return;
  for (const name of readdirSync(finalDir)) {
    if (isToolEntry(kind, name)) continue;
    if (existsSync(join(staging, name))) throw outputError(join(finalDir, name), 'this file was not written by nmf-consensus but has the name of a new output', 'move it elsewhere and rerun');
    renameSync(join(finalDir, name), join(staging, name));
  }
}
