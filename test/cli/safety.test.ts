/**
 * Issue 10's table: every probe that lost a user's data, passed off wrong data, accepted then
 * crashed, hung, or called an ordinary failure "internal error", run against the built CLI. Each
 * case asserts the exit code, the one-line message, and that no file outside the tool's own folders
 * changed (sha256 of every file of a sentinel tree before and after). Small data (60 x 12, k 2-3,
 * 4 restarts, 60 iterations) keeps the table to seconds of compute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BIN, tempDir } from './helpers.js';

// An explicit backend: probing GPUs is not what this table tests (and Dawn prints native messages).
const FAST = ['--max-iter', '60', '--seed', '7', '--backend', 'wasm'];
/** Every message of the table, to check afterwards that none says "internal error". */
const transcript: string[] = [];

async function nmf(cwd: string, args: string[], shell?: string) {
  const r = shell
    ? await execa('bash', ['-c', shell], { cwd, reject: false, env: { NMF_PROGRESS_SECONDS: '1000', NMF: `${process.execPath} ${BIN}` }, timeout: 120_000 })
    : await execa(process.execPath, [BIN, ...args], { cwd, reject: false, env: { NMF_PROGRESS_SECONDS: '1000' }, timeout: 120_000 });
  const stderr = String(r.stderr);
  transcript.push(`$ nmf-consensus ${shell ?? args.join(' ')}\n${stderr}\nexit ${r.exitCode}`);
  return { code: r.exitCode, stderr, errors: stderr.split('\n').filter((l) => l.startsWith('error: ')) };
}

