/**
 * A seeded synthetic expression matrix A = W H + noise (m x n, non-negative, planted rank k), written
 * as GCT 1.2 so the bench needs nothing outside the repository. Sample j belongs to cluster j mod k
 * (its column of H is large in that row); each gene has a raised loading in one cluster, so the
 * planted structure is recoverable, as in the usual NMF simulation studies.
 */
import { createWriteStream } from 'node:fs';
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

export async function writeSyntheticGct(path: string, s: SyntheticSpec): Promise<void> {
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
  const out = createWriteStream(path);
  const header = ['Name', 'Description'];
  for (let j = 0; j < s.n; j++) header.push(`S${j + 1}_c${(j % s.k) + 1}`);
  out.write(`#1.2\n${s.m}\t${s.n}\n${header.join('\t')}\n`);
  const cells = new Array<string>(s.n + 2);
  for (let i = 0; i < s.m; i++) {
    cells[0] = `G${i + 1}`;
    cells[1] = '';
    for (let j = 0; j < s.n; j++) {
      let v = s.noise * rand();
      for (let c = 0; c < s.k; c++) v += W[i * s.k + c]! * H[c * s.n + j]!;
      cells[j + 2] = v.toFixed(4);
    }
    // Respect back-pressure so a large matrix is not buffered whole in memory.
    if (!out.write(cells.join('\t') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
