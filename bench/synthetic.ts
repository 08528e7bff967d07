/**
 * A seeded synthetic expression matrix A = W H + noise (m x n, non-negative, planted rank k), written
 * as GCT 1.2 so the bench needs nothing outside the repository. Sample j belongs to cluster j mod k
 * (its column of H is large in that row); each gene has a raised loading in one cluster, so the
 * planted structure is recoverable, as in the usual NMF simulation studies.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { encodeNpy } from '../tasks/lib/io/npy.js';
import { once } from 'node:events';
import { mulberry32, randInt } from './prng.js';

export interface SyntheticSpec {
  m: number;
  n: number;
  k: number;
  seed: number;
  /** Noise amplitude relative to the signal scale (uniform in [0, noise)). */
  noise: number;
}

/** The planted factors and the noise stream; `row(i)` gives row i's values as written (4 decimals). */
function generator(s: SyntheticSpec): { row: (i: number, out: string[]) => void } {
  const rand = mulberry32(s.seed);
  const W = new Float64Array(s.m * s.k);
  for (let i = 0; i < s.m; i++) {
    const home = randInt(rand, s.k);
    for (let c = 0; c < s.k; c++) W[i * s.k + c] = rand() * (c === home ? 3 : 0.3);
  }
  const H = new Float64Array(s.k * s.n);
  for (let j = 0; j < s.n; j++) {
    for (let c = 0; c < s.k; c++) H[c * s.n + j] = c === j % s.k ? 1 + rand() : 0.1 * rand();
  }
  return {
    // Rows must be asked for in order 0..m-1: the noise comes from one sequential stream.
    row(i: number, out: string[]): void {
      for (let j = 0; j < s.n; j++) {
        let v = s.noise * rand();
        for (let c = 0; c < s.k; c++) v += W[i * s.k + c]! * H[c * s.n + j]!;
        out[j] = v.toFixed(4);
      }
    },
  };
}

/**
 * Write the matrix as GCT 1.2 and, when `npyPath` is given, the same values as a float32 .npy
 * (features x samples, C order): each value is the GCT text parsed and rounded to float32, exactly as
 * preprocess reads it, so peers that load the .npy factorize the same numbers as we do.
 */
export async function writeSyntheticGct(path: string, s: SyntheticSpec, npyPath?: string): Promise<void> {
  const gen = generator(s);
  const npy = npyPath ? new Float32Array(s.m * s.n) : null;
  const out = createWriteStream(path);
  const header = ['Name', 'Description'];
  for (let j = 0; j < s.n; j++) header.push(`S${j + 1}_c${(j % s.k) + 1}`);
  out.write(`#1.2\n${s.m}\t${s.n}\n${header.join('\t')}\n`);
  const values = new Array<string>(s.n);
  for (let i = 0; i < s.m; i++) {
    gen.row(i, values);
    if (npy) for (let j = 0; j < s.n; j++) npy[i * s.n + j] = Number(values[j]);
    const cells = [`G${i + 1}`, '', ...values];
    // Respect back-pressure so a large matrix is not buffered whole in memory.
    if (!out.write(cells.join('\t') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  if (npy && npyPath) writeFileSync(npyPath, encodeNpy(npy, [s.m, s.n]));
}