/** sha256 of every file under `dir`, by relative path (folders as entries too, so a replaced file shows). */
function tree(dir: string, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (skip.some((s) => rel === s || rel.startsWith(`${s}/`))) continue;
      const st = statSync(p);
      if (st.isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(p);
      } else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

function gct(seed: number, m = 60, n = 12, edit?: (row: number, col: number, v: string) => string): string {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const lines = ['#1.2', `${m}\t${n}`, ['Name', 'Description', ...Array.from({ length: n }, (_, j) => `s${j}`)].join('\t')];
  for (let i = 0; i < m; i++) {
    // Three blocks of samples with their own high features, so k = 3 has structure.
    const cells = Array.from({ length: n }, (_, j) => (rnd() * 2 + (Math.floor(j / 4) === i % 3 ? 8 : 0)).toFixed(3));
    lines.push([`g${i}`, 'd', ...cells.map((v, j) => (edit ? edit(i, j, v) : v))].join('\t'));
  }
  return lines.join('\n') + '\n';
}

let base: string;
/** A complete staged result: D/preprocess, D/shards (k 2, 3; restarts 0-3), D/consensus. */
let D: string;

/** A fresh scratch folder holding a copy of D and a user's files around it. */
function scratch(name: string): string {
  const dir = join(base, name);
  mkdirSync(dir);
  cpSync(D, join(dir, 'D'), { recursive: true });
  writeFileSync(join(dir, 'a.gct'), gct(1));
  writeFileSync(join(dir, 'notes.txt'), 'my notes\n');
  return dir;
}

function expectOneError(r: { code: number | undefined; errors: string[]; stderr: string }, code: number, message: RegExp) {
  expect(r.code, r.stderr).toBe(code);
  expect(r.errors, r.stderr).toHaveLength(1);
  expect(r.errors[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

beforeAll(async () => {
  base = tempDir('nmfc-safety-');
  D = join(base, 'fixture');
  mkdirSync(D);
  writeFileSync(join(base, 'a.gct'), gct(1));
  expect((await nmf(D, ['preprocess', '--input', '../a.gct', '--outdir', 'preprocess'])).code).toBe(0);
  for (const k of ['2', '3']) {
    const r = await nmf(D, ['factorize', '--prep', 'preprocess', '--k', k, '--restarts', '0-3', '--outdir', 'shards', ...FAST]);
    expect(r.code, r.stderr).toBe(0);
  }
  const c = await nmf(D, ['consensus', '--shards', 'shards', '--outdir', 'consensus', '--restarts', '4']);
  expect(c.code, c.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('1. output folders are owned: refused, never deleted (exit 6)', () => {
  const refused: [string, string[], (dir: string) => void, RegExp][] = [
    ['preprocess into a user folder (u2/data.csv)', ['preprocess', '--input', 'a.gct', '--outdir', 'u2'], (d) => {
      mkdirSync(join(d, 'u2'));
      writeFileSync(join(d, 'u2', 'data.csv'), 'x,y\n1,2\n');
    }, /^error: u2: the folder is not empty and was not made by nmf-consensus/],
    ['preprocess into the input\'s own folder', ['preprocess', '--input', 'inp/a.gct', '--outdir', 'inp'], (d) => {
      mkdirSync(join(d, 'inp'));
      writeFileSync(join(d, 'inp', 'a.gct'), gct(1));
    }, /^error: inp: this folder holds the input inp\/a\.gct/],
    ['consensus into its shards folder', ['consensus', '--shards', 'D/shards', '--outdir', 'D/shards'], () => {}, /^error: D\/shards: this is also an input/],
    ['report into the folder holding preprocess/, shards/, consensus/', ['report', '--consensus', 'D/consensus', '--outdir', 'D'], () => {}, /^error: D: this folder holds the input D\/consensus/],
    ['preprocess --outdir an existing file', ['preprocess', '--input', 'a.gct', '--outdir', 'notes.txt'], () => {}, /^error: notes\.txt: this is a file, not a folder/],
    ['preprocess --outdir .', ['preprocess', '--input', 'a.gct', '--outdir', '.'], () => {}, /^error: \.: this is the current folder/],
    ['report --outdir . (no input inside)', ['report', '--consensus', 'D/consensus', '--outdir', '.'], () => {}, /^error: \.: this is the current folder/],
    ['run --outdir U with a user file in U/preprocess', ['run', '--input', 'a.gct', '--outdir', 'U', '--ks', '2', '--restarts', '2', ...FAST], (d) => {
      mkdirSync(join(d, 'U', 'preprocess'), { recursive: true });
      writeFileSync(join(d, 'U', 'preprocess', 'user.txt'), 'mine\n');
    }, /^error: U\/preprocess: the folder is not empty and was not made by nmf-consensus/],
    ['factorize --outdir inside the preprocess folder', ['factorize', '--prep', 'D/preprocess', '--k', '2', '--restarts', '0-1', '--outdir', 'D/preprocess/shards', ...FAST], () => {}, /^error: D\/preprocess\/shards\/k2\.r0-1: this is inside the input folder D\/preprocess/],
    ['preprocess into a folder of shards', ['preprocess', '--input', 'a.gct', '--outdir', 'D/shards'], () => {}, /^error: D\/shards: this folder holds the output of factorize/],
  ];
  it.each(refused)('%s', async (name, args, setup, message) => {
    const dir = scratch(`refuse-${refused.findIndex((r) => r[0] === name)}`);
    setup(dir);
    const before = tree(dir);
    expectOneError(await nmf(dir, args), 6, message);
    expect(tree(dir)).toEqual(before);
  });

  it('run --outdir U replaces only what it made: a user file put into U/consensus stays', async () => {
    const dir = scratch('carry');
    const args = ['run', '--input', 'a.gct', '--outdir', 'U', '--ks', '2', '--restarts', '2', ...FAST];
    expect((await nmf(dir, args)).code).toBe(0);
    writeFileSync(join(dir, 'U', 'consensus', 'my-notes.txt'), 'keep me\n');
    writeFileSync(join(dir, 'U', 'readme.txt'), 'mine\n');
    const before = tree(dir, ['U/preprocess', 'U/shards', 'U/consensus', 'U/report']);
    const r = await nmf(dir, [...args, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'U', 'consensus', 'my-notes.txt'), 'utf8')).toBe('keep me\n');
    expect(tree(dir, ['U/preprocess', 'U/shards', 'U/consensus', 'U/report'])).toEqual(before);
    expect(existsSync(join(dir, 'U', 'consensus', 'consensus.json'))).toBe(true);
  });
});

describe('2. wrong data under the right hash is refused (exit 4)', () => {
  const swap: [string, (d: string) => void, string[], RegExp][] = [
    ['another matrix saved as preprocess/matrix.npy', (d) => cpSync(join(d, 'B', 'matrix.npy'), join(d, 'D', 'preprocess', 'matrix.npy')),
      ['factorize', '--prep', 'D/preprocess', '--k', '2', '--restarts', '0-3', '--outdir', 'D/shards', '--force', ...FAST], /^error: D\/preprocess\/matrix\.npy: its sha256 does not match .*matrix_sha256/],
    ['one flipped byte in W.npy', (d) => flip(join(d, 'D', 'shards', 'k2.r0-3', 'W.npy'), 200),
      ['consensus', '--shards', 'D/shards', '--outdir', 'C'], /^error: D\/shards\/k2\.r0-3\/W\.npy: its sha256 does not match the one recorded in D\/shards\/k2\.r0-3\/shard\.json/],
    ['valid-looking random labels.bin', (d) => writeFileSync(join(d, 'D', 'shards', 'k2.r0-3', 'labels.bin'), Uint8Array.from({ length: 48 }, (_, i) => (i * 7919) % 2)),
      ['consensus', '--shards', 'D/shards', '--outdir', 'C'], /^error: D\/shards\/k2\.r0-3\/labels\.bin: its sha256 does not match/],
    ['samples.tsv reversed', (d) => {
      const [h, ...rows] = readFileSync(join(d, 'D', 'preprocess', 'samples.tsv'), 'utf8').trimEnd().split('\n');
      writeFileSync(join(d, 'D', 'preprocess', 'samples.tsv'), [h, ...rows.reverse()].join('\n') + '\n');
    }, ['consensus', '--shards', 'D/shards', '--outdir', 'C'], /^error: D\/preprocess\/samples\.tsv: its sha256 does not match the one recorded in D\/preprocess\/preprocess\.json/],
    ['samples.tsv one row short', (d) => {
      const lines = readFileSync(join(d, 'D', 'preprocess', 'samples.tsv'), 'utf8').trimEnd().split('\n');
      writeFileSync(join(d, 'D', 'preprocess', 'samples.tsv'), lines.slice(0, -1).join('\n') + '\n');
    }, ['consensus', '--shards', 'D/shards', '--outdir', 'C'], /^error: D\/preprocess\/samples\.tsv: its sha256 does not match/],
    ['features.tsv one row short', (d) => {
      const lines = readFileSync(join(d, 'D', 'preprocess', 'features.tsv'), 'utf8').trimEnd().split('\n');
      writeFileSync(join(d, 'D', 'preprocess', 'features.tsv'), lines.slice(0, -1).join('\n') + '\n');
    }, ['consensus', '--shards', 'D/shards', '--outdir', 'C'], /^error: D\/preprocess\/features\.tsv: its sha256 does not match/],
    ['NaN in W.npy with shard.json\'s checksum updated to match', (d) => {
      const dir = join(d, 'D', 'shards', 'k2.r0-3');
      const w = readFileSync(join(dir, 'W.npy'));
      w.writeFloatLE(NaN, w.length - 4);
      writeFileSync(join(dir, 'W.npy'), w);
      const m = JSON.parse(readFileSync(join(dir, 'shard.json'), 'utf8'));
      m.sha256['W.npy'] = createHash('sha256').update(w).digest('hex');
      writeFileSync(join(dir, 'shard.json'), JSON.stringify(m));
    }, ['consensus', '--shards', 'D/shards', '--outdir', 'C'], /^error: D\/shards\/k2\.r0-3\/W\.npy: value NaN at restart 3 is not a finite number/],
    ['a changed metagenes file in the consensus folder', (d) => writeFileSync(join(d, 'D', 'consensus', 'metagenes.k2.tsv'), 'id\tdescription\tfactor_1\tfactor_2\n'),
      ['report', '--consensus', 'D/consensus', '--outdir', 'R'], /^error: D\/consensus\/metagenes\.k2\.tsv: its sha256 does not match the one recorded in D\/consensus\/consensus\.json/],
  ];
  beforeAll(async () => {
    writeFileSync(join(base, 'b.gct'), gct(2));
    expect((await nmf(base, ['preprocess', '--input', 'b.gct', '--outdir', 'B'])).code).toBe(0);
  });
  it.each(swap)('%s', async (name, damage, args, message) => {
    const dir = scratch(`verify-${swap.findIndex((r) => r[0] === name)}`);
    cpSync(join(base, 'B'), join(dir, 'B'), { recursive: true });
    damage(dir);
    const before = tree(dir);
    expectOneError(await nmf(dir, args), 4, message);
    expect(tree(dir)).toEqual(before);
  });

  it('a preprocess folder missing matrix.npy is recomputed, not trusted as complete', async () => {
    const dir = scratch('missing-matrix');
    const args = ['preprocess', '--input', '../a.gct', '--outdir', 'preprocess'];
    rmSync(join(dir, 'D', 'preprocess', 'matrix.npy'));
    const r = await nmf(join(dir, 'D'), args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/preprocess is not intact \(preprocess\/matrix\.npy is missing\); recomputing/);
    expect(readFileSync(join(dir, 'D', 'preprocess', 'matrix.npy'))).toEqual(readFileSync(join(D, 'preprocess', 'matrix.npy')));
  });

  it('a rerun of run with a changed input into the same folder recomputes and records the new input', async () => {
    const dir = scratch('changed-input');
    const args = ['run', '--input', 'a.gct', '--outdir', 'U', '--ks', '2', '--restarts', '2', ...FAST];
    expect((await nmf(dir, args)).code).toBe(0);
    writeFileSync(join(dir, 'a.gct'), gct(3));
    const r = await nmf(dir, args);
    expect(r.code, r.stderr).toBe(0);
    const sha = createHash('sha256').update(readFileSync(join(dir, 'a.gct'))).digest('hex');
    expect(JSON.parse(readFileSync(join(dir, 'U', 'consensus', 'consensus.json'), 'utf8')).input_sha256).toBe(sha);
    expect(JSON.parse(readFileSync(join(dir, 'U', 'shards', 'k2.r0-1', 'shard.json'), 'utf8')).input_sha256).toBe(sha);
  });
});

function flip(path: string, at: number): void {
  const b = readFileSync(path);
  b[at] = b[at]! ^ 0xff;
  writeFileSync(path, b);
}

describe('3. accepted then crashing: refused where the input is read (exit 3)', () => {
  it('a value beyond float32 (1e39) names its line and column', async () => {
    const dir = scratch('float32');
    writeFileSync(join(dir, 'big.gct'), gct(1, 60, 12, (i, j, v) => (i === 2 && j === 1 ? '1e39' : v)));
    const before = tree(dir);
    expectOneError(await nmf(dir, ['preprocess', '--input', 'big.gct', '--outdir', 'P']), 3, /^error: big\.gct line 6, column 4: the value 1e\+39 .*float32 range/);
    expect(tree(dir)).toEqual(before);
  });

  it('a matrix too small for any k (1 feature): exit 3 saying what is needed, not "choose ranks below 1"', async () => {
    const dir = scratch('too-small');
    writeFileSync(join(dir, 'one.gct'), '#1.2\n1\t3\nName\tDescription\ta\tb\tc\ng1\td\t1\t2\t3\n');
    expectOneError(await nmf(dir, ['run', '--input', 'one.gct', '--outdir', 'U', '--ks', '2', '--restarts', '2', ...FAST]), 3,
      /^error: one\.gct: k = 2 is not below min\(features, samples\) = min\(1, 3\); pass a matrix with at least 3 features and 3 samples left after preprocessing/);
    expectOneError(await nmf(dir, ['factorize', '--prep', 'D/preprocess', '--k', '12', '--restarts', '0-1', '--outdir', 'S', ...FAST]), 3,
      /^error: D\/preprocess\/preprocess\.json: k = 12 is not below min\(features, samples\) = min\(60, 12\); choose ranks below 12 with --k\.$/);
  });

  it('duplicate sample ids in --annotations', async () => {
    const dir = scratch('annotations');
    writeFileSync(join(dir, 'ann.tsv'), 'id\tgroup\ns0\tA\ns1\tB\ns0\tB\n');
    const before = tree(dir);
    expectOneError(await nmf(dir, ['report', '--consensus', 'D/consensus', '--outdir', 'R', '--annotations', 'ann.tsv']), 3, /^error: ann\.tsv line 4: sample id "s0" appears again \(first on line 2\)/);
    expect(tree(dir)).toEqual(before);
  });
});

describe('4. inputs are read once: pipes and process substitution work like the file', () => {
  const comparable = (path: string) => {
    const m = JSON.parse(readFileSync(path, 'utf8'));
    // The path as given and the clock time are the only fields that may differ.
    delete m.input.path;
    delete m.created;
    return m;
  };
  it('a named pipe and <(...) give the preprocess.json of the file', async () => {
    const dir = scratch('pipes');
    expect((await nmf(dir, ['preprocess', '--input', 'a.gct', '--outdir', 'from-file'])).code).toBe(0);
    const fifo = await nmf(dir, [], 'mkfifo in.fifo && (cat a.gct > in.fifo &) && $NMF preprocess --input in.fifo --outdir from-fifo');
    expect(fifo.code, fifo.stderr).toBe(0);
    const sub = await nmf(dir, [], '$NMF preprocess --input <(cat a.gct) --outdir from-substitution');
    expect(sub.code, sub.stderr).toBe(0);
    const want = comparable(join(dir, 'from-file', 'preprocess.json'));
    expect(comparable(join(dir, 'from-fifo', 'preprocess.json'))).toEqual(want);
    expect(comparable(join(dir, 'from-substitution', 'preprocess.json'))).toEqual(want);
    expect(readFileSync(join(dir, 'from-fifo', 'matrix.npy'))).toEqual(readFileSync(join(dir, 'from-file', 'matrix.npy')));
  });

  it('--features-file <(...) is hashed from the one read: the same sha256 as the file', async () => {
    const dir = scratch('features-pipe');
    writeFileSync(join(dir, 'keep.txt'), 'g1\ng2\ng3\n');
    const r = await nmf(dir, [], '$NMF preprocess --input a.gct --features-file <(cat keep.txt) --outdir P');
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'P', 'preprocess.json'), 'utf8'));
    expect(m.params.features_file.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, 'keep.txt'))).digest('hex'));
    expect(m.shape).toEqual({ features: 3, samples: 12 });
  });

  it('an HDF5 file through a pipe is a clear exit 3 (HDF5 needs random access)', async () => {
    const dir = scratch('h5-pipe');
    const before = tree(dir);
    const r = await nmf(dir, [], "$NMF preprocess --input <(printf '\\211HDF\\r\\n\\032\\nrest of an hdf5 file') --outdir P");
    expectOneError(r, 3, /^error: \/dev\/fd\/\d+: this is an HDF5 file \(\.h5ad\/\.h5\) arriving through a pipe/);
    expect(tree(dir)).toEqual(before);
  });
});

