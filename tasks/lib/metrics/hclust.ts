/**
 * Average-linkage (UPGMA) hierarchical clustering, a faithful port of R's
 * `hclust(as.dist(D), method = "average")`:
 *   - `HCLUST` in R's `src/library/stats/src/hclust.f` (F. Murtagh's nearest-neighbour-list algorithm,
 *     iOpt = 4, including the PR#4195 / "JB" fixes of current R), and
 *   - `HCASS2` from the same file (merge matrix in R's sign convention and the leaf order).
 *
 * Lance-Williams update for average linkage, cluster sizes |I|, |J|:
 *   d(I u J, K) = (|I| d(I, K) + |J| d(J, K)) / (|I| + |J|).
 *
 * Ties are broken exactly as the Fortran does (all comparisons strict, double precision):
 *   - the nearest neighbour of i is searched to the RIGHT of i (j > i) and the first (smallest j)
 *     minimum wins;
 *   - the pair to merge is the active i (scanned 1..n-1) with the smallest DISNN(i), first one wins;
 *   - the merged cluster keeps the smaller index I2 = min(i, NN(i)); J2 is deactivated.
 * Consensus distances are multiples of 1/runs, so ties are the rule, not the exception, and any other
 * tie-breaking gives a different tree.
 */

/** A dendrogram in R's `hclust` representation. */
export interface Tree {
  /**
   * (n-1)*2 values, row-major, R's `merge`: row s is merge step s+1; a negative entry -(i+1) is the
   * singleton sample i (0-based i), a positive entry p is the cluster formed at (1-based) step p.
   */
  merge: Int32Array;
  /** n-1 merge heights (R's `height`). */
  height: Float64Array;
  /** 0-based leaf order (R's `order` minus one). */
  order: Int32Array;
}

/** Index of pair (i, j), 0 <= i < j < n, in the row-major condensed upper triangle (R's IOFFST - 1). */
export function condensedIndex(n: number, i: number, j: number): number {
  return i * n - (i * (i + 1)) / 2 + (j - i - 1);
}

/**
 * Average linkage on a full symmetric n*n dissimilarity matrix (row-major). Like R's `as.dist`, only
 * the lower triangle is read: d(i, j) for i < j is `dist[j*n + i]`.
 */
export function averageLinkage(dist: Float64Array, n: number): Tree {
  return averageLinkageCondensed(condensedFromLower(dist, n), n, false);
}

/**
 * The condensed vector (pairs i < j, row by row) of the LOWER triangle of a full n*n row-major matrix
 * M: element (i, j) is M[j*n + i], as R's `as.dist(M)`; with `oneMinus`, 1 - M[j*n + i] (for D = 1 - C).
 */
export function condensedFromLower(M: Float64Array, n: number, oneMinus = false): Float64Array {
  if (M.length !== n * n) throw new Error(`condensedFromLower: expected ${n * n} values, got ${M.length}`);
  const out = new Float64Array((n * (n - 1)) / 2);
  const B = 64; // tiles keep both the strided read and the scattered write in cache
  for (let i0 = 0; i0 < n - 1; i0 += B) {
    const i1 = Math.min(n - 1, i0 + B);
    for (let j0 = i0; j0 < n; j0 += B) {
      const j1 = Math.min(n, j0 + B);
      for (let j = Math.max(j0, i0 + 1); j < j1; j++) {
        const row = j * n;
        const iEnd = Math.min(i1, j);
        for (let i = i0; i < iEnd; i++) {
          const v = M[row + i]!;
          out[condensedIndex(n, i, j)] = oneMinus ? 1 - v : v;
        }
      }
    }
  }
  return out;
}

/**
 * The consensus tree: average linkage on D = 1 - C for a consensus matrix C (n*n, row-major), read
 * from its lower triangle as R's `hclust(as.dist(1 - C), 'average')`, without building D.
 */
export function consensusTree(C: Float64Array, n: number): Tree {
  return averageLinkageCondensed(condensedFromLower(C, n, true), n, false);
}

