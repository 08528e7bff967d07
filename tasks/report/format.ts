/** Text formatting for the report: the shared number formats, and HTML escaping. */
export { fmt, fmtPair, fmtDiff, listKs } from '../lib/format.js';

/** Escape text for HTML element content and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
