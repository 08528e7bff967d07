/**
 * --feature-names: an .h5ad var column (string or categorical) gives the names shown beside the
 * feature ids (features.tsv, metagenes.k<k>.tsv, the report); a missing column or a format without
 * var columns is refused. The .h5ad files are written here with h5wasm (the library the reader
 * uses), laid out as anndata writes them: X cells x genes, obs/var groups with an _index attribute.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { cli, tempDir } from './helpers.js';
import { mulberry32 } from '../metrics/random.js';
import { ALL_AML } from '../paths.js';

const CELLS = 30;
const GENES = 12;
const SYMBOLS = Array.from({ length: GENES }, (_, g) => `SYM${g}`);

async function writeH5ad(path: string): Promise<void> {
  await h5wasm.ready;
  const rnd = mulberry32(4);
  const f = new h5wasm.File(path, 'w');
  // two groups of cells, each high in half of the genes
  const X = Float32Array.from({ length: CELLS * GENES }, (_, t) => {
    const cell = Math.floor(t / GENES);
    const gene = t % GENES;
    return Math.round(1 + 3 * rnd() + ((cell % 2) === (gene % 2) ? 20 : 0));
  });
  f.create_dataset({ name: 'X', data: X, shape: [CELLS, GENES], dtype: '<f4' });
  for (const [axis, names] of [['obs', Array.from({ length: CELLS }, (_, c) => `cell${c}`)], ['var', Array.from({ length: GENES }, (_, g) => `ENSG${g}`)]] as const) {
    const g = f.create_group(axis);
    g.create_attribute('_index', '_index');
    f.create_dataset({ name: `${axis}/_index`, data: [...names] });
  }
  f.create_dataset({ name: 'var/gene_symbols', data: SYMBOLS });
  // a categorical column: codes into categories, -1 = missing
  f.create_group('var/biotype');
  f.create_dataset({ name: 'var/biotype/categories', data: ['lncRNA', 'protein_coding'] });
  f.create_dataset({ name: 'var/biotype/codes', data: Int8Array.from({ length: GENES }, (_, g) => (g === 0 ? -1 : g % 2)), dtype: '<b' });
  f.close();
}

const descriptions = (prep: string) => readFileSync(join(prep, 'features.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[1]);

describe('--feature-names (.h5ad var column)', () => {
  let dir: string;
  let input: string;
  beforeAll(async () => {
    dir = tempDir('nmfc-fnames-');
    input = join(dir, 'cells.h5ad');
    await writeH5ad(input);
  });

  it('a string column becomes the feature descriptions, shown as symbols in metagenes.k<k>.tsv', async () => {
    const r = await cli(['run', '--input', input, '--outdir', join(dir, 'run'), '--feature-names', 'gene_symbols', '--ks', '2', '--restarts', '2', '--max-iter', '60', '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    expect(descriptions(join(dir, 'run', 'preprocess'))).toEqual(SYMBOLS);
    expect(JSON.parse(readFileSync(join(dir, 'run', 'preprocess', 'preprocess.json'), 'utf8')).params.feature_names).toBe('gene_symbols');
    const [head, ...rows] = readFileSync(join(dir, 'run', 'consensus', 'metagenes.k2.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(head!.slice(0, 2)).toEqual(['id', 'symbol']);
    expect(rows.map((x) => `${x[0]} ${x[1]}`)).toEqual(SYMBOLS.map((s, g) => `ENSG${g} ${s}`));
    expect(readFileSync(join(dir, 'run', 'report', 'report.html'), 'utf8')).toMatch(/<b>SYM\d+<\/b> <span class="id">ENSG\d+<\/span>/);
  }, 300_000);

  it('a categorical column is decoded (code -1: empty); without the flag the descriptions are empty', async () => {
    expect((await cli(['preprocess', '--input', input, '--outdir', join(dir, 'cat'), '--feature-names', 'biotype'])).code).toBe(0);
    expect(descriptions(join(dir, 'cat'))).toEqual(Array.from({ length: GENES }, (_, g) => (g === 0 ? '' : g % 2 ? 'protein_coding' : 'lncRNA')));
    expect((await cli(['preprocess', '--input', input, '--outdir', join(dir, 'none')])).code).toBe(0);
    expect(descriptions(join(dir, 'none')).every((d) => d === '' || d === undefined)).toBe(true);
  });

  it('a missing column is exit 3 naming the columns there are; a GCT input is exit 2', async () => {
    const r = await cli(['preprocess', '--input', input, '--outdir', join(dir, 'bad'), '--feature-names', 'symbol']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^error: \S*cells\.h5ad group var: there is no column "symbol" \(--feature-names\); its columns are "biotype", "gene_symbols"; pass one of them to --feature-names, or leave the flag out\.$/);
    const g = await cli(['preprocess', '--input', ALL_AML, '--outdir', join(dir, 'gct'), '--feature-names', 'x']);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/--feature-names x: only \.h5ad inputs have var columns/);
  });
});
