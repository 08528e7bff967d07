/**
 * The pieces behind issue 10's guarantees, in process: which folders a stage may write, how a
 * previous result is replaced without touching a user's files, the lock, the read-once text
 * reader, and which system errors become exit 7. test/cli/safety.test.ts runs the same cases
 * through the CLI.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ExitCode, NmfError, systemError } from '../../tasks/lib/errors.js';
import { claimOutput, MARKER, writeMarker } from '../../tasks/lib/io/outdir.js';
import { commitDir, stagingDir } from '../../tasks/lib/io/atomic.js';
import { acquireLock } from '../../tasks/lib/io/lock.js';
import { readTextOnce } from '../../tasks/lib/io/read-once.js';
import { gunzipBounded } from '../../tasks/lib/io/text.js';

const temp = () => mkdtempSync(join(tmpdir(), 'nmfc-outdir-'));

function refusal(fn: () => unknown): NmfError {
  try {
    fn();
  } catch (err) {
    return err as NmfError;
  }
  throw new Error('expected a refusal');
}

describe('claimOutput: which folders a stage may write', () => {
  it('a new, an empty and its own folder are accepted and locked until released', () => {
    const d = temp();
    mkdirSync(join(d, 'empty'));
    mkdirSync(join(d, 'own'));
    writeMarker(join(d, 'own'), 'consensus');
    writeFileSync(join(d, 'own', 'metrics.tsv'), 'k\n');
    for (const name of ['new', 'empty', 'own']) {
      const release = claimOutput(join(d, name), 'consensus', []);
      expect(existsSync(join(d, `.${name}.lock`))).toBe(true);
      release();
      expect(existsSync(join(d, `.${name}.lock`))).toBe(false);
    }
  });

  it('refuses a user folder, another stage\'s folder, a symbolic link to an input folder and a folder inside an input', () => {
    const d = temp();
    mkdirSync(join(d, 'user'));
    writeFileSync(join(d, 'user', 'data.csv'), '1\n');
    mkdirSync(join(d, 'prep'));
    writeMarker(join(d, 'prep'), 'preprocess');
    symlinkSync(join(d, 'prep'), join(d, 'alias'));
    const cases: [string, string[], RegExp][] = [
      [join(d, 'user'), [], /not made by nmf-consensus/],
      [join(d, 'prep'), [], /holds the output of preprocess, not of consensus/],
      [join(d, 'alias'), [join(d, 'prep')], /is also an input/],
      [join(d, 'prep', 'inner'), [join(d, 'prep')], /inside the input folder/],
    ];
    for (const [dir, inputs, message] of cases) {
      const e = refusal(() => claimOutput(dir, 'consensus', inputs));
      expect(e.code, dir).toBe(ExitCode.outputRefused);
      expect(e.message).toMatch(message);
    }
    expect(readdirSync(join(d, 'user'))).toEqual(['data.csv']);
  });
});

describe('replacing a previous result', () => {
  it('moves aside only tool-made entries: a user file in the old folder is in the new one', () => {
    const d = temp();
    const out = join(d, 'report');
    const first = stagingDir(out, 'report');
    writeFileSync(join(first, 'report.html'), 'old');
    commitDir(first, out, 'report');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const second = stagingDir(out, 'report');
    writeFileSync(join(second, 'report.html'), 'new');
    commitDir(second, out, 'report');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe('new');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(out).sort()).toEqual([MARKER, 'notes.txt', 'report.html']);
    expect(readdirSync(d).filter((f) => f !== 'report')).toEqual([]);
  });

  it('a killed run\'s temporary folder is removed, unless it holds a file the tool did not write', () => {
    const d = temp();
    const host = Buffer.from(hostname()).toString('hex');
    // PID 2^30 is above Linux's pid_max: no process has it.
    const toolOnly = join(d, `.consensus.tmp-${host}-${2 ** 30}-a`);
    const withUserFile = join(d, `.consensus.tmp-${host}-${2 ** 30}-b`);
    mkdirSync(toolOnly);
    writeFileSync(join(toolOnly, 'metrics.tsv'), 'k\n');
    mkdirSync(withUserFile);
    writeFileSync(join(withUserFile, 'notes.txt'), 'mine');
    const stage = stagingDir(join(d, 'consensus'), 'consensus');
    expect(existsSync(toolOnly)).toBe(false);
    expect(readFileSync(join(withUserFile, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(stage)).toEqual([MARKER]);
  });
});

describe('lock files', () => {
  it('a second acquisition by the same process shares the lock; a live process of this host is refused', () => {
    const d = temp();
    const path = join(d, '.x.lock');
    const release = acquireLock(path, join(d, 'x'));
    const inner = acquireLock(path, join(d, 'x'));
    inner();
    expect(existsSync(path)).toBe(true);
    release();
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, JSON.stringify({ pid: 1, host: hostname(), started: 'then' }));
    const e = refusal(() => acquireLock(path, join(d, 'x')));
    expect(e.code).toBe(ExitCode.outputRefused);
    expect(e.message).toMatch(/another nmf-consensus run, process 1 on host .* \(since then\), is writing here/);
  });
});

describe('readTextOnce', () => {
  it('hashes the bytes as stored and returns the gunzipped text', async () => {
    const d = temp();
    const text = 'a\tb\n1\t2\n'.repeat(5000);
    const gz = gzipSync(Buffer.from(text));
    writeFileSync(join(d, 'x.tsv.gz'), gz);
    const r = await readTextOnce(join(d, 'x.tsv.gz'));
    expect(r.sha256).toBe(createHash('sha256').update(gz).digest('hex'));
    expect(r.bytes).toBe(gz.length);
    expect(r.text.toString()).toBe(text);
  });

  it('stops at the first line over the bound, counting lines across chunks', async () => {
    const d = temp();
    // 70,000 short lines (several 64 KiB read chunks), then one of 2,000 bytes.
    writeFileSync(join(d, 'x.tsv'), 'ab\n'.repeat(70_000) + 'x'.repeat(2000) + '\n');
    await expect(readTextOnce(join(d, 'x.tsv'), 1000)).rejects.toThrow(/x\.tsv line 70001: the line is longer than/);
    await expect(readTextOnce(join(d, 'x.tsv'), 4000)).resolves.toMatchObject({ bytes: 212_001 });
  });
});

describe('gunzipBounded: side files (annotations, feature lists) read whole', () => {
  it('decompresses up to the bound and refuses past it (exit 3), so a gzip bomb costs at most the bound', () => {
    const gz = gzipSync(Buffer.alloc(64 * 1024, 'a'));
    expect(gunzipBounded(gz, 'ann.tsv.gz', 64 * 1024).length).toBe(64 * 1024);
    const e = refusal(() => gunzipBounded(gz, 'ann.tsv.gz', 32 * 1024));
    expect(e.code).toBe(ExitCode.invalidInput);
    expect(e.message).toMatch(/^ann\.tsv\.gz: the file decompresses to more than 0\.03125 MiB \(a damaged file or a gzip bomb\)/);
  });
});

describe('systemError: what a user can cause is exit 7 with the path, anything else stays a bug', () => {
  const sys = (code: string, path?: string) => Object.assign(new Error(code), { code, syscall: 'write', ...(path ? { path } : {}) });
  it.each([
    ['ENOSPC', /^out\/matrix\.npy: the disk is full \(ENOSPC in write\)/],
    ['EROFS', /^out\/matrix\.npy: the file system is read-only/],
    ['EACCES', /^out\/matrix\.npy: permission denied/],
    ['EDQUOT', /^out\/matrix\.npy: the disk quota is exceeded/],
  ])('%s', (code, message) => {
    const e = systemError(sys(code, 'out/matrix.npy'))!;
    expect(e.code).toBe(ExitCode.io);
    expect(e.message).toMatch(message);
  });
  it('leaves other errors alone', () => {
    expect(systemError(new TypeError('x is undefined'))).toBeUndefined();
    expect(systemError(sys('ERR_SOMETHING'))).toBeUndefined();
  });
});
