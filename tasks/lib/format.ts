/** Number and k-list formatting shared by log lines, the recommendation's sentences and the report. */

/** `x` with `digits` decimals, or `n/a` when it is not a finite number. */
export function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/**
 * Two numbers with the fewest decimals (at least `digits`, at most 10) that show them as different,
 * so a sentence never reads "drops from 0.997 to 0.997".
 */
export function fmtPair(a: number, b: number, digits = 3): [string, string] {
  let d = digits;
  while (d < 10 && a !== b && a.toFixed(d) === b.toFixed(d)) d++;
  return [fmt(a, d), fmt(b, d)];
}

/** A positive difference: 3 decimals, or 2 significant digits when it is below 0.001. */
export function fmtDiff(d: number): string {
  if (!Number.isFinite(d)) return 'n/a';
  return Math.abs(d) >= 1e-3 || d === 0 ? d.toFixed(3) : d.toPrecision(2);
}

/** "k=2", "k=2 and k=3", "k=2, k=3 and k=5". */
export function listKs(ks: readonly number[]): string {
  const parts = ks.map((k) => `k=${k}`);
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
