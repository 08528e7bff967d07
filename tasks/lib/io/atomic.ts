/**
 * Crash-safe output. Every file is written to a temporary sibling and renamed into place, so a
 * killed task never leaves a half-written file under the final name. Directories of results are
 * built in a temporary sibling folder and renamed as a whole (see `commitDir`).
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, basename, join } from 'node:path';
import { log } from '../log.js';
import { processAlive } from './lock.js';
import { carryForeignEntries, isToolEntry, writeMarker, type OutputKind } from './outdir.js';

// Host names may hold '-' and '.': encode them so the temporary name can be parsed back.
const HOST = Buffer.from(hostname()).toString('hex');

function tmpName(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${HOST}-${process.pid}-${Date.now().toString(36)}`);
}

/**
 * Remove what killed processes of this host left beside `finalDir` (temporary folders and files
 * named by tmpName). Entries of live processes, or of other hosts on a shared file system, are kept.
 */
function removeStale(finalDir: string, kind: OutputKind): void {
  const parent = dirname(finalDir);
  if (!existsSync(parent)) return;
  const prefix = `.${basename(finalDir)}.tmp-${HOST}-`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    const path = join(parent, name);
    // A user's file carried over by a run killed right before its rename is never deleted.
    const foreign = statSync(path).isDirectory() ? readdirSync(path).filter((e) => !isToolEntry(kind, e)) : [];
    if (foreign.length > 0) log.warn(`${path}: left by a killed run and holding ${foreign.join(', ')}, which nmf-consensus did not write; move them back by hand`);
    else rmSync(path, { recursive: true, force: true });
  }
}

/** Write `data` (or its parts, one after another, without joining them in memory) under `path`, atomically. */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) {
      writeFileSync(tmp, data);
    } else {
      const fd = openSync(tmp, 'w');
      try {
        for (const part of data) {
          for (let off = 0; off < part.length; ) off += writeSync(fd, part, off, part.length - off);
        }
      } finally {
        closeSync(fd);
      }
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    // writeSync's errors carry no path; name the file the user asked for.
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e === 'object' && e.code && !e.path) e.path = path;
    throw err;
  }
}

/**
 * Create a fresh temporary folder beside `finalDir`; the caller fills it and calls `commitDir`.
 * A previous committed `finalDir` is replaced only at commit time.
 */
export function stagingDir(finalDir: string, kind: OutputKind): string {
  removeStale(finalDir, kind);
  const tmp = tmpName(finalDir);
  mkdirSync(tmp, { recursive: true });
  writeMarker(tmp, kind);
  return tmp;
}

/**
 * Move a filled staging folder into place, replacing an older result (never a partial one). The
 * caller has checked with claimOutput that `finalDir` is the tool's; entries in it the tool did not
 * write move into the new folder first, so only tool-made files are moved aside and deleted.
 */
export function commitDir(staging: string, finalDir: string, kind: OutputKind): void {
  mkdirSync(dirname(finalDir), { recursive: true });
  if (existsSync(finalDir)) {
    carryForeignEntries(finalDir, staging, kind);
    const old = tmpName(finalDir) + '.old';
    renameSync(finalDir, old);
    renameSync(staging, finalDir);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(staging, finalDir);
  }
}

export function discardDir(staging: string): void {
  rmSync(staging, { recursive: true, force: true });
}
