import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cli, tempDir, writeTemp } from './helpers.js';
import { RUN_H5, SKIP_NOTE, makeH5Fixtures } from '../io/h5-fixtures.js';

const header = (n: number) => ['Name', 'Description', ...Array.from({ length: n }, (_, j) => `s${j + 1}`)].join('\t');
const gct = (rows: string[], n = 4, dims = `${rows.length}\t${n}`, head = header(n)) => ['#1.2', dims, head, ...rows].join('\n') + '\n';
const good = ['g1\tna\t1\t2\t3\t4', 'g2\tna\t5\t6\t7\t8', 'g3\tna\t2\t2\t9\t1', 'g4\tna\t3\t1\t1\t5', 'g5\tna\t1\t7\t2\t2'];

interface Case {
  name: string;
  file: string;
  /** Text the one-line message must contain (file name, line, column, fix). */
  expect: RegExp[];
  args?: string[];
}

const cases: Case[] = [
  { name: 'ragged GCT row', file: gct([good[0]!, 'g2\tna\t5\t6\t7', ...good.slice(2)]), expect: [/line 5/, /4 values|expected|found/i] },
  { name: 'header dimension mismatch', file: gct(good, 4, `5\t6`), expect: [/line 2|line 3/, /6/] },
  { name: 'non-numeric cell', file: gct([good[0]!, 'g2\tna\t5\tabc\t7\t8', ...good.slice(2)]), expect: [/line 5, column 4/, /abc/] },
  { name: 'NaN cell', file: gct([good[0]!, 'g2\tna\t5\tNaN\t7\t8', ...good.slice(2)]), expect: [/line 5, column 4/] },
  { name: 'Inf cell', file: gct([good[0]!, 'g2\tna\t5\t6\tInf\t8', ...good.slice(2)]), expect: [/line 5, column 5/] },
  { name: 'negative value without --negatives', file: gct([good[0]!, 'g2\tna\t5\t6\t-7\t8', ...good.slice(2)]), expect: [/line 5, column 5/, /--negatives clamp/] },
  { name: 'duplicate sample ids', file: gct(good, 4, undefined, ['Name', 'Description', 's1', 's2', 's1', 's4'].join('\t')), expect: [/line 3/, /s1/, /column 3.*column 5|columns? 3 and 5/] },
  { name: 'empty matrix', file: '#1.2\n0\t4\n' + header(4) + '\n', expect: [/empty|no (data|rows)/i] },
  { name: 'k >= min(rows, columns)', file: gct(good), args: ['--ks', '4'], expect: [/k = 4/, /min\(5, 4\)/] },
];

describe('bad input: one sentence naming file and place, exit 3, nothing half-written', () => {
  it.each(cases)('$name', async (c) => {
    const dir = tempDir();
    const input = writeTemp(dir, 'bad.gct', c.file);
    const out = join(dir, 'out');
    const r = await cli(['run', '--input', input, '--outdir', out, '--restarts', '2', ...(c.args ?? ['--ks', '2'])]);
    expect(r.code).toBe(3);
    const lines = r.stderr.trim().split('\n');
    const msg = lines[lines.length - 1]!;
    expect(msg).toContain('bad.gct');
    for (const re of c.expect) expect(msg).toMatch(re);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Nothing a later stage could take for a result, and no temp folders left behind.
    if (existsSync(out)) {
      expect(existsSync(join(out, 'consensus'))).toBe(false);
      expect(existsSync(join(out, 'shards'))).toBe(false);
      expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
    }
  });

  it('factorize alone refuses k >= min(rows, columns) with exit 3', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'ok.gct', gct(good));
    expect((await cli(['preprocess', '--input', input, '--outdir', join(dir, 'prep')])).code).toBe(0);
    const r = await cli(['factorize', '--prep', join(dir, 'prep'), '--k', '4', '--restarts', '0-1', '--outdir', join(dir, 'shards')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/preprocess\.json: k = 4 is not below min\(features, samples\) = min\(5, 4\)/);
  });

  it('--negatives clamp and shift accept negative values and record the step', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'neg.gct', gct([good[0]!, 'g2\tna\t5\t6\t-7\t8', ...good.slice(2)]));
    for (const policy of ['clamp', 'shift']) {
      const r = await cli(['preprocess', '--input', input, '--outdir', join(dir, policy), '--negatives', policy]);
      expect(r.code).toBe(0);
      const manifest = JSON.parse((await import('node:fs')).readFileSync(join(dir, policy, 'preprocess.json'), 'utf8'));
      expect(JSON.stringify(manifest.steps)).toContain(policy);
    }
  });

  it('drops and lists all-zero rows and columns', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'z.gct', gct([...good, 'g6\tna\t0\t0\t0\t0'].map((r) => `${r}\t0`), 5));
    const r = await cli(['preprocess', '--input', input, '--outdir', join(dir, 'prep')]);
    expect(r.code).toBe(0);
    const manifest = JSON.parse((await import('node:fs')).readFileSync(join(dir, 'prep', 'preprocess.json'), 'utf8'));
    expect(manifest.shape).toEqual({ features: 5, samples: 4 });
    expect(manifest.dropped.map((d: { axis: string; id: string }) => `${d.axis}:${d.id}`).sort()).toEqual(['column:s5', 'row:g6']);
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['run', '--input', 'x.gct', '--outdir', 'o', '--algorithm', 'als'], /algorithm/],
    [['run', '--input', 'x.gct', '--outdir', 'o', '--ks', '1-3'], /at least 2/],
    [['run', '--input', 'x.gct', '--outdir', 'o', '--seed', 'abc'], /seed/],
    [['factorize', '--prep', 'p', '--k', '3', '--restarts', '9-2', '--outdir', 'o'], /backwards/],
    [['frobnicate'], /Unknown|command/i],
  ])('%j', async (args, re) => {
    const r = await cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unavailable explicit backend exits 5', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'ok.gct', gct(good));
    const r = await cli(['run', '--input', input, '--outdir', join(dir, 'o'), '--ks', '2', '--restarts', '2', '--backend', 'tensorflow']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/backend 'tensorflow' is unavailable/);
  });
});

