/**
 * Finding, checking and loading factorize shards for the consensus stage. Shards must come from the
 * same preprocessed matrix, algorithm, seed, parameters and backend; per k their restart ranges must
 * not overlap and must cover 0..R-1 (R = --restarts, or the largest restart + 1), and so must the
 * random-data baseline's (groupBaseline), unless --allow-partial, which is then recorded in the outputs. Every file is checked against the sha256
 * its shard.json records before it is used. Violations exit 4.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { shardError } from '../lib/errors.js';
import { log } from '../lib/log.js';
import { baselineRestarts } from '../lib/params.js';
import { decodeNpy } from '../lib/io/npy.js';
import { readShardFile, readShardManifest, type ShardManifest } from '../lib/manifest/shard.js';

export interface LoadedShard {
  dir: string;
  manifest: ShardManifest;
}

export interface KGroup {
  k: number;
  shards: LoadedShard[];
  /** Restarts present, ascending. */
  restarts: number[];
  missing: number[];
}

/** Shard folders in each given path: the path itself if it holds shard.json, else its subfolders. */
export function findShards(paths: readonly string[]): LoadedShard[] {
  const dirs: string[] = [];
  for (const p of paths) {
    if (!existsSync(p) || !statSync(p).isDirectory()) throw shardError(`${p}: not a folder of shards; pass the factorize --outdir (e.g. DIR/shards).`);
    if (existsSync(join(p, 'shard.json'))) dirs.push(p);
    else {
      for (const name of readdirSync(p).sort()) {
        // Temporary folders of unfinished shards start with '.'; they are never read.
        if (name.startsWith('.')) continue;
        const d = join(p, name);
        if (statSync(d).isDirectory() && existsSync(join(d, 'shard.json'))) dirs.push(d);
      }
    }
  }
  if (dirs.length === 0) throw shardError(`no shards found in ${paths.join(', ')}; run factorize first (each shard is a folder with shard.json).`);
  // A folder given twice (--shards D/shards D/shards/k2.r0-9) is one shard, not an overlap.
  const seen = new Set<string>();
  return dirs.filter((d) => !seen.has(resolve(d)) && seen.add(resolve(d))).map((dir) => ({ dir, manifest: readShardManifest(dir) }));
}

const IDENTITY_FIELDS = ['matrix_sha256', 'algorithm', 'seed', 'backend'] as const;

/**
 * Check compatibility (with `ref`: the first shard unless given) and completeness; group by k.
 * `baseline`: these are random-data baseline shards (null.k*), named so in the messages.
 */
export function groupShards(shards: LoadedShard[], expectedRestarts: number | undefined, allowPartial: boolean, ref: LoadedShard = shards[0]!, baseline = false): KGroup[] {
  const flag = baseline ? '--null-restarts' : '--restarts';
  const what = baseline ? ' random-data baseline' : '';
  for (const s of shards) {
    for (const f of IDENTITY_FIELDS) {
      if (s.manifest[f] !== ref.manifest[f]) {
        throw shardError(`${s.dir}: ${f} is ${JSON.stringify(s.manifest[f])} but ${ref.dir} has ${JSON.stringify(ref.manifest[f])}; shards must come from one input and one set of parameters, so rerun factorize for the odd ones.`);
      }
    }
    if (JSON.stringify(s.manifest.params) !== JSON.stringify(ref.manifest.params)) {
      throw shardError(`${s.dir}: parameters ${JSON.stringify(s.manifest.params)} differ from ${ref.dir} (${JSON.stringify(ref.manifest.params)}); rerun factorize with the same parameters.`);
    }
  }
  const byK = new Map<number, LoadedShard[]>();
  for (const s of shards) byK.set(s.manifest.k, [...(byK.get(s.manifest.k) ?? []), s]);
  const groups: KGroup[] = [];
  for (const k of [...byK.keys()].sort((a, b) => a - b)) {
    const list = byK.get(k)!.sort((a, b) => a.manifest.restarts.first - b.manifest.restarts.first);
    const seen: number[] = [];
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const cur = list[i]!;
      if (cur.manifest.restarts.first <= prev.manifest.restarts.last) {
        throw shardError(`${cur.dir} and ${prev.dir} overlap (restarts ${cur.manifest.restarts.first}-${prev.manifest.restarts.last} of k=${k} twice); remove one of them.`);
      }
    }
    for (const s of list) for (let r = s.manifest.restarts.first; r <= s.manifest.restarts.last; r++) seen.push(r);
    const want = expectedRestarts ?? seen[seen.length - 1]! + 1;
    if (seen[seen.length - 1]! >= want) {
      throw shardError(`${list[list.length - 1]!.dir}: holds${what} restart ${seen[seen.length - 1]} of k=${k}, beyond ${flag} ${want} (0-${want - 1}); pass the right count or remove that shard.`);
    }
    const present = new Set(seen);
    const missing: number[] = [];
    for (let r = 0; r < want; r++) if (!present.has(r)) missing.push(r);
    if (missing.length > 0 && !allowPartial) {
      throw shardError(`k=${k}:${what} restarts ${compactRanges(missing)} are missing from the shards; run factorize${baseline ? ' --null' : ''} for them, or pass --allow-partial to merge what is there (recorded in the outputs).`);
    }
    groups.push({ k, shards: list, restarts: seen, missing });
  }
  return groups;
}

