/**
 * `preprocess` options through the CLI (issue 4): defaults keep the input as it is; every option is
 * recorded in preprocess.json (params, steps in the documented order with counts, every dropped
 * row/column with its reason); a rerun is skipped only when every parameter (and the content of
 * --features-file) is unchanged; scanpy-style aliases and YAML keys work; `run` passes the options
 * through; the raw ALL/AML training file (CRLF, negatives) fails without --negatives and reads with
 * --negatives clamp.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, writeTemp } from './helpers.js';
import { ALL_AML_ORIG } from '../paths.js';
import { readNpy } from '../../tasks/lib/io/npy.js';

/** 5 features x 6 samples; g4 is nonzero in one sample only, s5 in one feature only. */
const ROWS = [
  ['g0', 10, 0, 30, 5, 1, 0],
  ['g1', 2, 2, 2, 2, 2, 0],
  ['g2', 0, 40, 1, 0, 9, 0],
  ['g3', 7, 1, 0, 3, 3, 6],
  ['g4', 0, 0, 0, 8, 0, 0],
] as const;
const SAMPLES = ['s0', 's1', 's2', 's3', 's4', 's5'];
const TSV = ['id\t' + SAMPLES.join('\t'), ...ROWS.map((r) => r.join('\t'))].join('\n') + '\n';

const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'preprocess.json'), 'utf8'));

