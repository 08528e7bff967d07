/**
 * One writer per output folder: a lock file holding the PID and host of the run that writes there,
 * created atomically (link of a complete file), so a second run into the same folder is refused
 * instead of racing. A lock of a dead process on this host is stale and taken over; one of another
 * host cannot be checked from here and is reported with the way to remove it.
 */
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { outputError } from '../errors.js';
import { log } from '../log.js';

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

/** True when a process with this id exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

const held = new Set<string>();
const releaseAll = () => {
  for (const p of held) rmSync(p, { force: true });
  held.clear();
};
process.on('exit', releaseAll);

/**
 * A run stopped by SIGTERM (Slurm's time limit, a scheduler's cancel), SIGINT or SIGHUP removes its
 * locks, then dies of the same signal (so retry rules on 128+signal still apply). SIGKILL cannot be
 * caught: its locks are found stale by the next run on the same host.
 */
let signalsHooked = false;
function hookSignals(): void {
  if (signalsHooked || !isMainThread) return;
  signalsHooked = true;
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = () => {
      releaseAll();
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

/**
 * Take the lock file `path` for the folder `target` and return its release. A lock this process
 * already holds (a worker thread of the same run, or `run` around its stages) is shared.
 */
export function acquireLock(path: string, target: string): () => void {
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    const tmp = `${path}.${process.pid}.${Date.now().toString(36)}`;
    try {
      writeFileSync(tmp, JSON.stringify(me) + '\n');
    } catch (err) {
      // The first write into the output's parent: a read-only or full disk shows here; name the folder.
      (err as NodeJS.ErrnoException).path = dirname(target);
      throw err;
    }
    try {
      linkSync(tmp, path);
      held.add(path);
      hookSignals();
      return () => {
        if (held.delete(path)) rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(tmp, { force: true });
    }
    const other = readLock(path);
    if (other && other.host === me.host && other.pid === me.pid) return () => {};
    if (other && other.host === me.host && !processAlive(other.pid)) {
      log.info(`${target}: removing the stale lock of process ${other.pid}, which no longer runs`);
      rmSync(path, { force: true });
      continue;
    }
    const who = other ? `process ${other.pid} on host ${other.host} (since ${other.started})` : 'another process (its lock file is unreadable)';
    throw outputError(target, `another nmf-consensus run, ${who}, is writing here`, `wait for it to finish; if it is gone, delete ${path} and rerun`);
  }
  throw outputError(target, 'the lock could not be taken', `delete ${path} and rerun`);
}
