/**
 * Cut a dendrogram into k clusters: the connected components after the first n - k merges (as R's
 * `cutree(tree, k)`, which cuts by merge step). Unlike R, which numbers clusters by their first
 * observation, clusters are numbered 1..k in LEAF ORDER: the cluster of `tree.order[0]` is 1, the next
 * new cluster met walking the order is 2, and so on (docs/design.md section 5).
 */
import type { Tree } from './hclust.js';

/** Membership 1..k per sample (input order), clusters numbered in leaf order. */
export function cutree(tree: Tree, k: number): Int32Array {
  const n = tree.order.length;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`cutree: k must be an integer in 1..${n}, got ${k}`);
  // Union-find over samples; nodes of the merge matrix resolve to a representative sample.
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const rep = new Int32Array(Math.max(n - 1, 0)); // a sample in the cluster formed at each step
  const sample = (v: number): number => (v < 0 ? -v - 1 : rep[v - 1]!);
  for (let s = 0; s < n - k; s++) {
    const a = find(sample(tree.merge[2 * s]!));
    const b = find(sample(tree.merge[2 * s + 1]!));
    parent[b] = a;
    rep[s] = a;
  }
  const label = new Int32Array(n);
  const byRoot = new Int32Array(n); // root -> cluster number (0 = unseen)
  let next = 0;
  for (let p = 0; p < n; p++) {
    const i = tree.order[p]!;
    const r = find(i);
    if (byRoot[r] === 0) byRoot[r] = ++next;
    label[i] = byRoot[r]!;
  }
  return label;
}