describe('preprocess options', () => {
  it('defaults: every parameter recorded with its default, only negatives and drop-all-zero applied, values unchanged', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'x.tsv', TSV);
    const r = await cli(['preprocess', '--input', input, '--outdir', join(dir, 'p')]);
    expect(r.code, r.stderr).toBe(0);
    const m = manifest(join(dir, 'p'));
    expect(m.params).toEqual({
      negatives: 'error',
      min_features_per_sample: 0,
      min_samples_per_feature: 0,
      normalize: 'none',
      features_file: null,
      top_features: 0,
      top_features_by: 'fano',
      scale_features: false,
      transpose: false,
    });
    expect(m.steps.map((s: { step: string }) => s.step)).toEqual(['negatives', 'drop-all-zero']);
    expect(m.input_shape).toEqual({ features: 5, samples: 6 });
    expect(Array.from(readNpy(join(dir, 'p', 'matrix.npy')).data)).toEqual(ROWS.flatMap((r) => r.slice(1) as number[]));
  });

  it('every step, in order, with counts and every dropped row/column; values as computed by hand', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'x.tsv', TSV);
    const list = writeTemp(dir, 'keep.txt', '# genes to keep\ng0\ng1\ng2\ng3\nNOT_THERE\n');
    const out = join(dir, 'p');
    const r = await cli([
      'preprocess', '--input', input, '--outdir', out,
      '--min-features-per-sample', '2', '--min-samples-per-feature', '2', '--normalize', 'cp10k',
      '--features-file', list, '--top-features', '2', '--top-features-by', 'variance', '--scale-features',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 of the 5 ids in .*keep\.txt match no feature \(e\.g\. 'NOT_THERE'\)/);
    const m = manifest(out);
    expect(m.steps.map((s: { step: string }) => s.step)).toEqual([
      'negatives', 'drop-all-zero', 'filter-samples', 'filter-features', 'normalize', 'features-file', 'top-features', 'scale-features', 'drop-all-zero-final',
    ]);
    // s5 is nonzero only in g3 -> dropped by filter-samples; then g4 is nonzero only in s3 -> dropped by filter-features.
    expect(m.dropped.slice(0, 2)).toEqual([
      { axis: 'column', id: 's5', index: 5, reason: 'min-features-per-sample', value: 1 },
      { axis: 'row', id: 'g4', index: 4, reason: 'min-samples-per-feature', value: 1 },
    ]);
    const fl = m.steps[5].detail;
    expect(fl).toMatchObject({ entries: 5, matched: 4, missing: ['NOT_THERE'], rows_before: 4, rows_after: 4 });
    expect(m.params.features_file.path).toBe(list);
    expect(m.params.features_file.sha256).toMatch(/^[0-9a-f]{64}$/);

    // By hand: samples s0..s4 over g0..g3, each scaled to sum 1e4; keep the 2 rows of highest variance; divide by sd.
    const kept = ROWS.slice(0, 4).map((r) => (r.slice(1, 6) as number[]));
    const sums = [0, 1, 2, 3, 4].map((j) => kept.reduce((s, row) => s + row[j]!, 0));
    const cp = kept.map((row) => row.map((v, j) => (v * 1e4) / sums[j]!));
    const variance = (xs: number[]) => {
      const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
      return xs.reduce((a, b) => a + (b - mu) ** 2, 0) / (xs.length - 1);
    };
    const order = cp.map((row, i) => ({ i, v: variance(row) })).sort((a, b) => b.v - a.v);
    const top = order.slice(0, 2).map((o) => o.i).sort((a, b) => a - b);
    expect(readFileSync(join(out, 'features.tsv'), 'utf8')).toBe(['id\tdescription', ...top.map((i) => `g${i}\t`)].join('\n') + '\n');
    expect(readFileSync(join(out, 'samples.tsv'), 'utf8')).toBe('id\ns0\ns1\ns2\ns3\ns4\n');
    const want = top.flatMap((i) => cp[i]!.map((v) => v / Math.sqrt(variance(cp[i]!))));
    const got = Array.from(readNpy(join(out, 'matrix.npy')).data);
    expect(got.length).toBe(want.length);
    got.forEach((v, k) => expect(v).toBeCloseTo(Math.fround(want[k]!), 4));
    const dropped = m.dropped.map((d: { axis: string; id: string; reason: string }) => `${d.axis}:${d.id}:${d.reason}`);
    for (const i of [0, 1, 2, 3].filter((i) => !top.includes(i))) expect(dropped).toContain(`row:g${i}:not-in-top-features-by-variance`);
    expect(m.shape).toEqual({ features: 2, samples: 5 });
  });

  it('--transpose reads a samples x features file; errors still name the line and column of the file', async () => {
    const dir = tempDir();
    // the same matrix, written the other way round: one line per sample
    const T = ['id\t' + ROWS.map((r) => r[0]).join('\t'), ...SAMPLES.map((s, j) => [s, ...ROWS.map((r) => r[j + 1])].join('\t'))].join('\n') + '\n';
    const input = writeTemp(dir, 'cells.tsv', T);
    const r = await cli(['preprocess', '--input', input, '--outdir', join(dir, 'p'), '--transpose']);
    expect(r.code, r.stderr).toBe(0);
    const m = manifest(join(dir, 'p'));
    expect(m.params.transpose).toBe(true);
    expect(m.steps[0]).toEqual({ step: 'transpose', detail: { rows_before: 6, columns_before: 5, rows_after: 5, columns_after: 6 } });
    expect(m.input_shape).toEqual({ features: 5, samples: 6 });
    // s5 is nonzero in one feature only and g4 in one sample only: nothing all-zero, values as the features x samples file
    expect(Array.from(readNpy(join(dir, 'p', 'matrix.npy')).data)).toEqual(ROWS.flatMap((r) => r.slice(1) as number[]));
    expect(readFileSync(join(dir, 'p', 'features.tsv'), 'utf8')).toContain('g3\t');
    // a bad cell: the file's line 4 (sample s2), column 3 (feature g1)
    const bad = writeTemp(dir, 'bad.tsv', T.replace(/^(s2\t[^\t]*\t)[^\t]*/m, '$1x'));
    const e = await cli(['preprocess', '--input', bad, '--outdir', join(dir, 'q'), '--transpose']);
    expect(e.code).toBe(3);
    expect(e.stderr).toContain(`${bad} line 4, column 3`);
    expect(existsSync(join(dir, 'q'))).toBe(false);
  });

  it('a rerun is skipped only when every parameter and the features file content are unchanged', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'x.tsv', TSV);
    const list = writeTemp(dir, 'keep.txt', 'g0\ng1\ng3\n');
    const out = join(dir, 'p');
    const base = ['preprocess', '--input', input, '--outdir', out, '--features-file', list];
    expect((await cli(base)).code).toBe(0);
    const skipped = async (extra: string[]) => /already complete/.test((await cli([...base, ...extra])).stderr);
    expect(await skipped([])).toBe(true);
    // Each set differs from the one before it in exactly one parameter.
    const sets = [
      ['--negatives', 'clamp'],
      ['--negatives', 'clamp', '--min-samples-per-feature', '1'],
      ['--negatives', 'clamp', '--min-samples-per-feature', '1', '--min-features-per-sample', '1'],
      ['--negatives', 'clamp', '--min-samples-per-feature', '1', '--min-features-per-sample', '1', '--normalize', 'tpm'],
      ['--negatives', 'clamp', '--min-samples-per-feature', '1', '--min-features-per-sample', '1', '--normalize', 'tpm', '--top-features', '2'],
      ['--negatives', 'clamp', '--min-samples-per-feature', '1', '--min-features-per-sample', '1', '--normalize', 'tpm', '--top-features', '2', '--by', 'cv'],
      ['--negatives', 'clamp', '--min-samples-per-feature', '1', '--min-features-per-sample', '1', '--normalize', 'tpm', '--top-features', '2', '--by', 'cv', '--scale-features'],
    ];
    for (const extra of sets) expect(await skipped(extra), extra.join(' ')).toBe(false);
    expect(await skipped(sets.at(-1)!)).toBe(true);
    writeFileSync(list, 'g0\ng1\n'); // same path, new content
    expect(await skipped([])).toBe(false);
    expect(manifest(out).shape.features).toBe(2);
  }, 180_000);

  it('scanpy-style aliases (--min-cells, --min-genes, --by) and YAML keys (min_cells: ...) work', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'x.tsv', TSV);
    const r = await cli(['preprocess', '--input', input, '--outdir', join(dir, 'a'), '--min-cells', '2', '--min-genes', '2', '--top-features', '3', '--by', 'cv']);
    expect(r.code, r.stderr).toBe(0);
    expect(manifest(join(dir, 'a')).params).toMatchObject({ min_samples_per_feature: 2, min_features_per_sample: 2, top_features: 3, top_features_by: 'cv' });
    const cfg = writeTemp(dir, 'p.yaml', 'min_cells: 2\nnormalize: log1p\nscale_features: true\n');
    const y = await cli(['preprocess', '--input', input, '--outdir', join(dir, 'y'), '--config', cfg]);
    expect(y.code, y.stderr).toBe(0);
    expect(manifest(join(dir, 'y')).params).toMatchObject({ min_samples_per_feature: 2, normalize: 'log1p', scale_features: true });
  });

  it.each([
    [['--normalize', 'zscore'], /normalize/],
    [['--top-features', '-1'], /top_features/],
    [['--top-features-by', 'dispersion'], /top_features_by/],
    [['--min-cells', 'many'], /min_samples_per_feature/],
  ])('invalid value %j is a usage error (exit 2) and writes nothing', async (args, re) => {
    const dir = tempDir();
    const input = writeTemp(dir, 'x.tsv', TSV);
    const r = await cli(['preprocess', '--input', input, '--outdir', join(dir, 'p'), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(existsSync(join(dir, 'p'))).toBe(false);
  });

  it('run passes the preprocess options through', async () => {
    const dir = tempDir();
    const input = writeTemp(dir, 'x.tsv', TSV);
    const r = await cli(['run', '--input', input, '--outdir', join(dir, 'o'), '--ks', '2', '--restarts', '2', '--max-iter', '30', '--backend', 'cpu', '--normalize', 'cp10k', '--min-cells', '2']);
    expect(r.code, r.stderr).toBe(0);
    const m = manifest(join(dir, 'o', 'preprocess'));
    expect(m.params).toMatchObject({ normalize: 'cp10k', min_samples_per_feature: 2 });
    expect(m.steps.map((s: { step: string }) => s.step)).toContain('normalize');
  });
});

