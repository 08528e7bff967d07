/**
 * Factor stability across restarts (pyDNMFk / cNMF style; docs/design.md section 5).
 *
 * Input: the W matrices of R restarts at one rank k (each m x k, row-major). Every one of the k*R
 * columns is L2-normalized; the columns are clustered into k groups by a deterministic spherical
 * k-means (cosine similarity); the silhouette of each column is computed with the cosine distance
 * d(p, q) = max(0, 1 - cos(p, q)) and the `cluster::silhouette` rules (a singleton cluster scores 0).
 *   mean = mean silhouette over all k*R columns,
 *   min  = min over the k clusters of the cluster's mean silhouette.
 * Values near 1: every restart finds the same k factors.
 *
 * Spherical k-means, all through the Gram matrix G = X'X of the normalized columns:
 *   - candidate initializations: the k columns of restart r as centroids, r = 0 .. min(R, 10) - 1;
 *   - assignment: argmax over clusters c of cos(p, centroid_c) (ties -> lowest c), where the centroid
 *     is the normalized sum of the members: cos(p, c) = sum_{q in c} G_pq / ||sum_{q in c} x_q||;
 *   - an emptied cluster takes the column least similar to its own centroid (from a cluster of >= 2);
 *   - iterate until no assignment changes (at most `maxIter` = 100 rounds);
 *   - keep the candidate with the largest objective sum_c ||sum_{q in c} x_q|| (= sum of cosines
 *     to the centroids); ties -> the earliest candidate.
 * No random numbers, so the result depends only on the input. Cost: O((kR)^2 m) for G.
 *
 * Edge cases (never NaN):
 *   - k = 1: no second cluster, so no silhouette; each column scores its mean cosine similarity to
 *     the other R - 1 columns (1 when all restarts agree); min = mean. With R = 1 as well: 1.
 *   - R = 1, k > 1: a single restart cannot disagree with itself: min = mean = 1.
 *   - an all-zero column stays zero (cosine 0 with everything).
 */
import { silhouetteWidthsBy } from './silhouette.js';

export interface Stability {
  /** Min over clusters of the cluster's mean silhouette. */
  min: number;
  /** Mean silhouette over all k*R columns. */
  mean: number;
}

export interface FactorClusters {
  /** Cluster 0..k-1 of column c of restart r, at index r*k + c. */
  assignment: Int32Array;
  /** Cosine silhouette width of every column (same indexing). */
  widths: Float64Array;
}

export interface StabilityOptions {
  /** Cap on k-means rounds per initialization (default 100). */
  maxIter?: number;
  /** Number of restarts whose columns are tried as initial centroids (default 10). */
  maxInits?: number;
}

type Mat = Float32Array | Float64Array;

/** Gram matrix (N x N) of the L2-normalized columns of all restarts, N = k R. */
function normalizedGram(Ws: readonly Mat[], m: number, k: number): Float64Array {
  const R = Ws.length;
  const N = k * R;
  const X = new Float64Array(N * m); // column p = r*k + c stored contiguously
  for (let r = 0; r < R; r++) {
    const W = Ws[r]!;
    if (W.length !== m * k) throw new Error(`factorStability: restart ${r} has ${W.length} values, expected ${m * k}`);
    for (let c = 0; c < k; c++) {
      const base = (r * k + c) * m;
      let ss = 0;
      for (let i = 0; i < m; i++) {
        const v = W[i * k + c]!;
        X[base + i] = v;
        ss += v * v;
      }
      if (!Number.isFinite(ss)) throw new Error(`factorStability: non-finite values in restart ${r}`);
      const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
      for (let i = 0; i < m; i++) X[base + i] = X[base + i]! * inv;
    }
  }
  const G = new Float64Array(N * N);
  for (let p = 0; p < N; p++) {
    const bp = p * m;
    for (let q = p; q < N; q++) {
      const bq = q * m;
      let s = 0;
      for (let i = 0; i < m; i++) s += X[bp + i]! * X[bq + i]!;
      if (s > 1) s = 1;
      else if (s < -1) s = -1;
      G[p * N + q] = s;
      G[q * N + p] = s;
    }
  }
  return G;
}

