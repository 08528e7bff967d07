/**
 * Cophenetic distances and the cophenetic correlation coefficient.
 *
 * Cophenetic distance (R `stats::cophenetic`): coph(i, j) = height of the merge at which i and j first
 * join the same cluster.
 *
 * Cophenetic correlation (R NMF 0.25 `cophcor`):
 *   rho = cor(as.dist(1 - C), cophenetic(hclust(as.dist(1 - C), "average")))   (Pearson)
 * with NMF's guard: a C whose strict upper triangle is all 0 and whose diagonal is constant gives 1.
 * When either vector is constant the correlation is undefined and NaN is returned (R gives NA).
 */
import { averageLinkageCondensed, condensedFromLower, condensedIndex, type Tree } from './hclust.js';

/** Members of every node of the tree, as singly-linked lists over samples (iterated in merge order). */
interface MemberLists {
  head: Int32Array;
  next: Int32Array;
  size: Int32Array;
}

function walkMerges(tree: Tree, n: number, visit: (step: number, a: number, b: number, lists: MemberLists) => void): void {
  // Node ids: singleton i -> i; cluster formed at step s (0-based) -> n + s.
  const head = new Int32Array(2 * n - 1);
  const tail = new Int32Array(2 * n - 1);
  const size = new Int32Array(2 * n - 1);
  const next = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    head[i] = i;
    tail[i] = i;
    size[i] = 1;
  }
  const node = (v: number): number => (v < 0 ? -v - 1 : n + v - 1);
  const lists = { head, next, size };
  for (let s = 0; s < n - 1; s++) {
    const a = node(tree.merge[2 * s]!);
    const b = node(tree.merge[2 * s + 1]!);
    if (a >= n + s || b >= n + s) throw new Error('cophenetic: merge refers to a later step');
    visit(s, a, b, lists);
    const c = n + s;
    head[c] = head[a]!;
    next[tail[a]!] = head[b]!;
    tail[c] = tail[b]!;
    size[c] = size[a]! + size[b]!;
  }
}

/**
 * Cophenetic distances as a condensed vector (pairs i < j, row by row; see `condensedIndex`).
 * `out` may be given to reuse memory (e.g. the workspace consumed by the clustering).
 */
export function copheneticCondensed(tree: Tree, n: number, out?: Float64Array): Float64Array {
  const res = out ?? new Float64Array((n * (n - 1)) / 2);
  if (res.length !== (n * (n - 1)) / 2) throw new Error('copheneticCondensed: wrong output length');
  forEachCrossPair(tree, n, (x, y, h) => {
    res[x < y ? condensedIndex(n, x, y) : condensedIndex(n, y, x)] = h;
  });
  return res;
}

/** Cophenetic distances as a full symmetric n*n matrix with a zero diagonal. */
export function cophenetic(tree: Tree, n: number): Float64Array {
  const out = new Float64Array(n * n);
  forEachCrossPair(tree, n, (x, y, h) => {
    out[x * n + y] = h;
    out[y * n + x] = h;
  });
  return out;
}

/** Calls f(x, y, height) once for every unordered pair of samples, at the merge that joins them. */
export function forEachCrossPair(tree: Tree, n: number, f: (x: number, y: number, h: number) => void): void {
  walkMerges(tree, n, (s, a, b, { head, next, size }) => {
    const h = tree.height[s]!;
    let x = head[a]!;
    for (let p = 0; p < size[a]!; p++, x = next[x]!) {
      let y = head[b]!;
      for (let q = 0; q < size[b]!; q++, y = next[y]!) f(x, y, h);
    }
  });
}

/**
 * Pearson correlation of two equal-length vectors: two passes (means refined as in R's cov.c), then
 * Neumaier-compensated centred sums. NaN when either vector is constant (R: NA with a warning).
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const len = x.length;
  if (len !== y.length) throw new Error('pearson: length mismatch');
  if (len < 2) return NaN;
  const mx = mean(x);
  const my = mean(y);
  const sxy = new Compensated();
  const sxx = new Compensated();
  const syy = new Compensated();
  for (let i = 0; i < len; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy.add(dx * dy);
    sxx.add(dx * dx);
    syy.add(dy * dy);
  }
  const vx = sxx.value();
  const vy = syy.value();
  if (!(vx > 0) || !(vy > 0)) return NaN;
  const r = sxy.value() / Math.sqrt(vx * vy);
  return Math.max(-1, Math.min(1, r));
}

/** Neumaier (improved Kahan) summation. */
class Compensated {
  private s = 0;
  private c = 0;
  add(v: number): void {
    const t = this.s + v;
    if (Math.abs(this.s) >= Math.abs(v)) this.c += this.s - t + v;
    else this.c += v - t + this.s;
    this.s = t;
  }
  value(): number {
    return this.s + this.c;
  }
}

function mean(x: ArrayLike<number>): number {
  const s = new Compensated();
  for (let i = 0; i < x.length; i++) s.add(x[i]!);
  let m = s.value() / x.length;
  const r = new Compensated();
  for (let i = 0; i < x.length; i++) r.add(x[i]! - m);
  m += r.value() / x.length;
  return m;
}

/**
 * Cophenetic correlation of a consensus matrix C (n*n, row-major, values in [0, 1]), exactly as
 * R NMF 0.25 `cophcor(C)`: D = as.dist(1 - C) reads the lower triangle, D(i, j) = 1 - C[j][i], i < j.
 */
export function copheneticCorrelation(C: Float64Array, n: number): number {
  if (C.length !== n * n) throw new Error(`copheneticCorrelation: expected ${n * n} values, got ${C.length}`);
  if (n < 2) return NaN;
  // NMF's safe-guard for a diagonal matrix.
  let upperZero = true;
  for (let i = 0; i < n && upperZero; i++) for (let j = i + 1; j < n; j++) if (C[i * n + j] !== 0) { upperZero = false; break; }
  if (upperZero) {
    let diagConst = true;
    for (let i = 1; i < n; i++) if (C[i * n + i] !== C[0]) diagConst = false;
    if (diagConst) return 1;
  }
  const d = condensedFromLower(C, n, true);
  // The clustering consumes a copy of d as workspace; that memory then holds the cophenetic distances.
  const work = Float64Array.from(d);
  const tree = averageLinkageCondensed(work, n, false);
  return pearson(d, copheneticCondensed(tree, n, work));
}