/**
 * Average linkage on a condensed dissimilarity vector: the upper triangle row by row,
 * (0,1), (0,2), ..., (0,n-1), (1,2), ... (equivalently R's `dist` order). The vector is used as
 * workspace unless `copy` is true (the default).
 */
export function averageLinkageCondensed(diss: Float64Array, n: number, copy = true): Tree {
  if (!Number.isInteger(n) || n < 2) throw new Error(`averageLinkage: need n >= 2 objects, got ${n}`);
  if (diss.length !== (n * (n - 1)) / 2) throw new Error(`averageLinkage: expected ${(n * (n - 1)) / 2} values, got ${diss.length}`);
  const d = copy ? Float64Array.from(diss) : diss;
  for (let i = 0; i < d.length; i++) {
    if (Number.isNaN(d[i]!)) throw new Error('averageLinkage: NaN dissimilarity');
  }
  const { ia, ib, crit } = hclustFortran(d, n);
  const { merge, order } = hcass2(n, ia, ib);
  return { merge, height: crit, order };
}

/**
 * HCLUST with iOpt = 4, 0-based. Returns the agglomeration history: ia[s] < ib[s] are the (0-based)
 * representative indices merged at step s, crit[s] the height.
 *
 * The only departure from the Fortran is speed: the loops over 1..N that skip inactive (FLAG false)
 * indices walk a linked list of the active ones instead, in the same increasing order, so every
 * comparison is made in the same sequence and the result is identical.
 */
function hclustFortran(diss: Float64Array, n: number): { ia: Int32Array; ib: Int32Array; crit: Float64Array } {
  const INF = 1e300;
  const ia = new Int32Array(n - 1);
  const ib = new Int32Array(n - 1);
  const crit = new Float64Array(n - 1);
  const membr = new Float64Array(n).fill(1);
  const nn = new Int32Array(n);
  const disnn = new Float64Array(n);
  // Active indices as a doubly linked list; 0 is always active (a merge keeps the smaller index).
  const nxt = new Int32Array(n);
  const prv = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    nxt[i] = i + 1;
    prv[i] = i - 1;
  }
  // Offset of row i in the condensed vector: idx(i, j) = rowOff[i] + j (for j > i).
  const rowOff = new Float64Array(n);
  for (let i = 0; i < n; i++) rowOff[i] = i * n - (i * (i + 1)) / 2 - i - 1;
  // IM, JM, JJ are kept across iterations exactly as in the Fortran (a stale value is only ever paired
  // with DISNN = INF, which is never selected).
  let im = 0;
  let jm = 0;
  let jj = 0;

  // Initial list of nearest neighbours to the right of i: the first (smallest j) minimum.
  for (let i = 0; i < n - 1; i++) {
    let dmin = INF;
    const off = rowOff[i]!;
    for (let j = i + 1; j < n; j++) {
      const v = diss[off + j]!;
      if (dmin > v) {
        dmin = v;
        jm = j;
      }
    }
    nn[i] = jm;
    disnn[i] = dmin;
  }

  for (let step = 0; step < n - 1; step++) {
    // Least dissimilarity in the NN list (I = 1..N-1 in the Fortran): the first minimum.
    let dmin = INF;
    for (let i = 0; i < n - 1; i = nxt[i]!) {
      if (disnn[i]! < dmin) {
        dmin = disnn[i]!;
        im = i;
        jm = nn[i]!;
      }
    }
    const i2 = Math.min(im, jm);
    const j2 = Math.max(im, jm);
    ia[step] = i2;
    ib[step] = j2;
    crit[step] = dmin;
    // FLAG(J2) = .FALSE.
    nxt[prv[j2]!] = nxt[j2]!;
    if (nxt[j2]! < n) prv[nxt[j2]!] = prv[j2]!;

    // Lance-Williams update of d(I2, K) and the NN of I2 (to its right); the "JB fix" for K < I2.
    dmin = INF;
    const mi = membr[i2]!;
    const mj = membr[j2]!;
    const msum = mi + mj;
    const offI2 = rowOff[i2]!;
    const offJ2 = rowOff[j2]!;
    for (let k = 0; k < n; k = nxt[k]!) {
      if (k === i2) continue;
      const ind1 = i2 < k ? offI2 + k : rowOff[k]! + i2;
      const ind2 = j2 < k ? offJ2 + k : rowOff[k]! + j2;
      const v = (mi * diss[ind1]! + mj * diss[ind2]!) / msum;
      diss[ind1] = v;
      if (i2 < k) {
        if (v < dmin) {
          dmin = v;
          jj = k;
        }
      } else if (v < disnn[k]!) {
        disnn[k] = v;
        nn[k] = i2;
      }
    }
    membr[i2] = msum;
    disnn[i2] = dmin;
    nn[i2] = jj;

    // Redetermine the NN of every active i (< N) whose NN was I2 or J2.
    for (let i = 0; i < n - 1; i = nxt[i]!) {
      if (nn[i] !== i2 && nn[i] !== j2) continue;
      let dm = INF;
      const off = rowOff[i]!;
      for (let j = nxt[i]!; j < n; j = nxt[j]!) {
        const v = diss[off + j]!;
        if (v < dm) {
          dm = v;
          jj = j;
        }
      }
      nn[i] = jj;
      disnn[i] = dm;
    }
  }
  return { ia, ib, crit };
}

