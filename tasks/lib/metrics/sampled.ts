/**
 * Consensus metrics from labels alone, for n too large to materialize the n x n consensus matrix
 * (docs/design.md section 5, "Large n"). Every random choice comes from a seeded stream, so a result depends
 * only on the labels, the seed and the sizes asked for.
 *
 * labels: R*n values, restart-major (labels[r*n + i] = cluster of sample i in restart r), as in
 * consensus.ts.
 */
import { restartStream } from '../engine/prng.js';

type Labels = Uint8Array | Uint16Array | Uint32Array | Int32Array;

/** A seeded uniform stream on (0, 1] for sampling; the key keeps it apart from every restart's start. */
export function samplingStream(seed: number, k: number, purpose: 'subsample' | 'pairs'): () => number {
  // Restart numbers are < 100,000 (params schema), so these keys never coincide with a restart's.
  return restartStream(seed, k, purpose === 'subsample' ? 0x7fff0001 : 0x7fff0002);
}

/** Uniform integer in 0..n-1 from a (0, 1] stream. */
function pick(next: () => number, n: number): number {
  return Math.min(n - 1, Math.floor((1 - next()) * n));
}

/**
 * A stratified random subsample of `size` indices (ascending) out of n: each stratum (value of
 * `strata`) gets a share proportional to its size (largest remainders first, ties to the lower
 * stratum), at least one index per non-empty stratum while size allows; members within a stratum
 * are drawn by a partial Fisher-Yates shuffle.
 */
export function stratifiedSample(strata: ArrayLike<number>, size: number, next: () => number): Int32Array {
  const n = strata.length;
  if (size >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups.get(strata[i]!);
    if (g) g.push(i);
    else groups.set(strata[i]!, [i]);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const want = keys.map((s) => (groups.get(s)!.length * size) / n);
  const take = want.map((w) => Math.floor(w));
  for (let s = 0; s < keys.length; s++) if (take[s] === 0 && size >= keys.length) take[s] = 1;
  let left = size - take.reduce((a, b) => a + b, 0);
  const byRemainder = keys.map((_, s) => s).sort((a, b) => want[b]! - Math.floor(want[b]!) - (want[a]! - Math.floor(want[a]!)) || a - b);
  for (let t = 0; left > 0; t = (t + 1) % byRemainder.length) {
    const s = byRemainder[t]!;
    if (take[s]! < groups.get(keys[s]!)!.length) {
      take[s]!++;
      left--;
    }
  }
  for (let s = 0; left < 0 && s < keys.length; s = (s + 1) % keys.length) {
    if (take[s]! > 1) {
      take[s]!--;
      left++;
    }
  }
  const out: number[] = [];
  keys.forEach((key, s) => {
    const members = groups.get(key)!;
    for (let t = 0; t < take[s]!; t++) {
      const j = t + pick(next, members.length - t);
      [members[t], members[j]] = [members[j]!, members[t]!];
      out.push(members[t]!);
    }
  });
  return Int32Array.from(out.sort((a, b) => a - b));
}

/** The labels of the samples `idx` only (R*|idx|, restart-major), for a consensus of the subsample. */
export function subsetLabels(labels: Labels, R: number, n: number, idx: Int32Array): Uint16Array {
  const s = idx.length;
  const out = new Uint16Array(R * s);
  for (let r = 0; r < R; r++) for (let t = 0; t < s; t++) out[r * s + t] = labels[r * n + idx[t]!]!;
  return out;
}

/**
 * PAC (fraction of pairs with lower < C_ij < upper, strict, C_ij = same-label count / R as in the
 * dense pac()) over `pairs` uniformly random pairs i != j drawn with replacement; exact over all
 * pairs when n(n-1)/2 <= pairs. Returns the estimate and the number of pairs it used.
 */
export function pacFromLabels(
  labels: Labels,
  R: number,
  n: number,
  pairs: number,
  next: () => number,
  lower = 0.1,
  upper = 0.9,
): { pac: number; pairs: number } {
  const total = (n * (n - 1)) / 2;
  const ambiguous = (i: number, j: number): boolean => {
    let same = 0;
    for (let r = 0; r < R; r++) if (labels[r * n + i] === labels[r * n + j]) same++;
    const c = same / R;
    return c > lower && c < upper;
  };
  let count = 0;
  if (total <= pairs) {
    for (let i = 0; i < n - 1; i++) for (let j = i + 1; j < n; j++) if (ambiguous(i, j)) count++;
    return { pac: total > 0 ? count / total : 0, pairs: total };
  }
  for (let t = 0; t < pairs; t++) {
    const i = pick(next, n);
    let j = pick(next, n - 1);
    if (j >= i) j++;
    if (ambiguous(i, j)) count++;
  }
  return { pac: count / pairs, pairs };
}

/**
 * Extend a clustering of the subsample `idx` (membership 1..k) to all n samples: sample i joins the
 * cluster c with the highest mean consensus to c's subsample members,
 *   score(i, c) = (1 / (R |c|)) sum_r #{ j in c : label_r(j) = label_r(i) },
 * computed from the per-restart counts of each cluster's labels in O(R n k) (ties to the lower
 * cluster). Members of the subsample keep their own cluster. Also returns each sample's score to
 * its own cluster (a mean consensus in [0, 1]), used to order samples within a cluster.
 */
export function extendMembership(
  labels: Labels,
  R: number,
  n: number,
  idx: Int32Array,
  subMembership: ArrayLike<number>,
  k: number,
): { membership: Int32Array; score: Float64Array } {
  let K = 0;
  for (let t = 0; t < labels.length; t++) if (labels[t]! + 1 > K) K = labels[t]! + 1;
  // counts[(r * K + a) * k + c] = #{ j in cluster c : label_r(j) = a }
  const counts = new Float64Array(R * K * k);
  const size = new Float64Array(k);
  for (let t = 0; t < idx.length; t++) {
    const c = subMembership[t]! - 1;
    size[c]!++;
    for (let r = 0; r < R; r++) counts[(r * K + labels[r * n + idx[t]!]!) * k + c]!++;
  }
  const membership = new Int32Array(n);
  const score = new Float64Array(n);
  const fixed = new Int32Array(n);
  for (let t = 0; t < idx.length; t++) fixed[idx[t]!] = subMembership[t]!;
  const sc = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sc.fill(0);
    for (let r = 0; r < R; r++) {
      const base = (r * K + labels[r * n + i]!) * k;
      for (let c = 0; c < k; c++) sc[c] += counts[base + c]!;
    }
    let best = 0;
    for (let c = 0; c < k; c++) {
      sc[c] = size[c]! > 0 ? sc[c]! / (R * size[c]!) : 0;
      if (sc[c]! > sc[best]!) best = c;
    }
    const own = fixed[i]! > 0 ? fixed[i]! - 1 : best;
    membership[i] = own + 1;
    score[i] = sc[own]!;
  }
  return { membership, score };
}