/**
 * The bad input table of issue 4 (docs/design.md section 7), through `preprocess`: exit 3, the last stderr
 * line is one sentence naming the file and the row/column (or line, dataset element), no stack trace,
 * and the output folder is not created (nor any temporary sibling of it).
 */
interface TableCase {
  name: string;
  /** Write the input into `dir`; return the --input path and the path the message must name. */
  make: (dir: string) => { input: string; names?: string };
  where: RegExp;
  args?: string[];
}

const goodGct = gct(good);
const mtxFolder = (dir: string, opts: { entries?: string[]; size?: string; features?: string[]; barcodes?: string[]; gzip?: 'truncated' } = {}): string => {
  const d = join(dir, 'filtered_feature_bc_matrix');
  mkdirSync(d);
  const entries = opts.entries ?? ['1 1 5', '2 2 3', '3 3 7', '4 1 1'];
  const mtx = ['%%MatrixMarket matrix coordinate integer general', opts.size ?? `4 3 ${entries.length}`, ...entries].join('\n') + '\n';
  if (opts.gzip) {
    const z = gzipSync(Buffer.from(mtx));
    writeFileSync(join(d, 'matrix.mtx.gz'), z.subarray(0, Math.floor(z.length / 2)));
  } else writeFileSync(join(d, 'matrix.mtx'), mtx);
  writeFileSync(join(d, 'features.tsv'), (opts.features ?? ['G1', 'G2', 'G3', 'G4']).map((f) => `${f}\t${f.toLowerCase()}\tGene Expression`).join('\n') + '\n');
  writeFileSync(join(d, 'barcodes.tsv'), (opts.barcodes ?? ['AAAC-1', 'AAAG-1', 'AAAT-1']).join('\n') + '\n');
  return d;
};
const row2 = (cells: string) => gct([good[0]!, `g2\tna\t${cells}`, ...good.slice(2)]);