/** One spherical k-means run from an initial assignment; returns the objective. Mutates `assign`. */
function sphericalKMeans(G: Float64Array, N: number, k: number, assign: Int32Array, maxIter: number): number {
  const S = new Float64Array(N * k); // S[p*k + c] = sum_{q in c} G[p, q]
  const norm = new Float64Array(k);
  const size = new Int32Array(k);
  const sims = (): void => {
    S.fill(0);
    size.fill(0);
    for (let q = 0; q < N; q++) size[assign[q]!]!++;
    for (let p = 0; p < N; p++) {
      const row = p * N;
      const out = p * k;
      for (let q = 0; q < N; q++) S[out + assign[q]!] += G[row + q]!;
    }
    norm.fill(0);
    for (let q = 0; q < N; q++) norm[assign[q]!] += S[q * k + assign[q]!]!;
    for (let c = 0; c < k; c++) norm[c] = Math.sqrt(Math.max(norm[c]!, 0));
  };
  const cosTo = (p: number, c: number): number => (norm[c]! > 0 ? S[p * k + c]! / norm[c]! : 0);
  for (let it = 0; it < maxIter; it++) {
    sims();
    let changed = false;
    for (let p = 0; p < N; p++) {
      let best = 0;
      let bestSim = cosTo(p, 0);
      for (let c = 1; c < k; c++) {
        const v = cosTo(p, c);
        if (v > bestSim) {
          bestSim = v;
          best = c;
        }
      }
      if (best !== assign[p]) {
        assign[p] = best;
        changed = true;
      }
    }
    // Refill empty clusters, deterministically.
    size.fill(0);
    for (let q = 0; q < N; q++) size[assign[q]!]!++;
    for (let c = 0; c < k; c++) {
      if (size[c]! > 0) continue;
      let worst = -1;
      let worstSim = Infinity;
      for (let p = 0; p < N; p++) {
        const a = assign[p]!;
        if (size[a]! < 2) continue;
        const v = cosTo(p, a);
        if (v < worstSim) {
          worstSim = v;
          worst = p;
        }
      }
      if (worst < 0) break; // fewer columns than clusters; cannot happen for N = kR, R >= 1
      size[assign[worst]!]!--;
      assign[worst] = c;
      size[c] = 1;
      changed = true;
    }
    if (!changed) break;
  }
  sims();
  let obj = 0;
  for (let c = 0; c < k; c++) obj += norm[c]!;
  return obj;
}

/** Cluster the k*R normalized columns into k groups and compute their cosine silhouettes. */
export function clusterFactors(Ws: readonly Mat[], m: number, k: number, opts: StabilityOptions = {}): FactorClusters {
  const R = Ws.length;
  if (R < 1) throw new Error('factorStability: need at least one restart');
  if (!Number.isInteger(k) || k < 1) throw new Error(`factorStability: k must be a positive integer, got ${k}`);
  const N = k * R;
  const G = normalizedGram(Ws, m, k);
  if (k === 1 || R === 1) {
    const widths = new Float64Array(N);
    for (let p = 0; p < N; p++) {
      if (R === 1) {
        widths[p] = 1;
        continue;
      }
      let s = 0;
      for (let q = 0; q < N; q++) if (q !== p) s += G[p * N + q]!;
      widths[p] = s / (N - 1);
    }
    const assignment = new Int32Array(N);
    if (k > 1) for (let p = 0; p < N; p++) assignment[p] = p % k;
    return { assignment, widths };
  }
  const maxIter = Math.max(1, opts.maxIter ?? 100);
  const maxInits = Math.max(1, Math.min(R, opts.maxInits ?? 10));
  let best: Int32Array | null = null;
  let bestObj = -Infinity;
  for (let r = 0; r < maxInits; r++) {
    const assign = new Int32Array(N);
    for (let p = 0; p < N; p++) {
      let bc = 0;
      let bs = G[p * N + r * k]!;
      for (let c = 1; c < k; c++) {
        const v = G[p * N + r * k + c]!;
        if (v > bs) {
          bs = v;
          bc = c;
        }
      }
      assign[p] = bc;
    }
    const obj = sphericalKMeans(G, N, k, assign, maxIter);
    if (obj > bestObj) {
      bestObj = obj;
      best = assign;
    }
  }
  const assignment = best!;
  const widths = silhouetteWidthsBy(N, assignment, (p, q) => Math.max(0, 1 - G[p * N + q]!));
  return { assignment, widths };
}

/** Factor stability { min, mean } of the W matrices (m x k, row-major) of R restarts at rank k. */
export function factorStability(Ws: readonly Mat[], m: number, k: number, opts: StabilityOptions = {}): Stability {
  const { assignment, widths } = clusterFactors(Ws, m, k, opts);
  const N = widths.length;
  let total = 0;
  for (let p = 0; p < N; p++) total += widths[p]!;
  if (k === 1 || Ws.length === 1) {
    const v = total / N;
    return { min: v, mean: v };
  }
  const sum = new Float64Array(k);
  const cnt = new Int32Array(k);
  for (let p = 0; p < N; p++) {
    sum[assignment[p]!] += widths[p]!;
    cnt[assignment[p]!]!++;
  }
  let min = Infinity;
  for (let c = 0; c < k; c++) if (cnt[c]! > 0) min = Math.min(min, sum[c]! / cnt[c]!);
  const mean = total / N;
  // Guard (cannot trigger with N = kR >= 2k columns and non-empty clusters): never report NaN.
  return { min: Number.isFinite(min) ? min : 0, mean: Number.isFinite(mean) ? mean : 0 };
}
