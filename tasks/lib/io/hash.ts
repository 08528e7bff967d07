/** SHA-256 of a file's bytes (as stored, i.e. of the .gz itself for gzipped input), read in chunks. */
import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { inputError } from '../errors.js';

const CHUNK = 1 << 22;

/** Lower-case hex SHA-256 of the file at `path`. */
export function sha256File(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(path, code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code ?? 'error'})`, 'check the path and its permissions');
  }
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw inputError(path, code === 'EISDIR' ? 'this is a directory, not a file' : `the file cannot be read (${code ?? 'error'})`, 'pass the path of a file');
      }
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}
