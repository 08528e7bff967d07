/**
 * The average-linkage tree drawn above the ordered heatmap: one vertical segment per child and one
 * horizontal bar per merge, in pixel coordinates that line up with the heatmap's columns (leaf at
 * order position p sits at x = origin + (p + 0.5) * cell). Heights are the merge heights on 1 - C.
 */
import type { Tree } from '../lib/metrics/hclust.js';

export interface Segment {
  x: number;
  x2: number;
  y: number;
  y2: number;
}

/** Segments for a tree over n leaves, drawn in a box of `height` pixels (root at the top). */
export function dendrogramSegments(tree: Tree, origin: number, cell: number, height: number): Segment[] {
  const n = tree.order.length;
  const leafPos = new Float64Array(n);
  tree.order.forEach((leaf, p) => (leafPos[leaf] = origin + (p + 0.5) * cell));
  const top = Math.max(...tree.height, 1e-12);
  const y = (h: number) => height * (1 - h / top);
  const nodeX = new Float64Array(n - 1);
  const nodeH = new Float64Array(n - 1);
  const at = (v: number): [number, number] => (v < 0 ? [leafPos[-v - 1]!, 0] : [nodeX[v - 1]!, nodeH[v - 1]!]);
  const out: Segment[] = [];
  for (let s = 0; s < n - 1; s++) {
    const [xa, ha] = at(tree.merge[2 * s]!);
    const [xb, hb] = at(tree.merge[2 * s + 1]!);
    const h = tree.height[s]!;
    out.push({ x: xa, x2: xa, y: y(ha), y2: y(h) }, { x: xb, x2: xb, y: y(hb), y2: y(h) }, { x: xa, x2: xb, y: y(h), y2: y(h) });
    nodeX[s] = (xa + xb) / 2;
    nodeH[s] = h;
  }
  return out;
}