/** Mount a file system for a case; root and mount(8) are needed, so the case says when they are not there. */
async function tryMount(args: string): Promise<boolean> {
  const r = await execa('bash', ['-c', args], { reject: false });
  return r.exitCode === 0;
}

describe('5. ordinary failures are clear errors, never "internal error"', () => {
  const usage: [string, string[], string | undefined, number, RegExp][] = [
    ['--ks 2-1000000000', ['run', '--input', 'a.gct', '--outdir', 'U', '--ks', '2-1000000000'], undefined, 2, /^error: --ks: rank 1000000000 in '2-1000000000' is above the largest supported rank 1000/],
    ['--restarts 1000000000 (run)', ['run', '--input', 'a.gct', '--outdir', 'U', '--restarts', '1000000000'], undefined, 2, /^error: invalid parameter restarts=1000000000: must be <= 100000/],
    ['--restarts 0-1000000000 (factorize)', ['factorize', '--prep', 'D/preprocess', '--k', '2', '--restarts', '0-1000000000', '--outdir', 'S'], undefined, 2, /^error: --restarts '0-1000000000': restarts are numbered below 100000/],
    ['a YAML alias bomb', ['run', '--input', 'a.gct', '--outdir', 'U', '--config', 'bomb.yaml'],
      'a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nks: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n',
      2, /^error: bomb\.yaml: the value of 'b' is a nested structure/],
    ['both max-iter and max_iter in one YAML', ['run', '--input', 'a.gct', '--outdir', 'U', '--config', 'bomb.yaml'], 'max-iter: 10\nmax_iter: 20\n', 2, /^error: bomb\.yaml: 'max-iter' and 'max_iter' both set max_iter; keep one of them/],
    ['consensus --null-restarts -1', ['consensus', '--shards', 'D/shards', '--outdir', 'C', '--null-restarts', '-1'], undefined, 2, /^error: --null-restarts '-1' must be a whole number from 0 to 100000 \(0: none\)/],
    ['plan of 99,909,990 shards (was a crash of the heap)', ['plan', '--ks', '2-1000', '--restarts', '100000', '--restarts-per-shard', '1'], undefined, 2, /^error: --ks, --restarts, --null-restarts and --restarts-per-shard 1 make 99909990 shards, more than 100000 tasks; raise --restarts-per-shard/],
    ['run --annotations that is not there: refused before anything is computed (was after every k)', ['run', '--input', 'a.gct', '--outdir', 'U', '--ks', '2', '--restarts', '2', '--annotations', 'nope.tsv', ...FAST], undefined, 3, /^error: nope\.tsv: file not found; check the path given to --annotations/],
    ['consensus --restarts 2.5', ['consensus', '--shards', 'D/shards', '--outdir', 'C', '--restarts', '2.5'], undefined, 2, /^error: --restarts '2\.5' must be a whole number from 1 to 100000/],
  ];
  it.each(usage)('%s', async (name, args, yaml, code, message) => {
    const dir = scratch(`usage-${usage.findIndex((r) => r[0] === name)}`);
    if (yaml) writeFileSync(join(dir, 'bomb.yaml'), yaml);
    const before = tree(dir);
    expectOneError(await nmf(dir, args), code, message);
    expect(tree(dir)).toEqual(before);
  });

  it('a shard folder given twice to consensus (in its folder and by itself) is one shard, not an overlap', async () => {
    const dir = scratch('shard-twice');
    const r = await nmf(dir, ['consensus', '--shards', 'D/shards', 'D/shards/k2.r0-3', '--outdir', 'C', '--restarts', '4']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'C', 'consensus.json'))).toEqual(readFileSync(join(D, 'consensus', 'consensus.json')));
  });

  it('a one-line gzip bomb (80 MiB of one line, 80 KB gzipped) stops at the line bound', async () => {
    const dir = scratch('gzip-bomb');
    writeFileSync(join(dir, 'bomb.gct.gz'), gzipSync(Buffer.concat([Buffer.from('#1.2\n'), Buffer.alloc(80 * 2 ** 20, 'a')]), { level: 9 }));
    const before = tree(dir);
    expectOneError(await nmf(dir, ['preprocess', '--input', 'bomb.gct.gz', '--outdir', 'P']), 3, /^error: bomb\.gct\.gz line 2: the line is longer than 64 MiB/);
    expect(tree(dir)).toEqual(before);
  });

  const mnt = () => join(base, 'mnt-probe');
  let canMount = false;
  beforeAll(async () => {
    mkdirSync(mnt(), { recursive: true });
    canMount = await tryMount(`mount -t tmpfs -o size=8k tmpfs '${mnt()}' && umount '${mnt()}'`);
  });

  it('disk full (a 64 KiB tmpfs) is exit 7 naming the file', async (ctx) => {
    if (!canMount) ctx.skip();
    const dir = scratch('enospc');
    mkdirSync(join(dir, 'full'));
    expect(await tryMount(`mount -t tmpfs -o size=64k tmpfs '${join(dir, 'full')}'`)).toBe(true);
    try {
      const before = tree(dir, ['full']);
      const r = await nmf(dir, ['run', '--input', 'a.gct', '--outdir', 'full/U', '--ks', '2', '--restarts', '2', ...FAST]);
      expectOneError(r, 7, /^error: full\/U\/\S+: the disk is full \(ENOSPC in \w+\); free space, or choose a folder you can write to/);
      expect(tree(dir, ['full'])).toEqual(before);
    } finally {
      await tryMount(`umount '${join(dir, 'full')}'`);
    }
  });

  it('a read-only folder (a read-only bind mount) is exit 7 naming it', async (ctx) => {
    if (!canMount) ctx.skip();
    const dir = scratch('erofs');
    mkdirSync(join(dir, 'ro'));
    writeFileSync(join(dir, 'ro', 'kept.txt'), 'kept\n');
    expect(await tryMount(`mount --bind '${join(dir, 'ro')}' '${join(dir, 'ro')}' && mount -o remount,bind,ro '${join(dir, 'ro')}'`)).toBe(true);
    try {
      const before = tree(dir);
      expectOneError(await nmf(dir, ['preprocess', '--input', 'a.gct', '--outdir', 'ro/P']), 7, /^error: ro: the file system is read-only \(EROFS in open\)/);
      expect(tree(dir)).toEqual(before);
    } finally {
      await tryMount(`umount '${join(dir, 'ro')}'`);
    }
  });
});