/** Samples grouped by cluster 1..k, within a cluster by decreasing score, then by index. */
export function orderByCluster(membership: Int32Array, score: Float64Array): number[] {
  return Array.from(membership.keys()).sort((a, b) => membership[a]! - membership[b]! || score[b]! - score[a]! || a - b);
}

/**
 * Block means of the consensus matrix along an ordering, from labels alone: with the ordered samples
 * cut into `bins` consecutive blocks, entry (a, b) is the mean of C_ij over i in block a, j in block b
 * (C_ii = 1 included, as in the dense matrix), computed as
 *   (1 / (R |a| |b|)) sum_r sum_label cnt_r(a, label) cnt_r(b, label)
 * in O(R bins^2 K) time. Returns the bins x bins matrix (row-major) and the block size.
 */
export function binnedConsensus(labels: Labels, R: number, n: number, order: readonly number[], bins: number): { values: Float32Array; bins: number; binSize: number } {
  const binSize = Math.ceil(n / Math.max(1, Math.min(bins, n)));
  const B = Math.ceil(n / binSize);
  let K = 0;
  for (let t = 0; t < labels.length; t++) if (labels[t]! + 1 > K) K = labels[t]! + 1;
  const size = new Float64Array(B);
  const sums = new Float64Array(B * B);
  const cnt = new Float64Array(B * K);
  for (let r = 0; r < R; r++) {
    cnt.fill(0);
    for (let p = 0; p < n; p++) cnt[Math.floor(p / binSize) * K + labels[r * n + order[p]!]!]!++;
    for (let a = 0; a < B; a++) {
      for (let b = a; b < B; b++) {
        let s = 0;
        for (let l = 0; l < K; l++) s += cnt[a * K + l]! * cnt[b * K + l]!;
        sums[a * B + b] += s;
      }
    }
  }
  for (let p = 0; p < n; p++) size[Math.floor(p / binSize)]!++;
  const values = new Float32Array(B * B);
  for (let a = 0; a < B; a++) {
    for (let b = a; b < B; b++) {
      const v = sums[a * B + b]! / (R * size[a]! * size[b]!);
      values[a * B + b] = v;
      values[b * B + a] = v;
    }
  }
  return { values, bins: B, binSize };
}
