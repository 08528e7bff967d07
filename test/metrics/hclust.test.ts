/**
 * Average linkage: hand-derived R results on tiny matrices with ties, and agreement with two
 * independent references written here: a literal 1-based transliteration of R's hclust.f
 * (HCLUST iOpt = 4 with FLAG scans, HCASS2 with its O(n^2) loops and in-place order insertion), and a
 * naive O(n^3) "global first minimum" UPGMA.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.js';
import { averageLinkage, averageLinkageCondensed, condensedFromLower, cophenetic, cutree } from '../../tasks/lib/metrics/index.js';


/** Full symmetric matrix from 1-based pairs {"i,j": d}. */
function fromPairs(n: number, pairs: Record<string, number>): Float64Array {
  const D = new Float64Array(n * n);
  for (const [key, v] of Object.entries(pairs)) {
    const [i, j] = key.split(',').map(Number) as [number, number];
    D[(i - 1) * n + (j - 1)] = v;
    D[(j - 1) * n + (i - 1)] = v;
  }
  return D;
}

/** Literal transliteration of R's HCLUST (iOpt = 4) + HCASS2, 1-based arrays (index 0 unused). */
function fortranReference(D: Float64Array, n: number): { merge: number[]; height: number[]; order: number[] } {
  const INF = 1e300;
  const ioffst = (i: number, j: number): number => j + (i - 1) * n - (i * (i + 1)) / 2;
  const len = (n * (n - 1)) / 2;
  const diss = new Array<number>(len + 1).fill(0);
  for (let j = 1; j <= n; j++) for (let i = 1; i < j; i++) diss[ioffst(i, j)] = D[(j - 1) * n + (i - 1)]!; // as.dist: lower triangle
  const ia = new Array<number>(n + 1).fill(0);
  const ib = new Array<number>(n + 1).fill(0);
  const crit = new Array<number>(n + 1).fill(0);
  const membr = new Array<number>(n + 1).fill(1);
  const nn = new Array<number>(n + 1).fill(0);
  const disnn = new Array<number>(n + 1).fill(0);
  const flag = new Array<boolean>(n + 1).fill(true);
  let im = 0;
  let jj = 0;
  let jm = 0;
  let ncl = n;
  for (let i = 1; i <= n - 1; i++) {
    let dmin = INF;
    for (let j = i + 1; j <= n; j++) {
      const ind = ioffst(i, j);
      if (dmin > diss[ind]!) {
        dmin = diss[ind]!;
        jm = j;
      }
    }
    nn[i] = jm;
    disnn[i] = dmin;
  }
  do {
    let dmin = INF;
    for (let i = 1; i <= n - 1; i++) {
      if (flag[i] && disnn[i]! < dmin) {
        dmin = disnn[i]!;
        im = i;
        jm = nn[i]!;
      }
    }
    ncl--;
    const i2 = Math.min(im, jm);
    const j2 = Math.max(im, jm);
    ia[n - ncl] = i2;
    ib[n - ncl] = j2;
    crit[n - ncl] = dmin;
    flag[j2] = false;
    dmin = INF;
    for (let k = 1; k <= n; k++) {
      if (flag[k] && k !== i2) {
        const ind1 = i2 < k ? ioffst(i2, k) : ioffst(k, i2);
        const ind2 = j2 < k ? ioffst(j2, k) : ioffst(k, j2);
        diss[ind1] = (membr[i2]! * diss[ind1]! + membr[j2]! * diss[ind2]!) / (membr[i2]! + membr[j2]!);
        if (i2 < k) {
          if (diss[ind1]! < dmin) {
            dmin = diss[ind1]!;
            jj = k;
          }
        } else if (diss[ind1]! < disnn[k]!) {
          disnn[k] = diss[ind1]!;
          nn[k] = i2;
        }
      }
    }
    membr[i2] = membr[i2]! + membr[j2]!;
    disnn[i2] = dmin;
    nn[i2] = jj;
    for (let i = 1; i <= n - 1; i++) {
      if (flag[i] && (nn[i] === i2 || nn[i] === j2)) {
        dmin = INF;
        for (let j = i + 1; j <= n; j++) {
          if (flag[j]) {
            const ind = ioffst(i, j);
            if (diss[ind]! < dmin) {
              dmin = diss[ind]!;
              jj = j;
            }
          }
        }
        nn[i] = jj;
        disnn[i] = dmin;
      }
    }
  } while (ncl > 1);
  // HCASS2
  const iia = ia.slice();
  const iib = ib.slice();
  for (let i = 1; i <= n - 2; i++) {
    const k = Math.min(ia[i]!, ib[i]!);
    for (let j = i + 1; j <= n - 1; j++) {
      if (ia[j] === k) iia[j] = -i;
      if (ib[j] === k) iib[j] = -i;
    }
  }
  for (let i = 1; i <= n - 1; i++) {
    iia[i] = -iia[i]!;
    iib[i] = -iib[i]!;
  }
  for (let i = 1; i <= n - 1; i++) {
    if (iia[i]! > 0 && iib[i]! < 0) {
      const k = iia[i]!;
      iia[i] = iib[i]!;
      iib[i] = k;
    }
    if (iia[i]! > 0 && iib[i]! > 0) {
      const k1 = Math.min(iia[i]!, iib[i]!);
      const k2 = Math.max(iia[i]!, iib[i]!);
      iia[i] = k1;
      iib[i] = k2;
    }
  }
  const iorder = new Array<number>(n + 1).fill(0);
  iorder[1] = iia[n - 1]!;
  iorder[2] = iib[n - 1]!;
  let loc = 2;
  for (let i = n - 2; i >= 1; i--) {
    for (let j = 1; j <= loc; j++) {
      if (iorder[j] === i) {
        iorder[j] = iia[i]!;
        if (j === loc) {
          loc++;
          iorder[loc] = iib[i]!;
        } else {
          loc++;
          for (let k = loc; k >= j + 2; k--) iorder[k] = iorder[k - 1]!;
          iorder[j + 1] = iib[i]!;
        }
        break;
      }
    }
  }
  const merge: number[] = [];
  for (let i = 1; i <= n - 1; i++) merge.push(iia[i]!, iib[i]!);
  return { merge, height: crit.slice(1, n), order: iorder.slice(1, n + 1).map((v) => -v - 1) };
}