const table: TableCase[] = [
  {
    name: 'truncated gzip (GCT)',
    make: (d) => ({ input: writeTempBytes(d, 'data.gct.gz', gzipSync(Buffer.from(goodGct)).subarray(0, 40)) }),
    where: /: the file starts like gzip but cannot be decompressed \(unexpected end of file\); recompress it/,
  },
  {
    name: 'truncated gzip (MTX)',
    make: (d) => {
      const f = mtxFolder(d, { gzip: 'truncated' });
      return { input: f, names: join(f, 'matrix.mtx.gz') };
    },
    where: /matrix\.mtx\.gz: the file is truncated or not valid gzip/,
  },
  { name: 'MTX entry out of range', make: (d) => { const f = mtxFolder(d, { entries: ['1 1 5', '5 2 3'] }); return { input: f, names: join(f, 'matrix.mtx') }; }, where: /matrix\.mtx line 4: the row index "5" is outside 1\.\.4/ },
  { name: 'MTX header count above the body', make: (d) => { const f = mtxFolder(d, { size: '4 3 6' }); return { input: f, names: join(f, 'matrix.mtx') }; }, where: /matrix\.mtx line 2: the size line says 6 entries but the file has 4, so it may be truncated/ },
  { name: 'MTX header count below the body', make: (d) => { const f = mtxFolder(d, { size: '4 3 3' }); return { input: f, names: join(f, 'matrix.mtx') }; }, where: /matrix\.mtx line 2: the size line says 3 entries but the file has 4 \(the first extra one is on line 6\)/ },
  { name: 'NaN cell', make: (d) => ({ input: writeTemp(d, 'bad.gct', row2('5\tNaN\t7\t8')) }), where: /line 5, column 4: the missing or non-finite value "NaN"/ },
  { name: 'Inf cell', make: (d) => ({ input: writeTemp(d, 'bad.gct', row2('5\t6\tInf\t8')) }), where: /line 5, column 5: the missing or non-finite value "Inf"/ },
  { name: 'non-numeric cell', make: (d) => ({ input: writeTemp(d, 'bad.gct', row2('5\tabc\t7\t8')) }), where: /line 5, column 4: the cell "abc" in sample "s2" \(feature "g2"\) is not a number/ },
  { name: 'duplicate feature ids (GCT)', make: (d) => ({ input: writeTemp(d, 'bad.gct', gct([good[0]!, good[1]!, good[2]!.replace('g3', 'g1'), ...good.slice(3)])) }), where: /line 6, column 1: the feature id "g1" appears twice, on line 4 and line 6/ },
  { name: 'duplicate sample ids (TSV)', make: (d) => ({ input: writeTemp(d, 'bad.tsv', 'id\ta\tb\ta\ng1\t1\t2\t3\ng2\t4\t5\t6\n') }), where: /bad\.tsv line 1, column 4: the sample id "a" appears twice in the header, in column 2 and column 4/ },
  { name: 'duplicate feature ids (MTX features.tsv)', make: (d) => { const f = mtxFolder(d, { features: ['G1', 'G2', 'G1', 'G4'] }); return { input: f, names: join(f, 'features.tsv') }; }, where: /features\.tsv line 3: the feature id "G1" appears twice, on line 1 and line 3/ },
  { name: 'duplicate barcodes (MTX barcodes.tsv)', make: (d) => { const f = mtxFolder(d, { barcodes: ['AAAC-1', 'AAAC-1', 'AAAT-1'] }); return { input: f, names: join(f, 'barcodes.tsv') }; }, where: /barcodes\.tsv line 2: the barcode "AAAC-1" appears twice/ },
  { name: 'negative value', make: (d) => ({ input: writeTemp(d, 'bad.gct', row2('5\t6\t-7\t8')) }), where: /line 5, column 5: the value -7 in sample "s3" \(feature "g2"\) is negative.*--negatives clamp/ },
  {
    name: 'matrix left empty after filtering (--min-samples-per-feature)',
    make: (d) => ({ input: writeTemp(d, 'ok.gct', goodGct) }),
    args: ['--min-samples-per-feature', '99'],
    where: /ok\.gct: every one of the 5 features is nonzero in fewer than 99 samples \(the most is 4\), so --min-samples-per-feature 99 leaves no features; lower/,
  },
  {
    name: 'matrix left empty after filtering (--features-file matches nothing)',
    make: (d) => {
      writeTemp(d, 'keep.txt', 'TP53\nMYC\n');
      return { input: writeTemp(d, 'ok.gct', goodGct), names: join(d, 'keep.txt') };
    },
    args: ['--features-file', 'KEEP'],
    where: /keep\.txt: none of its 2 feature ids \("TP53", "MYC"\)|keep\.txt: none of its 2 feature ids \(e\.g\. "TP53", "MYC"\)/,
  },
  { name: 'all-zero matrix', make: (d) => ({ input: writeTemp(d, 'zero.gct', gct(good.map((r) => r.replace(/\t[\d.]+/g, '\t0')))) }), where: /zero\.gct: every row \(feature\) of the 5 x 4 matrix is all zero/ },
  { name: 'empty file', make: (d) => ({ input: writeTemp(d, 'empty.tsv', '') }), where: /empty\.tsv line 1: the file is empty/ },
  { name: 'file does not exist', make: (d) => ({ input: join(d, 'missing.gct') }), where: /missing\.gct: the file does not exist; check the path given to --input/ },
  {
    name: 'directory without MTX files',
    make: (d) => {
      const f = join(d, 'not-a-10x-folder');
      mkdirSync(f);
      writeTemp(f, 'README.txt', 'hello\n');
      return { input: f };
    },
    where: /not-a-10x-folder: this directory has no matrix\.mtx\.gz or matrix\.mtx file/,
  },
  {
    // Tests run as root, so mode 000 would still read; a symbolic link that points at itself cannot be opened by anyone.
    name: 'file that cannot be read (a symbolic link loop)',
    make: (d) => {
      const p = join(d, 'loop.gct');
      symlinkSync(p, p);
      return { input: p };
    },
    where: /loop\.gct: the file cannot be read \(a loop of symbolic links\)/,
  },
  {
    name: '--features-file that does not exist',
    make: (d) => ({ input: writeTemp(d, 'ok.gct', goodGct), names: join(d, 'nolist.txt') }),
    args: ['--features-file', 'NOLIST'],
    where: /nolist\.txt: the features file does not exist; check the path given to --features-file/,
  },
];

