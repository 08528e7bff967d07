import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect } from 'vitest';
import { NmfError } from '../../tasks/lib/errors.js';

/** A fresh temp folder per test file, removed after its tests. */
export function tempDir(prefix: string): (name: string, content?: string | Uint8Array, gzip?: boolean) => string {
  const dir = mkdtempSync(join(tmpdir(), `nmfc-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name, content, gzip = false) => {
    const p = join(dir, name);
    if (content !== undefined) {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      writeFileSync(p, gzip ? gzipSync(bytes) : bytes);
    }
    return p;
  };
}

export function catchError(fn: () => unknown): NmfError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NmfError);
    return err as NmfError;
  }
  throw new Error('expected an error, none was thrown');
}

/**
 * Assert an input error (exit 3) whose message is one sentence starting with
 * "FILE line L[, column C]: " and (optionally) matching `match`.
 */
export function expectInputError(
  fn: () => unknown,
  where: { file: string; line?: number; column?: number },
  match?: RegExp,
): NmfError {
  const err = catchError(fn);
  expect(err.code).toBe(3);
  let prefix = where.file;
  if (where.line !== undefined) prefix += ` line ${where.line}`;
  if (where.column !== undefined) prefix += `, column ${where.column}`;
  expect(err.message.startsWith(`${prefix}: `), `message ${JSON.stringify(err.message)} should start with ${JSON.stringify(prefix + ': ')}`).toBe(true);
  expectOneSentence(err.message);
  if (match) expect(err.message).toMatch(match);
  return err;
}

export function expectOneSentence(msg: string): void {
  expect(msg).not.toMatch(/[\r\n]/);
  expect(msg.endsWith('.')).toBe(true);
  // No sentence break: ". " followed by a capital letter.
  expect(msg).not.toMatch(/\.\s+[A-Z]/);
}
