/**
 * `--features-file`: a list of feature ids to keep. One id per line (optionally gzipped); when a line
 * has tabs or commas, its first field is the id (so a TSV/CSV with ids in the first column works).
 * Blank lines and lines starting with `#` are skipped; surrounding whitespace and double quotes around
 * an id are removed; repeated ids count once. Matching against the matrix is in transform.ts
 * (`selectListedFeatures`).
 */
import { readFileSync, statSync } from 'node:fs';
import { NmfError, inputError } from '../lib/errors.js';
import { sha256Bytes } from '../lib/io/hash.js';
import { gunzipBounded } from '../lib/io/text.js';
import type { FeatureList } from './transform.js';

export function readFeatureList(path: string): FeatureList {
  let buf: Buffer;
  try {
    if (statSync(path).isDirectory()) {
      throw inputError(path, 'this is a directory, not a list of feature ids', 'pass a text file with one feature id per line to --features-file');
    }
    buf = readFileSync(path);
  } catch (err) {
    if (err instanceof NmfError || typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(
      path,
      code === 'ENOENT' || code === 'ENOTDIR' ? 'the features file does not exist' : `the features file cannot be read (${code})`,
      'check the path given to --features-file',
    );
  }
  // Hashed from the bytes already read (as stored), so a pipe or <(...) works as the list.
  const sha256 = sha256Bytes(buf);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipBounded(buf, path);
  const ids: string[] = [];
  const seen = new Set<string>();
  const text = buf.toString('utf8').replace(/^\ufeff/, '');
  for (const line of text.split(/\r\n|\n|\r/)) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    let id = t.split(/[\t,]/)[0]!.trim();
    if (id.length >= 2 && id.startsWith('"') && id.endsWith('"')) id = id.slice(1, -1).replace(/""/g, '"');
    if (id === '' || seen.has(id)) continue;
    seen.add(id);
    ids.push(id);
  }
  if (ids.length === 0) {
    throw inputError(path, 'the features file lists no feature ids', 'put one feature id per line (blank lines and lines starting with # are skipped)');
  }
  return { path, sha256, ids };
}
