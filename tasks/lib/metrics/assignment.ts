/**
 * One-to-one matching of the best fit's factors to the consensus clusters (as R NMF's consensusmap
 * shows both memberships side by side): the assignment that maximizes the number of samples whose
 * factor (argmax of their column of H) and cluster are matched, found by the Hungarian algorithm.
 */

/**
 * Minimum-cost perfect assignment of rows to columns of a square `size` x `size` cost matrix
 * (row-major), O(size^3) (Kuhn-Munkres with potentials). Returns col[r]: the column of row r.
 * Deterministic: among optimal assignments, the same input always gives the same one.
 */
export function minCostAssignment(cost: ArrayLike<number>, size: number): Int32Array {
  if (cost.length !== size * size) throw new Error(`minCostAssignment: expected ${size * size} costs, got ${cost.length}`);
  const INF = Number.POSITIVE_INFINITY;
  // 1-based arrays; p[c] = row assigned to column c (0 = none), way[c] = previous column on the path.
  const u = new Float64Array(size + 1);
  const v = new Float64Array(size + 1);
  const p = new Int32Array(size + 1);
  const way = new Int32Array(size + 1);
  for (let i = 1; i <= size; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(size + 1).fill(INF);
    const used = new Uint8Array(size + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= size; j++) {
        if (used[j]) continue;
        const cur = cost[(i0 - 1) * size + (j - 1)]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= size; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const col = new Int32Array(size);
  for (let j = 1; j <= size; j++) col[p[j]! - 1] = j - 1;
  return col;
}

/** overlap[c * k + f]: samples in consensus cluster c + 1 whose factor label is f. */
export function overlapTable(factorLabels: ArrayLike<number>, clusters: ArrayLike<number>, k: number): Int32Array {
  if (factorLabels.length !== clusters.length) throw new Error('overlapTable: label vectors differ in length');
  const t = new Int32Array(k * k);
  for (let i = 0; i < clusters.length; i++) {
    const c = clusters[i]! - 1;
    const f = factorLabels[i]!;
    if (c < 0 || c >= k || f < 0 || f >= k) throw new Error(`overlapTable: sample ${i} has cluster ${c + 1} / factor ${f} outside 1..${k} / 0..${k - 1}`);
    t[c * k + f]!++;
  }
  return t;
}

/**
 * The factor matched to each consensus cluster: factorOfCluster[c] is the 0-based factor of
 * cluster c + 1, maximizing the total overlap (clusters: 1..k per sample; factorLabels: 0..k-1).
 */
export function matchFactorsToClusters(factorLabels: ArrayLike<number>, clusters: ArrayLike<number>, k: number): number[] {
  const t = overlapTable(factorLabels, clusters, k);
  return Array.from(minCostAssignment(Float64Array.from(t, (x) => -x), k));
}
