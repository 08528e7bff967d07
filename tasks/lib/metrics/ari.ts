/**
 * Adjusted Rand index (Hubert & Arabie 1985) of two labelings of the same n objects:
 *   ARI = (sum_ij C(n_ij, 2) - E) / ((sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2 - E),
 *   E = sum_i C(a_i, 2) * sum_j C(b_j, 2) / C(n, 2),
 * with n_ij the contingency table and a_i, b_j its margins. Labels may be of any type (compared with
 * SameValueZero, as Map keys). The denominator is 0 only when both labelings are the same trivial
 * partition (one cluster, or all singletons); ARI is then 1. Also 1 when n < 2.
 */
export function adjustedRandIndex<A, B>(a: ArrayLike<A>, b: ArrayLike<B>): number {
  const n = a.length;
  if (n !== b.length) throw new Error(`adjustedRandIndex: lengths differ (${n} vs ${b.length})`);
  if (n < 2) return 1;
  const ia = codes(a);
  const ib = codes(b);
  const ka = ia.k;
  const kb = ib.k;
  const table = new Float64Array(ka * kb);
  const ra = new Float64Array(ka);
  const rb = new Float64Array(kb);
  for (let i = 0; i < n; i++) {
    table[ia.code[i]! * kb + ib.code[i]!]!++;
    ra[ia.code[i]!]!++;
    rb[ib.code[i]!]!++;
  }
  const c2 = (x: number): number => (x * (x - 1)) / 2;
  let sumIJ = 0;
  for (let i = 0; i < table.length; i++) sumIJ += c2(table[i]!);
  let sumA = 0;
  for (let i = 0; i < ka; i++) sumA += c2(ra[i]!);
  let sumB = 0;
  for (let j = 0; j < kb; j++) sumB += c2(rb[j]!);
  const expected = (sumA * sumB) / c2(n);
  const maxIndex = (sumA + sumB) / 2;
  const denom = maxIndex - expected;
  if (denom === 0) return 1;
  return (sumIJ - expected) / denom;
}

function codes<T>(x: ArrayLike<T>): { code: Int32Array; k: number } {
  const map = new Map<T, number>();
  const code = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let c = map.get(x[i]!);
    if (c === undefined) {
      c = map.size;
      map.set(x[i]!, c);
    }
    code[i] = c;
  }
  return { code, k: map.size };
}
