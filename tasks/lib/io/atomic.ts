/**
 * Crash-safe output. Every file is written to a temporary sibling and renamed into place, so a
 * killed task never leaves a half-written file under the final name. Directories of results are
 * built in a temporary sibling folder and renamed as a whole (see `commitDir`).
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

function tmpName(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}`);
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Create a fresh temporary folder beside `finalDir`; the caller fills it and calls `commitDir`.
 * A previous committed `finalDir` is replaced only at commit time.
 */
export function stagingDir(finalDir: string): string {
  const tmp = tmpName(finalDir);
  mkdirSync(tmp, { recursive: true });
  return tmp;
}

/** Move a filled staging folder into place, replacing an older result (never a partial one). */
export function commitDir(staging: string, finalDir: string): void {
  mkdirSync(dirname(finalDir), { recursive: true });
  if (existsSync(finalDir)) {
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