/** Naive UPGMA: repeatedly merge the first (row-major over active representatives) minimum pair. */
function naiveHeights(D: Float64Array, n: number): { height: number[]; coph: Float64Array } {
  const d = Float64Array.from(D);
  const size = new Array<number>(n).fill(1);
  const active = new Array<boolean>(n).fill(true);
  const members: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const height: number[] = [];
  const coph = new Float64Array(n * n);
  for (let step = 0; step < n - 1; step++) {
    let best = Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      if (!active[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (active[j] && d[i * n + j]! < best) {
          best = d[i * n + j]!;
          bi = i;
          bj = j;
        }
      }
    }
    height.push(best);
    for (const x of members[bi]!) for (const y of members[bj]!) coph[x * n + y] = coph[y * n + x] = best;
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === bi || k === bj) continue;
      const v = (size[bi]! * d[bi * n + k]! + size[bj]! * d[bj * n + k]!) / (size[bi]! + size[bj]!);
      d[bi * n + k] = d[k * n + bi] = v;
    }
    size[bi]! += size[bj]!;
    members[bi]!.push(...members[bj]!);
    active[bj] = false;
  }
  return { height, coph };
}

/** Random symmetric dissimilarity with values j/levels (many ties), zero diagonal. */
function tiedMatrix(n: number, levels: number, rand: () => number): Float64Array {
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = 1 - Math.floor(rand() * (levels + 1)) / levels; // like 1 - C with C = count / runs
      D[i * n + j] = v;
      D[j * n + i] = v;
    }
  }
  return D;
}

