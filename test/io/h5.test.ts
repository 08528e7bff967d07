/**
 * AnnData .h5ad and 10x Genomics .h5 readers (h5wasm): files written by anndata and h5py read back to
 * exactly the values and names written, oriented features x samples, and every malformed file gives
 * one located sentence (exit 3) without HDF5's own error output reaching stderr.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readInput, readMatrixFile } from '../../tasks/lib/io/read-input.js';
import { setBlockEntries } from '../../tasks/lib/io/h5-matrix.js';
import { cellLocation, type ReadMatrix } from '../../tasks/lib/io/text.js';
import { NmfError } from '../../tasks/lib/errors.js';
import { expectOneSentence } from './helpers.js';
import { RUN_H5, SKIP_NOTE, expected, makeH5Fixtures, type Expected } from './h5-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'nmfc-h5-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const F = (name: string): string => join(dir, name);

function expectMatrix(m: ReadMatrix, e: Expected): void {
  expect([m.rows, m.cols]).toEqual([e.rows, e.cols]);
  expect(m.rowIds).toEqual(e.rowIds);
  expect(m.colIds).toEqual(e.colIds);
  if (e.rowDescriptions) expect(m.rowDescriptions).toEqual(e.rowDescriptions);
  expect(m.data).toBeInstanceOf(Float64Array);
  expect(Array.from(m.data)).toEqual(e.data);
}

/** An input error (exit 3): one sentence starting "WHERE: " and matching `match`. */
async function expectH5Error(read: Promise<unknown>, where: string, match: RegExp): Promise<NmfError> {
  const err = await read.then(
    () => {
      throw new Error(`expected an error naming ${where}, none was thrown`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NmfError);
  const e = err as NmfError;
  expect(e.code, e.message).toBe(3);
  expect(e.message.startsWith(`${where}: `), `message ${JSON.stringify(e.message)} should start with ${JSON.stringify(where + ': ')}`).toBe(true);
  expectOneSentence(e.message);
  expect(e.message).toMatch(match);
  return e;
}

describe('HDF5 inputs that need no fixtures', () => {
  test('a file with the HDF5 signature and nothing else is a located error, not a crash', async () => {
    const p = F('magic-only.h5ad');
    writeFileSync(p, Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
    await expectH5Error(readInput(p), p, /HDF5 library could not open the file \(.*\); the file may be truncated or corrupt/);
  });

  test('a .h5ad name on a text, gzip or empty file, and a missing file', async () => {
    const t = F('text.h5ad');
    writeFileSync(t, 'id\ta\nr\t1\n');
    await expectH5Error(readInput(t), t, /does not start with the HDF5 signature/);
    const g = F('packed.h5ad');
    writeFileSync(g, gzipSync(Buffer.from('not hdf5')));
    await expectH5Error(readInput(g), g, /gzip-compressed.*gunzip it/);
    const e = F('empty.h5');
    writeFileSync(e, '');
    await expectH5Error(readInput(e), e, /the file is empty/);
    const missing = F('missing.h5ad');
    await expectH5Error(readInput(missing), missing, /does not exist; check the path/);
  });

  test('readMatrixFile reads HDF5 only after readInput (or loadHdf5) loaded h5wasm', async () => {
    const p = F('magic-only.h5ad');
    await expect(readInput(p)).rejects.toThrow(/HDF5/);
    expect(() => readMatrixFile(p)).toThrow(/HDF5 library could not open the file/);
  });
});

describe.skipIf(!RUN_H5)(`HDF5 round trips and errors with anndata/h5py fixtures${SKIP_NOTE}`, () => {
  beforeAll(async () => {
    await makeH5Fixtures(dir);
  });

  const stderrSpy = (): { text: () => string; restore: () => void } => {
    const spy = vi.spyOn(process.stderr, 'write');
    return { text: () => spy.mock.calls.map((c) => String(c[0])).join(''), restore: () => spy.mockRestore() };
  };

  test.each([
    ['dense.h5ad', 'dense X'],
    ['csr.h5ad', 'CSR X'],
    ['csc.h5ad', 'CSC X'],
    ['gzip.h5ad', 'gzip-compressed CSR (anndata compression="gzip")'],
    ['lzf.h5ad', 'LZF-compressed data, indices and indptr (h5py), 3-entry chunks'],
    ['lzf-dense.h5ad', 'LZF-compressed dense X, names under an _index attribute naming other columns'],
    ['legacy.h5ad', 'anndata < 0.7 layout (h5sparse_format, obs/var tables)'],
  ])('%s (%s) reads back genes x cells, values and names exact', async (name) => {
    const e = expected(dir, 'anndata');
    const m = await readInput(F(name));
    expectMatrix(m, e);
    expect(m.source.format).toBe('h5ad');
    expect(m.rowDescriptions).toEqual(e.rowIds.map(() => ''));
    // Gene 1, cell 2 of the output is X[2, 1] of the file.
    expect(cellLocation(m, 1, 2)).toBe(`${F(name)} X[2, 1]`);
    // The same with blocks of 4 entries (crossing rows and LZF chunks) and 2-row dense blocks.
    setBlockEntries(4);
    try {
      expectMatrix(await readInput(F(name)), e);
    } finally {
      setBlockEntries(1 << 22);
    }
  });

  test('10x v3 (Cell Ranger layout, int64 indices and indptr, gzip): features x barcodes, ids, names, types', async () => {
    const e = expected(dir, 'tenx');
    const m = await readInput(F('tenx.h5'));
    expectMatrix(m, e);
    expect(m.source.format).toBe('10x-h5');
    expect(m.rowMeta).toEqual({ names: ['name', 'type'], values: [e.rowDescriptions, e.rowIds.map(() => 'Gene Expression')] });
    expect(cellLocation(m, 1, 2)).toBe(`${F('tenx.h5')} matrix[1, 2]`);
    expectMatrix(await readInput(F('tenx.h5'), '10x-h5'), e);
  });

  test('10x v2 (one group per genome, genes and gene_names) reads the same matrix', async () => {
    expectMatrix(await readInput(F('tenx-v2.h5')), expected(dir, 'tenx'));
  });

  test('auto finds HDF5 by its signature whatever the name; explicit formats', async () => {
    const odd = F('matrix.bin');
    copyFileSync(F('csr.h5ad'), odd);
    expectMatrix(await readInput(odd), expected(dir, 'anndata'));
    expectMatrix(await readInput(F('csr.h5ad'), 'h5ad'), expected(dir, 'anndata'));
    await expectH5Error(readInput(F('csr.h5ad'), '10x-h5'), F('csr.h5ad'), /no 10x "matrix" group/);
    await expectH5Error(readInput(F('tenx.h5'), 'h5ad'), F('tenx.h5'), /has no X matrix/);
  });

  test('anndata compression="lzf" strings: read exactly, or a located error naming the plugin limitation', async () => {
    // h5wasm-plugins 0.2.1's LZF filter cannot decompress chunks without a stored size hint, which
    // h5py omits for strings: the names fail. Should a later plugin fix it, the values must be exact.
    const p = F('lzf-anndata.h5ad');
    const spy = stderrSpy();
    try {
      const m = await readInput(p);
      expectMatrix(m, expected(dir, 'anndata'));
    } catch (err) {
      expect((err as NmfError).code).toBe(3);
      expect((err as NmfError).message).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} dataset (obs|var)/_index: .*LZF plugin of h5wasm cannot decompress LZF-compressed strings.*compression="gzip"`));
      expectOneSentence((err as NmfError).message);
    } finally {
      spy.restore();
    }
    expect(spy.text()).toBe('');
    // h5wasm recovers (a fresh instance) for the next file.
    expectMatrix(await readInput(F('csr.h5ad')), expected(dir, 'anndata'));
  });

  test.each([
    ['neither.h5', '', /neither AnnData \(it has no X\) nor a 10x Genomics matrix \(it has no matrix group\); its top-level entries are "counts", "metadata"; pass an AnnData/],
    ['indptr-decreasing.h5ad', ' dataset X/indptr, element 4', /the offset 7 is smaller than the previous one \(8\), so cell 3 would have a negative number of entries/],
    ['indptr-range.h5ad', ' dataset X/indptr, element 7', /the offset 16 is outside 0\.\.14/],
    ['indices-range.h5ad', ' dataset X/indices, element 4', /the gene index 5 \(in cell 2\) is outside 0\.\.4, and the shape attribute of X \(\[7, 5\]\) says there are 5 genes/],
    ['shape.h5ad', ' dataset var/_index', /lists 5 gene names but the shape attribute of X \(\[7, 6\]\) says there are 6 genes/],
    ['short-indices.h5ad', ' dataset X/indices', /it has 13 entries but X\/data has 14/],
    ['nan.h5ad', ' dataset X/data, element 5', /the value NaN for cell "c3", gene "g2" is not finite/],
    ['inf-dense.h5ad', ' dataset X, row 2, column 1', /the value Infinity for cell "c3", gene "g2" is not finite/],
    ['dup-obs.h5ad', ' dataset obs/_index, element 5', /the cell name "c2" appears twice, at elements 1 and 5; make cell names unique/],
    ['dup-var.h5ad', ' dataset var/_index, element 3', /the gene name "g1" appears twice, at elements 0 and 3; make gene names unique/],
    ['tenx-bigindptr.h5', ' dataset matrix/indptr, element 3', /beyond 2\^53/],
    ['truncated.h5ad', '', /HDF5 library could not open the file \(truncated file: eof = \d+.*\); the file may be truncated or corrupt/],
    ['corrupt-chunk.h5ad', ' dataset X/data', /HDF5 library could not read elements 0\.\.13 \(.*\); the file may be truncated or corrupt/],
  ])('%s: exit 3 naming the file%s', async (name, at, match) => {
    const spy = stderrSpy();
    try {
      await expectH5Error(readInput(F(name)), `${F(name)}${at}`, match);
    } finally {
      spy.restore();
    }
    // libhdf5's HDF5-DIAG stack and wasm abort lines are captured, never printed.
    expect(spy.text()).toBe('');
  });
});
