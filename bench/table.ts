/** The plain-text summary printed on stdout (the JSON file has everything; this is for reading). */
import type { BenchReport, CaseRow } from './types.js';

/** A cell: fixed `digits` when given, else integers as they are and other numbers to 3 decimals. */
export function fmt(x: number | string | null | undefined, digits?: number): string {
  if (x === null || x === undefined) return '-';
  if (typeof x === 'string') return x;
  if (!Number.isFinite(x)) return '-';
  if (digits !== undefined) return x.toFixed(digits);
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** Columns padded to their widest cell; numbers right-aligned, text left-aligned. */
export function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((r) => /^-?[\d.]+$|^-$/.test(r[c] ?? '')));
  const line = (cells: string[]) =>
    cells.map((s, c) => (numeric[c] ? s.padStart(widths[c]!) : s.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function casesTable(cases: CaseRow[]): string {
  const headers = [...new Set(cases.flatMap((c) => Object.keys(c)))];
  // Case values are already rounded by the workload: print them as they are.
  return textTable(headers, cases.map((c) => headers.map((h) => (typeof c[h] === 'number' ? String(c[h]) : fmt(c[h])))));
}

function loads(x: { load_before?: number; load_after?: number }): string {
  return x.load_before === undefined ? '-' : `${x.load_before.toFixed(2)}/${(x.load_after ?? NaN).toFixed(2)}`;
}

export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`nmf-consensus bench  ${r.created}${r.quick ? '  (quick)' : ''}`);
  out.push(`machine: ${m.cpu_model}, ${m.cores} cores, ${m.total_mem_gb} GB, node ${m.node}, ${m.platform}-${m.arch}`);
  out.push('');
  out.push(textTable(
    ['workload', 'wall s', 'iterations', 'ms/iter', 'peak RSS MB', 'load 1m before/after', 'backend', 'status'],
    r.workloads.map((w) => [
      w.name, fmt(w.wall_s, 2), fmt(w.iterations), fmt(w.per_iteration_ms, 3), fmt(w.peak_rss_mb, 1), loads(w), w.backend,
      w.error !== undefined ? 'FAILED' : 'ok',
    ]),
  ));
  for (const w of r.workloads) {
    const parts: string[] = [];
    if (w.cases && w.cases.length > 0) parts.push(casesTable(w.cases));
    for (const n of w.notes ?? []) parts.push(`note: ${n}`);
    if (w.error !== undefined) parts.push(`error: ${w.error}`);
    for (const p of w.peers ?? []) {
      for (const c of p.cases ?? []) parts.push(`${p.name}: ${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      if (p.error !== undefined) parts.push(`${p.name} error: ${p.error}`);
    }
    if (w.peers) {
      parts.push(textTable(
        ['peer', 'wall s', 'iterations', 'ms/iter', 'peak RSS MB', 'load 1m before/after', 'ours/peer wall', 'ours/peer ms/iter', 'ours/peer RSS', 'status'],
        w.peers.map((p) => [p.name, fmt(p.wall_s, 2), fmt(p.iterations), fmt(p.per_iteration_ms, 3), fmt(p.peak_rss_mb, 1), loads(p),
          fmt(w.ratio?.[p.name]?.wall_s, 3), fmt(w.ratio?.[p.name]?.per_iteration_ms, 3), fmt(w.ratio?.[p.name]?.peak_rss_mb, 2),
          p.error !== undefined ? 'FAILED' : 'ok']),
      ));
    }
    if (parts.length > 0) out.push('', `${w.name}:`, ...parts);
  }
  return out.join('\n');
}
