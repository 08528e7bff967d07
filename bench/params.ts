/** Typed reads of a workload's Params (they arrive as JSON, possibly overridden with --set). */
import type { Params } from './types.js';

export function num(p: Params, key: string): number {
  const v = p[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`bench: parameter ${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

export function str(p: Params, key: string): string {
  const v = p[key];
  if (typeof v === 'number') return String(v); // `--set ks=3` parses as a number
  if (typeof v !== 'string') throw new Error(`bench: parameter ${key} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

export function numList(p: Params, key: string): number[] {
  const v = p[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new Error(`bench: parameter ${key} must be a list of numbers, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Parse one `--set key=value`: JSON when it parses (numbers, lists), else the raw string. */
export function parseSetting(s: string): [string, Params[string]] {
  const eq = s.indexOf('=');
  if (eq <= 0) throw new Error(`bench: --set expects key=value, got "${s}"`);
  const key = s.slice(0, eq);
  const raw = s.slice(eq + 1);
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return [key, v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return [key, v as number[]];
  } catch {
    // not JSON: a plain string such as an algorithm name
  }
  return [key, raw];
}
