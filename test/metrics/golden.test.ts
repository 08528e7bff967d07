/**
 * Exact checks against R NMF 0.25 on esGolub (test/fixtures/golden, see its README): for every golden
 * consensus matrix, our cophenetic correlation, dispersion and consensus silhouette must equal R's row
 * of esGolub_metrics.tsv, and our k-cluster cut must equal R's `cutree` membership up to relabeling.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  adjustedRandIndex,
  averageLinkage,
  consensusSilhouette,
  copheneticCorrelation,
  cutree,
  dispersion,
} from '../../tasks/lib/metrics/index.js';
import { GOLDEN } from '../paths.js';

const RNMF = path.join(GOLDEN, 'esGolub_rnmf');
if (!existsSync(path.join(GOLDEN, 'esGolub_metrics.tsv')) || !existsSync(RNMF)) {
  throw new Error(`golden data not found at ${GOLDEN} (test/fixtures/golden is part of the repository)`);
}

function readTsv(file: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  return { header: lines[0]!.split('\t'), rows: lines.slice(1).map((l) => l.split('\t')) };
}

function readConsensus(file: string): { names: string[]; C: Float64Array; n: number } {
  const { header, rows } = readTsv(file);
  const names = header.slice(1);
  const n = names.length;
  if (rows.length !== n) throw new Error(`${file}: ${rows.length} rows for ${n} columns`);
  const C = new Float64Array(n * n);
  rows.forEach((r, i) => {
    if (r[0] !== names[i]) throw new Error(`${file}: row ${i} is ${r[0]}, column is ${names[i]}`);
    for (let j = 0; j < n; j++) C[i * n + j] = Number(r[j + 1]);
  });
  return { names, C, n };
}

const metrics = readTsv(path.join(GOLDEN, 'esGolub_metrics.tsv'));
const col = (name: string): number => {
  const c = metrics.header.indexOf(name);
  if (c < 0) throw new Error(`esGolub_metrics.tsv: no column ${name}`);
  return c;
};
function goldenRow(method: string, nrun: number, rank: number): Record<string, number> {
  const row = metrics.rows.find(
    (r) => r[col('method')] === method && Number(r[col('nrun')]) === nrun && Number(r[col('rank')]) === rank,
  );
  if (!row) throw new Error(`esGolub_metrics.tsv: no row for ${method} n${nrun} k${rank}`);
  return {
    cophenetic: Number(row[col('cophenetic')]),
    dispersion: Number(row[col('dispersion')]),
    silhouette: Number(row[col('silhouette_consensus')]),
  };
}

const files = readdirSync(RNMF)
  .map((f) => /^consensus_(\w+)_n(\d+)_k(\d+)\.tsv$/.exec(f))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ file: m[0], method: m[1]!, nrun: Number(m[2]), k: Number(m[3]) }));

describe('golden esGolub consensus matrices (R NMF 0.25)', () => {
  it('finds the golden consensus files', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  for (const g of files) {
    describe(`${g.method} nrun=${g.nrun} k=${g.k}`, () => {
      const { names, C, n } = readConsensus(path.join(RNMF, g.file));
      const want = goldenRow(g.method, g.nrun, g.k);
      const tree = averageLinkage(Float64Array.from(C, (v) => 1 - v), n);
      const ours = cutree(tree, g.k);

      it('cophenetic correlation equals R', () => {
        expect(Math.abs(copheneticCorrelation(C, n) - want.cophenetic)).toBeLessThan(1e-9);
      });

      it('dispersion equals R', () => {
        expect(Math.abs(dispersion(C, n) - want.dispersion)).toBeLessThan(1e-9);
      });

      it('consensus silhouette of our cut equals R', () => {
        expect(Math.abs(consensusSilhouette(C, n, ours) - want.silhouette)).toBeLessThan(1e-9);
      });

      it("k-cluster cut equals R's cutree up to relabeling", () => {
        const members = readTsv(path.join(RNMF, `members_${g.method}_n${g.nrun}.tsv`));
        const ci = members.header.indexOf(`k${g.k}_consensus`);
        expect(ci).toBeGreaterThan(0);
        const bySample = new Map(members.rows.map((r) => [r[0]!, r[ci]!]));
        const theirs = names.map((s) => {
          const v = bySample.get(s);
          if (v === undefined) throw new Error(`members file lacks sample ${s}`);
          return v;
        });
        // A bijection between our clusters and R's.
        const fwd = new Map<number, string>();
        const back = new Map<string, number>();
        for (let i = 0; i < n; i++) {
          const a = ours[i]!;
          const b = theirs[i]!;
          expect(fwd.get(a) ?? b).toBe(b);
          expect(back.get(b) ?? a).toBe(a);
          fwd.set(a, b);
          back.set(b, a);
        }
        expect(fwd.size).toBe(g.k);
        expect(adjustedRandIndex(Array.from(ours), theirs)).toBe(1);
        // Leaf-order numbering: clusters appear as 1, 2, ..., k walking the order.
        let seen = 0;
        for (const i of tree.order) {
          if (ours[i]! > seen) {
            expect(ours[i]).toBe(seen + 1);
            seen++;
          }
        }
        expect(seen).toBe(g.k);
      });
    });
  }
});
