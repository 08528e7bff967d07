/**
 * Reading preprocess's matrix.npy for factorize straight into a SharedArrayBuffer: one copy of A in
 * memory, shared by the factorize worker threads (readNpy would hold the file and a copy, 2x A).
 * The bytes are hashed as they are read and checked against preprocess.json's matrix_sha256, so a
 * matrix swapped in after preprocess is refused (exit 4) without a second pass over the file.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { inputError } from '../lib/errors.js';
import { checksumError, openForReading } from '../lib/io/hash.js';

export function readMatrixShared(path: string, m: number, n: number, sha256: string): Float32Array {
  const fd = openForReading(path, 'the file is missing from the preprocess folder', 'rerun preprocess (with --force if it says it is complete)');
  try {
    const head = Buffer.alloc(12);
    readSync(fd, head, 0, 12, 0);
    const bad = (what: string) => inputError(path, what, 'rerun preprocess');
    if (head.toString('latin1', 1, 6) !== 'NUMPY') throw bad('not a NumPy .npy file');
    const major = head[6]!;
    const [hlen, start] = major === 1 ? [head.readUInt16LE(8), 10] : [head.readUInt32LE(8), 12];
    const header = Buffer.alloc(hlen);
    readSync(fd, header, 0, hlen, start);
    const text = header.toString('latin1');
    const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
    const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
    const shape = /'shape'\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*,?\s*\)/.exec(text);
    if (descr !== '<f4' || fortran !== 'False' || !shape || Number(shape[1]) !== m || Number(shape[2]) !== n) {
      throw bad(`expected float32 ${m} x ${n} in C order, found ${descr ?? '?'} (${shape ? `${shape[1]} x ${shape[2]}` : 'shape ?'})`);
    }
    const offset = start + hlen;
    const bytes = m * n * 4;
    if (fstatSync(fd).size !== offset + bytes) throw bad(`the file is not ${offset + bytes} bytes (truncated?)`);
    const sab = new SharedArrayBuffer(bytes);
    const view = new Uint8Array(sab);
    const hash = createHash('sha256');
    const CHUNK = 1 << 26;
    for (let done = 0; done < bytes; ) {
      const got = readSync(fd, view, done, Math.min(CHUNK, bytes - done), offset + done);
      if (got <= 0) throw bad('unexpected end of file');
      hash.update(view.subarray(done, done + got));
      done += got;
    }
    if (hash.digest('hex') !== sha256) throw checksumError(path, 'preprocess.json (matrix_sha256)', 'rerun preprocess with --force');
    return new Float32Array(sab);
  } finally {
    closeSync(fd);
  }
}
