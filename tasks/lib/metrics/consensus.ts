/**
 * Consensus matrix from per-restart labels, and dispersion computed from the labels alone.
 *
 * labels: R*n values, restart-major (labels[r*n + i] = cluster of sample i in restart r); any
 * non-negative integer codes.
 *
 * Consensus (Monti 2003; R NMF 0.25 `consensus`): C_ij = (1/R) #{r : label_r(i) = label_r(j)},
 * diagonal 1, computed as count / R (as R's sum of connectivities divided by nrun).
 *
 * Dispersion without C, from the contingency tables N_rs(a, b) = #{i : label_r(i) = a, label_s(i) = b}:
 *   sum_ij c_ij^2 = sum_{r,s} sum_{a,b} N_rs(a, b)^2,   sum_ij c_ij = sum_r sum_a count_r(a)^2,
 * where c_ij = R C_ij is the integer count; then, exactly in integers,
 *   sum_ij 4 (C_ij - 1/2)^2 = sum_ij (2 c_ij - R)^2 / R^2 = (4 S2 - 4 R S1 + R^2 n^2) / R^2,
 * and dispersion = that / n^2. Cost O(R^2 (n + K^2)) time, O(K^2) memory (K = largest label + 1).
 */

type Labels = Uint8Array | Uint16Array | Uint32Array | Int32Array;

function check(labels: Labels, R: number, n: number): void {
  if (!Number.isInteger(R) || R < 1) throw new Error(`consensus: R must be a positive integer, got ${R}`);
  if (labels.length !== R * n) throw new Error(`consensus: expected R*n = ${R * n} labels, got ${labels.length}`);
}

/** Consensus matrix C (n*n, row-major) of R restarts. */
export function consensusFromLabels(labels: Labels, R: number, n: number): Float64Array {
  check(labels, R, n);
  const C = new Float64Array(n * n);
  if (n === 0) return C;
  // Per restart, bucket the samples by label (counting sort; members ascending within a bucket).
  const starts: Int32Array[] = [];
  const members = new Int32Array(R * n);
  for (let r = 0; r < R; r++) {
    const off = r * n;
    let K = 0;
    for (let i = 0; i < n; i++) if (labels[off + i]! + 1 > K) K = labels[off + i]! + 1;
    const start = new Int32Array(K + 1);
    for (let i = 0; i < n; i++) start[labels[off + i]! + 1]!++;
    for (let a = 0; a < K; a++) start[a + 1] += start[a]!;
    const fill = start.slice();
    for (let i = 0; i < n; i++) members[off + fill[labels[off + i]!]!++] = i;
    starts.push(start);
  }
  // Count co-clustering a block of rows at a time, in a small integer buffer that stays in cache.
  const rowsPerTile = Math.max(1, Math.min(n, Math.floor((1 << 20) / n)));
  const tile = R < 65536 ? new Uint16Array(rowsPerTile * n) : new Float64Array(rowsPerTile * n);
  for (let i0 = 0; i0 < n; i0 += rowsPerTile) {
    const i1 = Math.min(n, i0 + rowsPerTile);
    tile.fill(0);
    for (let r = 0; r < R; r++) {
      const off = r * n;
      const start = starts[r]!;
      for (let i = i0; i < i1; i++) {
        const a = labels[off + i]!;
        const row = (i - i0) * n;
        const end = off + start[a + 1]!;
        for (let p = off + start[a]!; p < end; p++) tile[row + members[p]!]!++;
      }
    }
    const base = i0 * n;
    const len = (i1 - i0) * n;
    for (let q = 0; q < len; q++) C[base + q] = tile[q]! / R;
  }
  return C;
}

/** Dispersion of the consensus of R restarts, without materializing C (see the file comment). */
export function dispersionFromLabels(labels: Labels, R: number, n: number): number {
  check(labels, R, n);
  const Ks = new Int32Array(R);
  for (let r = 0; r < R; r++) {
    let K = 0;
    for (let i = 0; i < n; i++) if (labels[r * n + i]! + 1 > K) K = labels[r * n + i]! + 1;
    Ks[r] = K;
  }
  // S1 = sum_r sum_a count_r(a)^2
  let S1 = 0;
  for (let r = 0; r < R; r++) {
    const cnt = new Float64Array(Ks[r]!);
    for (let i = 0; i < n; i++) cnt[labels[r * n + i]!]!++;
    for (let a = 0; a < cnt.length; a++) S1 += cnt[a]! * cnt[a]!;
  }
  // S2 = sum_{r,s} sum_{a,b} N_rs(a,b)^2 = sum_r sum_a cnt^2 (r = s) + 2 sum_{r<s} ...
  let S2 = S1;
  let Kmax = 0;
  for (let r = 0; r < R; r++) Kmax = Math.max(Kmax, Ks[r]!);
  const buf = new Float64Array(Kmax * Kmax);
  for (let r = 0; r < R; r++) {
    for (let s = r + 1; s < R; s++) {
      const kb = Ks[s]!;
      const N = buf.subarray(0, Ks[r]! * kb);
      N.fill(0);
      for (let i = 0; i < n; i++) N[labels[r * n + i]! * kb + labels[s * n + i]!]!++;
      let t = 0;
      for (let c = 0; c < N.length; c++) t += N[c]! * N[c]!;
      S2 += 2 * t;
    }
  }
  // Exact integers while 4 R^2 n^2 < 2^53 (R n < 4.7e7); a single rounding at the end.
  const num = 4 * S2 - 4 * R * S1 + R * R * n * n;
  return num / (R * R) / (n * n);
}
