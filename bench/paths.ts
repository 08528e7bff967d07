/** Locations the bench needs, from the compiled file's place in dist/bench/ (or bench/ under vitest). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Repository root: the nearest folder above this file that holds package.json. */
export const ROOT = ((): string => {
  let dir = here;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`bench: no package.json above ${here}`);
    dir = up;
  }
  return dir;
})();

export const CLI_BIN = join(ROOT, 'bin', 'nmf-consensus.js');
/** The compiled child entry; the harness always runs compiled code so children start fast. */
export const CHILD_SCRIPT = join(ROOT, 'dist', 'bench', 'child.js');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

export function defaultOutFile(date: Date): string {
  // Colons are not portable in file names.
  return join(RESULTS_DIR, `bench-${date.toISOString().replace(/[:.]/g, '-')}.json`);
}

export function resolveFromCwd(p: string): string {
  return resolve(process.cwd(), p);
}
