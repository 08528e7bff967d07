/**
 * Colours of the heatmap strips. Clusters (consensus and best fit) use Tableau 10, medium lightness;
 * annotations use dark and pale shades chosen to sit at least 29 CIE76 units (Lab distance) from
 * every cluster colour and from each other, so a cluster is never mistaken for an annotation group
 * (test/report/palette.test.ts checks the distances). Both cycle beyond their length.
 */
export const CLUSTER_COLORS: readonly string[] = [
  '#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac',
];
export const ANNOTATION_COLORS: readonly string[] = [
  '#442277', '#ccdd99', '#770033', '#99ccff', '#334400', '#ffbb77', '#005555', '#ffaaff', '#772200', '#11eebb', '#443355', '#775500',
];
/** Samples without an annotation. */
export const MISSING_COLOR = '#dddddd';
export const MISSING_ANNOTATION = '(none)';

export function cycle(colors: readonly string[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => colors[i % colors.length]!);
}