describe('6. concurrent runs: one lock per output folder', () => {
  it('a folder locked by a live process is refused; a lock left by a dead one is taken over', async () => {
    const dir = scratch('lock');
    // PID 1 always runs; on this host it stands for another run that holds the folder.
    writeFileSync(join(dir, '.P.lock'), JSON.stringify({ pid: 1, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const before = tree(dir);
    expectOneError(await nmf(dir, ['preprocess', '--input', 'a.gct', '--outdir', 'P']), 6, /^error: P: another nmf-consensus run, process 1 on host .* is writing here; wait for it to finish; if it is gone, delete .*\.P\.lock and rerun/);
    expect(tree(dir)).toEqual(before);
    // A PID far above pid_max belongs to no process: the lock is stale.
    writeFileSync(join(dir, '.P.lock'), JSON.stringify({ pid: 2 ** 30, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const r = await nmf(dir, ['preprocess', '--input', 'a.gct', '--outdir', 'P']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/removing the stale lock of process 1073741824/);
    expect(existsSync(join(dir, '.P.lock'))).toBe(false);
  });

  it('a second run into a folder that a running one holds is refused, and the first one completes', async () => {
    const dir = scratch('race');
    // The first run holds U while it waits for its input on a named pipe, so the overlap is certain.
    await execa('mkfifo', [join(dir, 'in.fifo')]);
    const first = nmf(dir, ['run', '--input', 'in.fifo', '--outdir', 'U', '--ks', '2', '--restarts', '2', ...FAST]);
    while (!existsSync(join(dir, 'U', '.nmf-consensus.lock'))) await new Promise((r) => setTimeout(r, 50));
    const second = await nmf(dir, ['run', '--input', 'a.gct', '--outdir', 'U', '--ks', '2', '--restarts', '2', ...FAST]);
    expectOneError(second, 6, /^error: U: another nmf-consensus run, process \d+ on host .* is writing here/);
    writeFileSync(join(dir, 'in.fifo'), readFileSync(join(dir, 'a.gct')));
    const r = await first;
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'U', '.nmf-consensus.lock'))).toBe(false);
  });
});

describe('7. a run stopped by SIGTERM', () => {
  it('removes its locks and dies of the signal; the next run finds nothing stale', async () => {
    const dir = scratch('sigterm');
    await execa('mkfifo', [join(dir, 'in.fifo')]);
    // Waiting for its input on a named pipe, the run holds U and U/.preprocess.lock when the signal comes.
    const child = execa(process.execPath, [BIN, 'run', '--input', 'in.fifo', '--outdir', 'U', '--ks', '2', '--restarts', '2', ...FAST], { cwd: dir, reject: false });
    while (!existsSync(join(dir, 'U', '.preprocess.lock'))) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    const r = await child;
    expect(r.signal).toBe('SIGTERM');
    expect(readdirSync(join(dir, 'U')).filter((f) => f.endsWith('.lock'))).toEqual([]);
    const again = await nmf(dir, ['run', '--input', 'a.gct', '--outdir', 'U', '--ks', '2', '--restarts', '2', ...FAST]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/stale lock/);
  });
});

describe('8. a missing random-data baseline shard is refused like a missing data shard (exit 4)', () => {
  /** D plus the baseline: null.k2 in two shards (0-1, 2-3), null.k3 in one (0-3), as a workflow scatters them. */
  let N: string;
  beforeAll(async () => {
    N = join(base, 'with-baseline');
    cpSync(D, N, { recursive: true });
    rmSync(join(N, 'consensus'), { recursive: true });
    for (const [k, range] of [['2', '0-1'], ['2', '2-3'], ['3', '0-3']] as const) {
      const r = await nmf(N, ['factorize', '--prep', 'preprocess', '--k', k, '--restarts', range, '--outdir', 'shards', '--null', ...FAST]);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);
  const withBaseline = (name: string) => {
    const dir = scratch(name);
    cpSync(N, join(dir, 'N'), { recursive: true });
    return dir;
  };

  const missing: [string, string[], string[], RegExp][] = [
    ['one of two baseline shards of k=2, workflow flags', ['null.k2.r2-3'], ['--restarts', '4', '--null-restarts', '4'],
      /^error: k=2: random-data baseline restarts 2-3 are missing from the shards; run factorize --null for them, or pass --allow-partial/],
    ['the only baseline shard of k=3, workflow flags', ['null.k3.r0-3'], ['--restarts', '4', '--null-restarts', '4'],
      /^error: k=3: random-data baseline restarts 0-3 are missing from the shards \(no null\.k3\.\* shard\); run factorize --null --k 3 --restarts 0-3/],
    ['the only baseline shard of k=3, no --null-restarts (k=2 has a baseline)', ['null.k3.r0-3'], ['--restarts', '4'],
      /^error: k=3: random-data baseline restarts 0-3 are missing from the shards \(no null\.k3\.\* shard\)/],
    ['every baseline shard, --null-restarts 10 (min(10, --restarts 4) = 4 expected)', ['null.k2.r0-1', 'null.k2.r2-3', 'null.k3.r0-3'], ['--restarts', '4', '--null-restarts', '10'],
      /^error: k=2: random-data baseline restarts 0-3 are missing from the shards \(no null\.k2\.\* shard\)/],
  ];
  it.each(missing)('%s', async (name, removed, flags, message) => {
    const dir = withBaseline(`baseline-${missing.findIndex((r) => r[0] === name)}`);
    for (const s of removed) rmSync(join(dir, 'N', 'shards', s), { recursive: true });
    const before = tree(dir);
    expectOneError(await nmf(dir, ['consensus', '--shards', 'N/shards', '--prep', 'N/preprocess', '--outdir', 'C', ...flags]), 4, message);
    expect(tree(dir)).toEqual(before);
  });

  it('complete: the planned count is min(--null-restarts, --restarts); --null-restarts 0 leaves the baseline out, as a run without one', async () => {
    const dir = withBaseline('baseline-complete');
    const c = (out: string, flags: string[]) => nmf(dir, ['consensus', '--shards', 'N/shards', '--prep', 'N/preprocess', '--outdir', out, '--restarts', '4', ...flags]);
    for (const [out, flags] of [['C4', ['--null-restarts', '4']], ['C10', ['--null-restarts', '10']], ['C0', ['--null-restarts', '0']]] as const) {
      const r = await c(out, [...flags]);
      expect(r.code, r.stderr).toBe(0);
    }
    const perK = (out: string) => JSON.parse(readFileSync(join(dir, out, 'consensus.json'), 'utf8')).per_k;
    expect(perK('C4').map((p: { null_restarts: number }) => p.null_restarts)).toEqual([4, 4]);
    expect(JSON.parse(readFileSync(join(dir, 'C4', 'consensus.json'), 'utf8')).missing_null_restarts).toBeUndefined();
    expect(readFileSync(join(dir, 'C10', 'consensus.json'))).toEqual(readFileSync(join(dir, 'C4', 'consensus.json')));
    // without the baseline: byte for byte the consensus of the data shards alone (D/consensus)
    for (const f of ['consensus.json', 'metrics.tsv', 'membership.gct']) expect(readFileSync(join(dir, 'C0', f)), f).toEqual(readFileSync(join(D, 'consensus', f)));
  });

  it('--allow-partial merges a k without a baseline and one with half of it, recording both; report scores the first null (JSON has no NaN) and says why', async () => {
    const dir = withBaseline('baseline-partial');
    rmSync(join(dir, 'N', 'shards', 'null.k3.r0-3'), { recursive: true });
    rmSync(join(dir, 'N', 'shards', 'null.k2.r2-3'), { recursive: true });
    const c = await nmf(dir, ['consensus', '--shards', 'N/shards', '--prep', 'N/preprocess', '--outdir', 'C', '--restarts', '4', '--null-restarts', '4', '--allow-partial']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/k=3 has no random-data baseline shards \(--allow-partial\)/);
    const m = JSON.parse(readFileSync(join(dir, 'C', 'consensus.json'), 'utf8'));
    expect(m.missing_null_restarts).toEqual({ 2: [2, 3], 3: [0, 1, 2, 3] });
    expect(m.per_k.map((p: { null_restarts?: number }) => p.null_restarts)).toEqual([2, undefined]);
    const r = await nmf(dir, ['report', '--consensus', 'C', '--outdir', 'R']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, 'R', 'summary.json'), 'utf8'));
    expect(s.scores.find((x: { k: number }) => x.k === 3)).toEqual({ k: 3, score: null, cophenetic: null, dispersion: null, silhouette: null });
    expect(Number.isFinite(s.scores.find((x: { k: number }) => x.k === 2).score)).toBe(true);
    expect(s.reasons.join(' ')).toMatch(/k=3 had no random-data baseline and was left out of the choice/);
    expect(s.reasons).toContain("k=2's random-data baseline is missing 2 restarts (--allow-partial), so its null values rest on fewer restarts than requested.");
  });
});

describe('the whole table', () => {
  it('says "internal error" nowhere', () => {
    expect(transcript.length).toBeGreaterThan(30);
    expect(transcript.join('\n')).not.toMatch(/internal error/i);
  });
});
