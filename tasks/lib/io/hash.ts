/**
 * SHA-256 of what a stage reads or writes. Inputs are hashed in the same pass that reads them (no
 * second read, so pipes work and hashing costs no extra I/O); a file a manifest records is checked
 * against its recorded hash before anything in it is used (exit 4 on a mismatch).
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { inputError, shardError } from '../errors.js';

const CHUNK = 1 << 22;

export function sha256Bytes(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Open `path` for reading, or exit 3 naming it: `missing` says what its absence means, `fix` what to do. */
export function openForReading(path: string, missing = 'the file does not exist', fix = 'check the path and its permissions'): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(path, code === 'ENOENT' ? missing : `the file cannot be read (${code ?? 'error'})`, fix);
  }
}

/** Lower-case hex SHA-256 of the file at `path` (from byte `start` on). */
export function sha256File(path: string, start = 0): string {
  const fd = openForReading(path);
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = start;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK, pos);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw inputError(path, code === 'EISDIR' ? 'this is a directory, not a file' : `the file cannot be read (${code ?? 'error'})`, 'pass the path of a file');
      }
      if (n === 0) break;
      pos += n;
      hash.update(buf.subarray(0, n));
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** A recorded file whose bytes do not hash to what its manifest says (exit 4, naming both). */
export function checksumError(path: string, manifest: string, fix: string): Error {
  return shardError(`${path}: its sha256 does not match the one recorded in ${manifest}, so it was changed or damaged after it was written; ${fix}.`);
}

/** Read a file once and check it against `sha256` (from `manifest`) before returning its bytes. */
export function readVerified(path: string, sha256: string, manifest: string, fix: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw shardError(`${path}: ${code === 'ENOENT' ? 'the file is missing' : `the file cannot be read (${code ?? 'error'})`} although ${manifest} lists it; ${fix}.`);
  }
  if (sha256Bytes(bytes) !== sha256) throw checksumError(path, manifest, fix);
  return bytes;
}