function writeTempBytes(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** Run preprocess into DIR/prep and check the failure contract. */
async function expectBadInput(dir: string, input: string, names: string, where: RegExp, args: string[] = []): Promise<void> {
  const out = join(dir, 'prep');
  const r = await cli(['preprocess', '--input', input, '--outdir', out, ...args]);
  expect(r.code, r.stderr).toBe(3);
  const lines = r.stderr.trim().split('\n');
  const msg = lines[lines.length - 1]!;
  expect(msg.startsWith(`error: ${names}`), msg).toBe(true);
  expect(msg).toMatch(where);
  expect(msg.endsWith('.')).toBe(true);
  expect(r.stderr).not.toMatch(/\n\s+at |HDF5-DIAG|Aborted\(/);
  expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  expect(readdirSync(dir).filter((n) => n.startsWith('.prep'))).toEqual([]);
}

describe('preprocess: the bad input table (exit 3, file and place named, nothing written)', () => {
  it.each(table)('$name', async (c) => {
    const dir = tempDir('nmfc-badtable-');
    const { input, names } = c.make(dir);
    const args = (c.args ?? []).map((a) => (a === 'KEEP' ? join(dir, 'keep.txt') : a === 'NOLIST' ? join(dir, 'nolist.txt') : a));
    await expectBadInput(dir, input, names ?? input, c.where, args);
  });

  describe.skipIf(!RUN_H5)(`HDF5 cases (fixtures written by anndata/h5py)${SKIP_NOTE}`, () => {
    const h5dir = tempDir('nmfc-badtable-h5-');
    beforeAll(async () => {
      await makeH5Fixtures(h5dir);
    });
    it.each([
      ['HDF5 file that is not AnnData', 'neither.h5', /: this HDF5 file is neither AnnData \(it has no X\) nor a 10x Genomics matrix/],
      ['CSR indptr out of range', 'indptr-range.h5ad', / dataset X\/indptr, element 7: the offset 16 is outside 0\.\.14/],
      ['CSR indptr decreasing', 'indptr-decreasing.h5ad', / dataset X\/indptr, element 4: /],
      ['CSR indices out of range', 'indices-range.h5ad', / dataset X\/indices, element 4: the gene index 5 \(in cell 2\) is outside 0\.\.4/],
      ['NaN in X/data', 'nan.h5ad', / dataset X\/data, element 5: the value NaN for cell "c3", gene "g2" is not finite/],
      ['duplicate gene names', 'dup-var.h5ad', / dataset var\/_index, element 3: the gene name "g1" appears twice/],
      ['duplicate cell names', 'dup-obs.h5ad', / dataset obs\/_index, element 5: the cell name "c2" appears twice/],
      ['truncated .h5ad', 'truncated.h5ad', /: the HDF5 library could not open the file \(truncated file/],
    ])('%s (%s)', async (_name, file, where) => {
      const dir = tempDir('nmfc-badtable-');
      const input = join(dir, file);
      copyFileSync(join(h5dir, file), input);
      await expectBadInput(dir, input, input, where);
    });
  });
});
