/**
 * Consensus metrics from labels alone (n above --max-consensus-n): the sampling helpers against brute
 * force, the sampled per-k result against the dense one, and a 50,000-sample consensus.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.js';
import { adjustedRandIndex, consensusFromLabels, dispersion, pac } from '../../tasks/lib/metrics/index.js';
import { extendMembership, orderByCluster, pacFromLabels, samplingStream, stratifiedSample } from '../../tasks/lib/metrics/sampled.js';
import { consensusForK, type RunStats } from '../../tasks/consensus/metrics.js';

/** R restarts of n samples: planted truth (k groups), each label kept with probability `keep`. */
function planted(R: number, n: number, k: number, keep: number, seed: number) {
  const rand = mulberry32(seed);
  const truth = Int32Array.from({ length: n }, () => Math.floor(rand() * k));
  const labels = new Uint16Array(R * n);
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < n; i++) labels[r * n + i] = rand() < keep ? (truth[i]! + r) % k : Math.floor(rand() * k);
  }
  return { truth, labels };
}

function fakeRuns(R: number): RunStats[] {
  return Array.from({ length: R }, (_, r) => ({ objective: 100 + ((r * 7) % 11), rel_error: 0.5, iterations: 500, converged: true }));
}

function fakeWs(R: number, m: number, k: number, seed: number): Float32Array[] {
  const rand = mulberry32(seed);
  return Array.from({ length: R }, () => Float32Array.from({ length: m * k }, () => rand()));
}

describe('stratifiedSample', () => {
  it('draws the asked size, ascending and distinct, in proportion to each stratum (at least one each)', () => {
    const strata = Int32Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0 : i < 990 ? 1 : 2));
    const idx = stratifiedSample(strata, 100, samplingStream(1, 3, 'subsample'));
    expect(idx.length).toBe(100);
    for (let t = 1; t < idx.length; t++) expect(idx[t]!).toBeGreaterThan(idx[t - 1]!);
    const per = [0, 0, 0];
    for (const i of idx) per[strata[i]!]!++;
    expect(per).toEqual([70, 29, 1]);
  });

  it('depends only on the seed', () => {
    const strata = Int32Array.from({ length: 500 }, (_, i) => i % 4);
    const a = stratifiedSample(strata, 50, samplingStream(9, 4, 'subsample'));
    expect(stratifiedSample(strata, 50, samplingStream(9, 4, 'subsample'))).toEqual(a);
    expect(stratifiedSample(strata, 50, samplingStream(10, 4, 'subsample'))).not.toEqual(a);
  });

  it('keeps every index when the size is not smaller than n', () => {
    expect(Array.from(stratifiedSample([3, 1, 2], 5, samplingStream(1, 2, 'subsample')))).toEqual([0, 1, 2]);
  });
});

describe('pacFromLabels', () => {
  it('equals the dense PAC exactly when all pairs fit the budget', () => {
    const R = 10;
    const n = 120;
    const { labels } = planted(R, n, 3, 0.6, 2);
    const C = consensusFromLabels(labels, R, n);
    const res = pacFromLabels(labels, R, n, 1e9, samplingStream(1, 3, 'pairs'));
    expect(res.pairs).toBe((n * (n - 1)) / 2);
    expect(res.pac).toBe(pac(C, n));
  });

  it('estimates the dense PAC from random pairs within 5 standard errors', () => {
    const R = 20;
    const n = 1500;
    const { labels } = planted(R, n, 4, 0.75, 3);
    const exact = pac(consensusFromLabels(labels, R, n), n);
    const pairs = 100_000;
    const est = pacFromLabels(labels, R, n, pairs, samplingStream(5, 4, 'pairs'));
    expect(est.pairs).toBe(pairs);
    expect(Math.abs(est.pac - exact)).toBeLessThan(5 * Math.sqrt((exact * (1 - exact)) / pairs));
  });
});

describe('extendMembership', () => {
  it('scores each sample by its mean consensus to each subsample cluster (brute force) and keeps subsample members', () => {
    const R = 8;
    const n = 60;
    const k = 3;
    const { labels } = planted(R, n, k, 0.7, 4);
    const C = consensusFromLabels(labels, R, n);
    const idx = Int32Array.from([1, 5, 8, 13, 21, 34, 40, 55]);
    const sub = [1, 2, 3, 1, 2, 3, 1, 2];
    const { membership, score } = extendMembership(labels, R, n, idx, sub, k);
    idx.forEach((i, t) => expect(membership[i]).toBe(sub[t]));
    for (let i = 0; i < n; i++) {
      const mean = [0, 0, 0];
      const size = [0, 0, 0];
      idx.forEach((j, t) => {
        mean[sub[t]! - 1] += C[i * n + j]!;
        size[sub[t]! - 1]++;
      });
      for (let c = 0; c < k; c++) mean[c]! /= size[c]!;
      const own = membership[i]! - 1;
      expect(score[i]).toBeCloseTo(mean[own]!, 12);
      if (!idx.includes(i)) expect(mean[own]).toBe(Math.max(...mean));
    }
    const order = orderByCluster(membership, score);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    for (let t = 1; t < n; t++) expect(membership[order[t]!]!).toBeGreaterThanOrEqual(membership[order[t - 1]!]!);
  });
});

