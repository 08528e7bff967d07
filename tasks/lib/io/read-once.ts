/**
 * Reading a text input exactly once, as a stream: the raw bytes are hashed as they arrive and
 * gunzipped on the fly, so a named pipe or `<(...)` works like a file and the input's sha256 costs
 * no second read. Lines are bounded (MAX_LINE_BYTES): a one-line gzip bomb stops at the bound with a
 * located error instead of filling memory.
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { inputError } from '../errors.js';

/** Longest text line accepted (64 MiB: a dense row of several million values). */
export const MAX_LINE_BYTES = 64 * 2 ** 20;

export interface ReadOnce {
  /** sha256 of the bytes as stored (of the .gz itself for gzipped input). */
  sha256: string;
  /** Bytes as stored. */
  bytes: number;
  /** The content, gunzipped when it was gzip. */
  text: Buffer;
}

/** Tracks the current line's length across chunks and fails once it passes the bound. */
class LineBound {
  private run = 0;
  private line = 1;
  constructor(private readonly path: string, private readonly max: number) {}
  feed(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      this.run += end - start;
      if (this.run > this.max) {
        throw inputError(`${this.path} line ${this.line}`, `the line is longer than ${this.max / 2 ** 20} MiB (a damaged file, a gzip bomb, or a matrix too wide for a text format)`, 'check the file, or pass wide data as a 10x MTX folder or an .h5ad');
      }
      if (nl < 0) return;
      this.line++;
      this.run = 0;
      start = nl + 1;
    }
  }
}

export async function readTextOnce(path: string, maxLine = MAX_LINE_BYTES): Promise<ReadOnce> {
  const hash = createHash('sha256');
  const parts: Buffer[] = [];
  const bound = new LineBound(path, maxLine);
  let bytes = 0;
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  const take = (chunk: Buffer) => {
    bound.feed(chunk);
    parts.push(chunk);
  };
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      src.destroy();
      gunzip?.destroy();
      reject(err);
    };
    const src = createReadStream(path);
    src.on('error', (err: NodeJS.ErrnoException) => fail(inputError(path, err.code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${err.code ?? err.message})`, 'check the path given to --input and its permissions')));
    src.on('data', (c) => {
      const chunk = c as Buffer;
      hash.update(chunk);
      if (bytes === 0 && chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
        gunzip = createGunzip();
        gunzip.on('data', (d: Buffer) => {
          try {
            take(d);
          } catch (err) {
            fail(err);
          }
        });
        gunzip.on('error', (err) => fail(inputError(path, `the file starts like gzip but cannot be decompressed (${err.message})`, 'recompress it with gzip or pass the uncompressed file')));
        gunzip.on('end', () => resolve());
      }
      bytes += chunk.length;
      if (gunzip) {
        // Back-pressure: the inflater's output is checked line by line before more is read.
        if (!gunzip.write(chunk)) {
          src.pause();
          gunzip.once('drain', () => src.resume());
        }
      } else {
        try {
          take(chunk);
        } catch (err) {
          fail(err);
        }
      }
    });
    src.on('end', () => {
      if (gunzip) gunzip.end();
      else resolve();
    });
  });
  return { sha256: hash.digest('hex'), bytes, text: Buffer.concat(parts) };
}