/**
 * The random-data baseline's groups, checked as the data's are. With `nullRestarts` N (run and the
 * workflows pass the null_restarts parameter) every k of the data must have baseline restarts
 * 0..min(N, R)-1 (R: --restarts, or the data's count); without it, once any baseline shard is found
 * every k must have baseline restarts 0..M (M: the largest found). N = 0: no baseline is used.
 * With --allow-partial a k without baseline shards gets a group with no shards and every restart missing.
 */
export function groupBaseline(data: readonly KGroup[], nullShards: LoadedShard[], nullRestarts: number | undefined, restarts: number | undefined, allowPartial: boolean, ref: LoadedShard): KGroup[] {
  if (nullRestarts === 0 || (nullRestarts === undefined && nullShards.length === 0)) {
    if (nullShards.length > 0) log.warn(`consensus: --null-restarts 0: the random-data baseline shards found (${nullShards[0]!.dir}, ...) are not used`);
    return [];
  }
  const planned = restarts ?? Math.max(...data.map((g) => g.restarts.length + g.missing.length));
  const want = nullRestarts !== undefined ? baselineRestarts(nullRestarts, planned) : Math.max(...nullShards.map((s) => s.manifest.restarts.last)) + 1;
  const groups = nullShards.length > 0 ? groupShards(nullShards, want, allowPartial, ref, true) : [];
  for (const g of groups) if (!data.some((d) => d.k === g.k)) log.warn(`consensus: random-data baseline shards of k=${g.k} have no shards of the data; ignored`);
  for (const d of data) {
    if (groups.some((g) => g.k === d.k)) continue;
    const range = want === 1 ? '0' : `0-${want - 1}`;
    if (!allowPartial) {
      throw shardError(`k=${d.k}: random-data baseline restarts ${range} are missing from the shards (no null.k${d.k}.* shard); run factorize --null --k ${d.k} --restarts ${range} for them, or pass --allow-partial to merge what is there (recorded in the outputs).`);
    }
    log.warn(`consensus: k=${d.k} has no random-data baseline shards (--allow-partial); its null metrics are left empty`);
    groups.push({ k: d.k, shards: [], restarts: [], missing: Array.from({ length: want }, (_, r) => r) });
  }
  return groups.sort((a, b) => a.k - b.k);
}

/** [0,1,2,5,7,8] -> "0-2, 5, 7-8". */
export function compactRanges(xs: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    parts.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** Labels of all restarts of a group, restart-major, in ascending restart order. */
export function loadLabels(group: KGroup, n: number): Uint16Array {
  const out = new Uint16Array(group.restarts.length * n);
  let offset = 0;
  for (const s of group.shards) {
    const m = s.manifest;
    const R = m.restarts.last - m.restarts.first + 1;
    const path = join(s.dir, m.labels.file);
    const buf = readShardFile(s.dir, m, 'labels.bin');
    const bytesPer = m.labels.dtype === 'uint8' ? 1 : 2;
    if (buf.byteLength !== R * n * bytesPer) {
      throw shardError(`${path}: ${buf.byteLength} bytes, expected ${R * n * bytesPer} (${R} restarts x ${n} samples, ${m.labels.dtype}); the shard is damaged, rerun factorize for it.`);
    }
    const labels = bytesPer === 1 ? new Uint8Array(buf.buffer, buf.byteOffset, R * n) : new Uint16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    for (let i = 0; i < labels.length; i++) {
      if (labels[i]! >= m.k) throw shardError(`${path}: label ${labels[i]} at restart ${m.restarts.first + Math.floor(i / n)} is not below k=${m.k}; the shard is damaged, rerun factorize for it.`);
    }
    out.set(labels, offset);
    offset += labels.length;
  }
  return out;
}

/** The W of every restart of a group (m x k each), ascending restart order. */
export function loadFactors(group: KGroup, m: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (const s of group.shards) {
    const man = s.manifest;
    const R = man.restarts.last - man.restarts.first + 1;
    const path = join(s.dir, man.factors.W);
    const npy = decodeNpy(readShardFile(s.dir, man, 'W.npy'), path);
    const k = man.k;
    if (!(npy.data instanceof Float32Array) || npy.shape.join() !== [R, m, k].join()) {
      throw shardError(`${path}: expected float32 ${R} x ${m} x ${k}; the shard is damaged, rerun factorize for it.`);
    }
    const bad = npy.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw shardError(`${path}: value ${npy.data[bad]} at restart ${man.restarts.first + Math.floor(bad / (m * k))} is not a finite number; rerun factorize for this shard.`);
    for (let r = 0; r < R; r++) out.push(npy.data.subarray(r * m * k, (r + 1) * m * k));
  }
  return out;
}
