import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from './helpers.js';

/** A 10x-style folder: 4 features x 3 barcodes, 1-based triplets (feature, barcode, value). */
function mtxDir(entries: string[], count = entries.length): string {
  const dir = join(tempDir('nmfc-mtx-'), 'filtered_feature_bc_matrix');
  mkdirSync(dir);
  writeFileSync(join(dir, 'matrix.mtx'), ['%%MatrixMarket matrix coordinate integer general', `4 3 ${count}`, ...entries].join('\n') + '\n');
  writeFileSync(join(dir, 'features.tsv'), ['G1\tgA\tGene Expression', 'G2\tgB\tGene Expression', 'G3\tgC\tGene Expression', 'G4\tgD\tGene Expression'].join('\n') + '\n');
  writeFileSync(join(dir, 'barcodes.tsv'), 'AAAC-1\nAAAG-1\nAAAT-1\n');
  return dir;
}

describe('preprocess reads a 10x MTX folder', () => {
  it('writes the dense matrix with feature ids and barcodes, hashing all three files', async () => {
    const dir = mtxDir(['1 1 5', '2 2 3', '3 3 7', '4 1 1', '2 3 2']);
    const out = join(dir, '..', 'prep');
    const r = await cli(['preprocess', '--input', dir, '--outdir', out]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'preprocess.json'), 'utf8'));
    expect(m.input.format).toBe('mtx');
    expect(m.shape).toEqual({ features: 4, samples: 3 });
    expect(readFileSync(join(out, 'samples.tsv'), 'utf8')).toBe('id\nAAAC-1\nAAAG-1\nAAAT-1\n');
    // A changed barcode list is a different input: preprocess recomputes instead of skipping.
    writeFileSync(join(dir, 'barcodes.tsv'), 'CCCC-1\nAAAG-1\nAAAT-1\n');
    const again = await cli(['preprocess', '--input', dir, '--outdir', out]);
    expect(again.stderr).not.toMatch(/already complete/);
    expect(JSON.parse(readFileSync(join(out, 'preprocess.json'), 'utf8')).input.sha256).not.toBe(m.input.sha256);
  });

  it('an entry out of range is exit 3 naming the .mtx line, and nothing is written', async () => {
    const dir = mtxDir(['1 1 5', '5 2 3']);
    const out = join(dir, '..', 'prep');
    const r = await cli(['preprocess', '--input', dir, '--outdir', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/matrix\.mtx line 4/);
    expect(existsSync(out)).toBe(false);
  });
});