/**
 * HCASS2: convert the history (clusters named by their lowest member) into R's merge matrix
 * (singletons negative, clusters by step, singletons first, two clusters in increasing order) and
 * compute the leaf order by expanding the last merge left to right.
 */
function hcass2(n: number, ia: Int32Array, ib: Int32Array): { merge: Int32Array; order: Int32Array } {
  const m = n - 1;
  // Work 1-based like the Fortran: observation o is o+1.
  const iia = new Int32Array(m);
  const iib = new Int32Array(m);
  for (let s = 0; s < m; s++) {
    iia[s] = ia[s]! + 1;
    iib[s] = ib[s]! + 1;
  }
  // The Fortran scans all later steps for each step (O(n^2)); the representative k = ia[s] (the
  // smaller one) names the new cluster until it next appears, so remembering the last step at which
  // each representative was formed gives the same result in O(n).
  const lastStep = new Int32Array(n + 1); // 0 = singleton so far
  for (let s = 0; s < m; s++) {
    const a = ia[s]! + 1;
    const b = ib[s]! + 1;
    iia[s] = lastStep[a]! > 0 ? lastStep[a]! : -a;
    iib[s] = lastStep[b]! > 0 ? lastStep[b]! : -b;
    lastStep[Math.min(a, b)] = s + 1;
  }
  for (let s = 0; s < m; s++) {
    if (iia[s]! > 0 && iib[s]! < 0) {
      const k = iia[s]!;
      iia[s] = iib[s]!;
      iib[s] = k;
    }
    if (iia[s]! > 0 && iib[s]! > 0) {
      const k1 = Math.min(iia[s]!, iib[s]!);
      const k2 = Math.max(iia[s]!, iib[s]!);
      iia[s] = k1;
      iib[s] = k2;
    }
  }
  const merge = new Int32Array(2 * m);
  for (let s = 0; s < m; s++) {
    merge[2 * s] = iia[s]!;
    merge[2 * s + 1] = iib[s]!;
  }
  // Order: replace the cluster node by (left, right), starting from the root; this is a left-to-right
  // depth-first traversal, which is what the Fortran's in-place list expansion produces.
  const order = new Int32Array(n);
  let pos = 0;
  const stack: number[] = [m]; // entries in merge convention
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (v < 0) {
      order[pos++] = -v - 1;
    } else {
      stack.push(merge[2 * (v - 1) + 1]!);
      stack.push(merge[2 * (v - 1)]!);
    }
  }
  return { merge, order };
}