describe('averageLinkage (R hclust, method = "average")', () => {
  it('n = 2', () => {
    const t = averageLinkage(new Float64Array([0, 0.3, 0.3, 0]), 2);
    expect(Array.from(t.merge)).toEqual([-1, -2]);
    expect(Array.from(t.height)).toEqual([0.3]);
    expect(Array.from(t.order)).toEqual([0, 1]);
  });

  it('four equidistant points: chains onto object 1 (hand-derived from hclust.f)', () => {
    // d(i, j) = 1 for all pairs (1-based derivation):
    //  NN(i) = first j > i with the minimum (strict DMIN > DISS): NN(1)=2, NN(2)=3, NN(3)=4, all DISNN=1.
    //  Step 1: first i with the least DISNN is 1 -> merge (1, 2) at 1; I2=1 keeps the cluster.
    //          d(1,3) = (1*1 + 1*1)/2 = 1 -> NN(1)=3 (first K > I2 with v < DMIN); d(1,4) = 1 not < 1.
    //  Step 2: i=1 again first -> merge (1, 3) at 1; d(1,4) = (2*1 + 1*1)/3 = 1, NN(1)=4.
    //  Step 3: merge (1, 4).  IA = (1,1,1), IB = (2,3,4).
    //  HCASS2: step 1 (-1,-2); step 2 (1,-3) -> singleton first (-3, 1); step 3 (-4, 2).
    //  Order: expand (-4, 2) -> -4, (-3, 1) -> -4, -3, (-1, -2) = 4 3 1 2.
    const n = 4;
    const D = new Float64Array(n * n).fill(1);
    for (let i = 0; i < n; i++) D[i * n + i] = 0;
    const t = averageLinkage(D, n);
    expect(Array.from(t.merge)).toEqual([-1, -2, -3, 1, -4, 2]);
    expect(Array.from(t.height)).toEqual([1, 1, 1]);
    expect(Array.from(t.order)).toEqual([3, 2, 0, 1]);
  });

  it('five points with tied minima (hand-derived from hclust.f)', () => {
    // 1-based; d14 = d23 = d45 = 0.2, every other pair 0.5.
    //  Initial NN: NN(1)=4 (.2), NN(2)=3 (.2), NN(3)=4 (.5, first of the .5 ties), NN(4)=5 (.2).
    //  Step 1: i=1 is the first with DISNN .2 -> merge (1,4) at .2.
    //          d(1,2) = (.5+.5)/2 = .5 -> NN(1)=2; d(1,3) = .5 not <; d(1,5) = (.5+.2)/2 = .35 -> NN(1)=5.
    //          NN(3) was 4 -> recomputed over active j > 3: only 5 (.5) -> NN(3)=5.
    //  Step 2: DISNN = (1:.35, 2:.2, 3:.5) -> merge (2,3) at .2; d(1,2) = .5 (K < I2: .5 < .35? no);
    //          d(2,5) = .5 -> NN(2)=5.
    //  Step 3: merge (1,5) at .35; d(1,2) = (2*.5 + 1*.5)/3 = .5.  Step 4: merge (1,2) at .5.
    //  HCASS2: (-1,-4), (-2,-3), (1,-5) -> (-5, 1), (3, 2) -> (2, 3).
    //  Order: (2,3) -> 2 = (-2,-3), 3 = (-5, 1), 1 = (-1,-4): 2 3 5 1 4.
    const D = fromPairs(5, {
      '1,2': 0.5, '1,3': 0.5, '1,4': 0.2, '1,5': 0.5, '2,3': 0.2,
      '2,4': 0.5, '2,5': 0.5, '3,4': 0.5, '3,5': 0.5, '4,5': 0.2,
    });
    const t = averageLinkage(D, 5);
    expect(Array.from(t.merge)).toEqual([-1, -4, -2, -3, -5, 1, 2, 3]);
    expect(Array.from(t.height)).toEqual([0.2, 0.2, 0.35, 0.5]);
    expect(Array.from(t.order)).toEqual([1, 2, 4, 0, 3]);
    // Cophenetic distances follow from the same derivation.
    const c = cophenetic(t, 5);
    const at = (i: number, j: number): number => c[(i - 1) * 5 + (j - 1)]!;
    expect(at(1, 4)).toBe(0.2);
    expect(at(2, 3)).toBe(0.2);
    expect(at(1, 5)).toBe(0.35);
    expect(at(4, 5)).toBe(0.35);
    expect(at(1, 2)).toBe(0.5);
    expect(at(3, 5)).toBe(0.5);
    expect(at(3, 3)).toBe(0);
    // Cut in leaf order 2 3 5 1 4: k = 2 -> {2,3} = 1, {1,4,5} = 2; k = 3 -> {2,3}, {5}, {1,4}.
    expect(Array.from(cutree(t, 2))).toEqual([2, 1, 1, 2, 2]);
    expect(Array.from(cutree(t, 3))).toEqual([3, 1, 1, 3, 2]);
    expect(Array.from(cutree(t, 1))).toEqual([1, 1, 1, 1, 1]);
    const k5 = cutree(t, 5);
    t.order.forEach((s, p) => expect(k5[s]).toBe(p + 1));
  });

  it('reads only the lower triangle, like as.dist', () => {
    const D = fromPairs(4, { '1,2': 0.1, '1,3': 0.4, '1,4': 0.7, '2,3': 0.5, '2,4': 0.6, '3,4': 0.2 });
    const garbage = Float64Array.from(D);
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) garbage[i * 4 + j] = 99; // upper triangle
    expect(averageLinkage(garbage, 4)).toEqual(averageLinkage(D, 4));
  });

  it('matches a literal transliteration of hclust.f on tie-heavy random matrices', () => {
    const rand = mulberry32(20240601);
    let cases = 0;
    for (const levels of [2, 4, 5, 10, 20, 50]) {
      for (const n of [3, 4, 5, 7, 10, 16, 25, 40, 60]) {
        for (let rep = 0; rep < 4; rep++) {
          const D = tiedMatrix(n, levels, rand);
          const ours = averageLinkage(D, n);
          const ref = fortranReference(D, n);
          expect(Array.from(ours.merge)).toEqual(ref.merge);
          expect(Array.from(ours.height)).toEqual(ref.height);
          expect(Array.from(ours.order)).toEqual(ref.order);
          cases++;
        }
      }
    }
    expect(cases).toBe(6 * 9 * 4);
  });

  it('matches a literal transliteration on block (consensus-like) matrices', () => {
    const rand = mulberry32(7);
    for (let rep = 0; rep < 20; rep++) {
      const n = 30 + Math.floor(rand() * 30);
      const runs = [10, 20, 50][rep % 3]!;
      const truth = Array.from({ length: n }, () => Math.floor(rand() * 4));
      const D = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) {
          let same = 0;
          for (let r = 0; r < runs; r++) {
            const flip = rand() < 0.15;
            if ((truth[i] === truth[j]) !== flip) same++;
          }
          D[i * n + j] = D[j * n + i] = 1 - same / runs;
        }
      }
      const ours = averageLinkage(D, n);
      const ref = fortranReference(D, n);
      expect(Array.from(ours.merge)).toEqual(ref.merge);
      expect(Array.from(ours.height)).toEqual(ref.height);
      expect(Array.from(ours.order)).toEqual(ref.order);
    }
  });

  it('agrees with a naive global-minimum UPGMA (heights and cophenetic distances)', () => {
    const rand = mulberry32(99);
    for (let rep = 0; rep < 30; rep++) {
      const n = 2 + Math.floor(rand() * 40);
      const D = rep % 2 === 0 ? tiedMatrix(n, 10, rand) : tiedMatrix(n, 1 << 30, rand); // tied / continuous
      const t = averageLinkage(D, n);
      const ref = naiveHeights(D, n);
      expect(Array.from(t.height)).toEqual(ref.height);
      expect(Array.from(cophenetic(t, n))).toEqual(Array.from(ref.coph));
      // The tree is well-formed: each step refers to earlier steps, and the order is a permutation.
      for (let s = 0; s < n - 1; s++) {
        for (const v of [t.merge[2 * s]!, t.merge[2 * s + 1]!]) {
          expect(v === 0 || v > s || v < -n).toBe(false);
        }
      }
      expect(Array.from(t.order).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('condensed and full inputs give the same tree', () => {
    const rand = mulberry32(3);
    const n = 50;
    const D = tiedMatrix(n, 20, rand);
    const d = condensedFromLower(D, n);
    const copy = Float64Array.from(d);
    expect(averageLinkageCondensed(d, n)).toEqual(averageLinkage(D, n));
    expect(d).toEqual(copy); // copy = true leaves the input intact
  });

  it('rejects bad input', () => {
    expect(() => averageLinkage(new Float64Array(3), 2)).toThrow();
    expect(() => averageLinkage(new Float64Array(1), 1)).toThrow();
    expect(() => averageLinkage(new Float64Array([0, NaN, NaN, 0]), 2)).toThrow();
  });

  it('n = 3000 consensus-like matrix: a complete, monotone tree (speed is measured by npm run bench)', () => {
    const rand = mulberry32(11);
    const n = 3000;
    const runs = 50;
    const truth = Array.from({ length: n }, () => Math.floor(rand() * 6));
    const D = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const p = truth[i] === truth[j] ? 0.9 : 0.1;
        const same = Math.min(runs, Math.max(0, Math.round(runs * p + (rand() - 0.5) * 10)));
        D[i * n + j] = D[j * n + i] = 1 - same / runs;
      }
    }
    const t = averageLinkage(D, n);
    expect(t.height.length).toBe(n - 1);
    let inversions = 0;
    for (let s = 1; s < n - 1; s++) if (t.height[s]! < t.height[s - 1]! - 1e-12) inversions++;
    expect(inversions).toBe(0); // UPGMA is monotone
  }, 60_000);
});
