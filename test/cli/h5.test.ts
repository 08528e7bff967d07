/**
 * `preprocess` on AnnData .h5ad and 10x .h5 files written by anndata and h5py: the matrix, names and
 * manifest on success; on a bad file exit 3 with one line naming the file, nothing from libhdf5 or
 * the wasm runtime on stderr, and no output folder.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from './helpers.js';
import { readNpy } from '../../tasks/lib/io/npy.js';
import { RUN_H5, SKIP_NOTE, expected, makeH5Fixtures } from '../io/h5-fixtures.js';

const dir = tempDir('nmfc-cli-h5-');

/** stderr holds exactly one line, the error, with no HDF5-DIAG stack, abort or JS stack trace. */
function expectOneErrorLine(stderr: string, file: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toContain(file);
  expect(stderr).not.toMatch(/HDF5-DIAG|Aborted\(|^\s+at /m);
}

describe.skipIf(!RUN_H5)(`preprocess reads .h5ad and 10x .h5${SKIP_NOTE}`, () => {
  beforeAll(async () => {
    await makeH5Fixtures(dir);
  });

  it('10x .h5: features x barcodes, feature ids with their names, barcodes, and the file hash', async () => {
    const input = join(dir, 'tenx.h5');
    const out = join(dir, 'prep-tenx');
    const r = await cli(['preprocess', '--input', input, '--outdir', out]);
    expect(r.code, r.stderr).toBe(0);
    const e = expected(dir, 'tenx');
    const m = JSON.parse(readFileSync(join(out, 'preprocess.json'), 'utf8'));
    expect(m.input.format).toBe('10x-h5');
    expect(m.input.sha256).toBe(createHash('sha256').update(readFileSync(input)).digest('hex'));
    expect(m.shape).toEqual({ features: e.rows, samples: e.cols });
    expect(readFileSync(join(out, 'features.tsv'), 'utf8')).toBe(['id\tdescription', ...e.rowIds.map((id, i) => `${id}\t${e.rowDescriptions![i]}`)].join('\n') + '\n');
    expect(readFileSync(join(out, 'samples.tsv'), 'utf8')).toBe(['id', ...e.colIds].join('\n') + '\n');
    const npy = readNpy(join(out, 'matrix.npy'));
    expect(npy.shape).toEqual([e.rows, e.cols]);
    expect(Array.from(npy.data)).toEqual(e.data);
  });

  it('.h5ad (CSR): genes x cells', async () => {
    const out = join(dir, 'prep-h5ad');
    const r = await cli(['preprocess', '--input', join(dir, 'csr.h5ad'), '--outdir', out]);
    expect(r.code, r.stderr).toBe(0);
    const e = expected(dir, 'anndata');
    expect(JSON.parse(readFileSync(join(out, 'preprocess.json'), 'utf8')).input.format).toBe('h5ad');
    expect(Array.from(readNpy(join(out, 'matrix.npy')).data)).toEqual(e.data);
  });

  it.each([
    ['neither.h5', /neither AnnData .* nor a 10x Genomics matrix/],
    ['truncated.h5ad', /truncated file/],
    ['indptr-decreasing.h5ad', /dataset X\/indptr, element 4: /],
    ['lzf-anndata.h5ad', /LZF/],
  ])('%s: exit 3, one line naming the file, and no output folder', async (name, match) => {
    const input = join(dir, name);
    const out = join(dir, `prep-${name}`);
    const r = await cli(['preprocess', '--input', input, '--outdir', out]);
    expect(r.code, r.stderr).toBe(3);
    expectOneErrorLine(r.stderr, input);
    expect(r.stderr).toMatch(match);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