describe('all_aml_train.orig.gct (raw, CRLF, negatives)', () => {
  const ORIG = ALL_AML_ORIG;

  it('fails without --negatives, naming the row and column of the first negative value; nothing written', async () => {
    const dir = tempDir();
    const out = join(dir, 'p');
    const r = await cli(['preprocess', '--input', ORIG, '--outdir', out]);
    expect(r.code).toBe(3);
    const msg = r.stderr.trim().split('\n').at(-1)!;
    expect(msg).toMatch(/all_aml_train\.orig\.gct line 4, column 3: the value -214 in sample "ALL_19769_B-cell" \(feature "AFFX-BioB-5_at"\) is negative/);
    expect(msg).toMatch(/--negatives clamp/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('reads with --negatives clamp: 7129 x 38, no negative value left, the clamp counted', async () => {
    const dir = tempDir();
    const out = join(dir, 'p');
    const r = await cli(['preprocess', '--input', ORIG, '--outdir', out, '--negatives', 'clamp']);
    expect(r.code, r.stderr).toBe(0);
    const m = manifest(out);
    expect(m.input_shape).toEqual({ features: 7129, samples: 38 });
    expect(m.steps[0].detail.policy).toBe('clamp');
    expect(m.steps[0].detail.clamped).toBeGreaterThan(0);
    const npy = readNpy(join(out, 'matrix.npy'));
    expect(npy.shape).toEqual([m.shape.features, m.shape.samples]);
    expect(Array.from(npy.data).every((v) => v >= 0)).toBe(true);
    expect(m.shape.samples).toBe(38);
  });
});
