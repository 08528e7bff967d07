/**
 * `preprocess-h5ad`: the memory bound of issue 4. A seeded cells x genes CSR .h5ad (scipy.sparse
 * random, ~5% density, counts 1 + Poisson(3), float32) is written by anndata of Debian's
 * /usr/bin/python3 (python3-anndata) into a temp folder, then `nmf-consensus preprocess` reads it
 * (genes x cells, float32) under GNU time. Reported: wall time of the CLI, its peak RSS, and the
 * ratio of that peak to the dense float32 size of the result (acceptance: under 3).
 */
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GNU_TIME, GNU_TIME_MISSING, gnuTimeAvailable, kibToMb, readGnuTimeKib, round, timeIt } from '../measure.js';
import { num } from '../params.js';
import { CLI_BIN } from '../paths.js';
import type { Params, Workload } from '../types.js';

const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import sys, numpy as np, scipy.sparse as sp, pandas as pd, anndata as ad
out, n_cells, n_genes, density, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
rng = np.random.default_rng(seed)
X = sp.random(n_cells, n_genes, density=density, format='csr', dtype=np.float32, random_state=rng,
              data_rvs=lambda k: (rng.poisson(3, k) + 1).astype(np.float32))
a = ad.AnnData(X, obs=pd.DataFrame(index=['cell%d' % i for i in range(n_cells)]), var=pd.DataFrame(index=['gene%d' % j for j in range(n_genes)]))
a.write_h5ad(out)
print(X.nnz)
`;

/** The limit of issue 4's acceptance: peak RSS under this many times the dense float32 result. */
const LIMIT = 3;

export const preprocessH5ad: Workload = {
  name: 'preprocess-h5ad',
  description: `20,000 cells x 2,000 genes CSR .h5ad (~5% density, seeded, written by anndata in a temp dir), \`preprocess\` CLI with default options; wall_s = the CLI process (not writing the file); peak RSS (GNU time) vs the dense float32 size of the result, limit ${LIMIT}x`,
  params: { cells: 20000, genes: 2000, density: 0.05, data_seed: 7 },
  run: async (p: Params) => {
    const cells = num(p, 'cells');
    const genes = num(p, 'genes');
    const tmp = mkdtempSync(join(tmpdir(), 'nmfc-bench-prep-'));
    const keep = process.env['NMF_BENCH_KEEP'] === '1';
    try {
      const input = join(tmp, 'cells.h5ad');
      const made = await execa(PYTHON, ['-c', SCRIPT, input, String(cells), String(genes), String(num(p, 'density')), String(num(p, 'data_seed'))], { reject: false });
      if (made.exitCode !== 0) {
        throw new Error(`preprocess-h5ad: writing the .h5ad with ${PYTHON} (anndata, scipy) failed; install python3-anndata python3-scipy: ${String(made.stderr).split('\n').slice(-3).join(' ')}`);
      }
      const nnz = Number(String(made.stdout).trim());
      const outdir = join(tmp, 'preprocess');
      const cliArgs = [CLI_BIN, 'preprocess', '--input', input, '--outdir', outdir];
      const timed = gnuTimeAvailable();
      const notes: string[] = timed ? [] : [GNU_TIME_MISSING];
      const timeFile = join(tmp, 'time.txt');
      const [file, args] = timed ? [GNU_TIME, ['-f', '%M', '-o', timeFile, process.execPath, ...cliArgs]] : [process.execPath, cliArgs];
      process.stderr.write(`  preprocess-h5ad: node bin/nmf-consensus.js preprocess --input <${cells} x ${genes} .h5ad> --outdir <tmp>\n`);
      const { seconds, value: r } = await timeIt(() => execa(file, args, { reject: false, all: true }));
      writeFileSync(join(tmp, 'cli.log'), String(r.all ?? ''));
      if (r.exitCode !== 0) throw new Error(`preprocess-h5ad: the CLI exited ${r.exitCode ?? r.signal}: ${String(r.all ?? '').split('\n').slice(-5).join('\n')}`);
      const shape = JSON.parse(readFileSync(join(outdir, 'preprocess.json'), 'utf8')).shape as { features: number; samples: number };
      const denseMb = (shape.features * shape.samples * 4) / 2 ** 20;
      const kib = timed ? readGnuTimeKib(timeFile) : null;
      const peak = kib === null ? null : kibToMb(kib);
      const ratio = peak === null ? null : round(peak / denseMb, 2);
      if (ratio !== null && ratio >= LIMIT) notes.push(`peak RSS is ${ratio}x the dense float32 result, above the ${LIMIT}x limit`);
      if (keep) notes.push(`outputs kept in ${tmp}`);
      return {
        wall_s: seconds,
        iterations: null,
        per_iteration_ms: null,
        backend: 'host-js',
        peak_rss_mb: peak,
        rss_source: timed ? 'GNU time %M of the preprocess CLI process' : 'not measured',
        cases: [
          {
            cells,
            genes,
            nnz,
            result: `${shape.features} x ${shape.samples}`,
            dense_f32_mb: round(denseMb, 1),
            peak_rss_mb: peak,
            peak_over_dense_f32: ratio,
            limit: LIMIT,
            within_limit: ratio === null ? null : ratio < LIMIT ? 'yes' : 'no',
          },
        ],
        notes,
      };
    } finally {
      if (!keep) rmSync(tmp, { recursive: true, force: true });
    }
  },
};