describe('consensusForK above --max-consensus-n', () => {
  it('agrees with the dense path: dispersion exactly, clusters and cophenetic closely', () => {
    const R = 30;
    const n = 800;
    const k = 4;
    const m = 6;
    const { labels } = planted(R, n, k, 0.85, 6);
    const runs = fakeRuns(R);
    const Ws = fakeWs(R, m, k, 1);
    const dense = consensusForK(k, labels, n, runs, Ws, m, { maxConsensusN: n, sampleN: n, pacPairs: 1e6, seed: 1 });
    const sampled = consensusForK(k, labels, n, runs, Ws, m, { maxConsensusN: 500, sampleN: 300, pacPairs: 200_000, seed: 1 });
    expect(dense.C).not.toBeNull();
    expect(sampled.C).toBeNull();
    expect(sampled.sampled).toMatchObject({ subsample_n: 300, pac_pairs: 200_000, seed: 1 });
    expect(Math.abs(sampled.metrics.dispersion - dispersion(dense.C!, n))).toBeLessThan(1e-12);
    expect(adjustedRandIndex(sampled.membership, dense.membership)).toBeGreaterThan(0.99);
    expect(Math.abs(sampled.metrics.cophenetic - dense.metrics.cophenetic)).toBeLessThan(0.02);
    expect(Math.abs(sampled.metrics.silhouette - dense.metrics.silhouette)).toBeLessThan(0.02);
    expect(Math.abs(sampled.metrics.pac - dense.metrics.pac)).toBeLessThan(0.01);
    expect(sampled.metrics.stability_mean).toBe(dense.metrics.stability_mean);
    // the same inputs and seed give the same result
    expect(consensusForK(k, labels, n, runs, Ws, m, { maxConsensusN: 500, sampleN: 300, pacPairs: 200_000, seed: 1 })).toEqual(sampled);
  });

  it('handles 50,000 samples, k = 5, 50 restarts from labels alone', () => {
    const R = 50;
    const n = 50_000;
    const k = 5;
    const { truth, labels } = planted(R, n, k, 0.8, 7);
    const res = consensusForK(k, labels, n, fakeRuns(R), fakeWs(R, 4, k, 2), 4, { maxConsensusN: 10_000, sampleN: 5_000, pacPairs: 1_000_000, seed: 123 });
    expect(res.C).toBeNull();
    expect(res.sampled?.subsample_n).toBe(5_000);
    expect(res.membership.length).toBe(n);
    expect(adjustedRandIndex(res.membership, truth)).toBeGreaterThan(0.99);
    // planted: a pair in one group shares a label with probability p_same = 0.8^2 + (1 - 0.8^2)/5 per
    // restart, otherwise p_diff = (1 - 0.8^2)/5; E[(2C - 1)^2] follows from the binomial moments.
    const second = (p: number) => {
      const mean = p;
      const varC = (p * (1 - p)) / R;
      return 4 * (varC + mean * mean) - 4 * mean + 1;
    };
    const pSame = 0.64 + 0.36 / k;
    const pDiff = 0.36 / k;
    const expected = second(pSame) / k + (second(pDiff) * (k - 1)) / k;
    expect(Math.abs(res.metrics.dispersion - expected)).toBeLessThan(0.01);
    expect(res.metrics.cophenetic).toBeGreaterThan(0.9);
  }, 120_000);
});

describe('binnedConsensus', () => {
  it('equals the block means of the dense consensus matrix along the order', async () => {
    const { binnedConsensus } = await import('../../tasks/lib/metrics/sampled.js');
    const R = 7;
    const n = 103;
    const { labels } = planted(R, n, 4, 0.6, 11);
    const C = consensusFromLabels(labels, R, n);
    const rand = mulberry32(3);
    const order = Array.from({ length: n }, (_, i) => i).sort(() => rand() - 0.5);
    const { values, bins, binSize } = binnedConsensus(labels, R, n, order, 10);
    expect(binSize).toBe(11);
    expect(bins).toBe(10);
    for (let a = 0; a < bins; a++) {
      for (let b = 0; b < bins; b++) {
        let s = 0;
        let c = 0;
        for (let p = a * binSize; p < Math.min(n, (a + 1) * binSize); p++) {
          for (let q = b * binSize; q < Math.min(n, (b + 1) * binSize); q++) {
            s += C[order[p]! * n + order[q]!]!;
            c++;
          }
        }
        expect(values[a * bins + b]).toBeCloseTo(s / c, 6);
      }
    }
  });
});
