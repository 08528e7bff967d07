/** Locating files shipped with the package (schemas/, conf/), from source (vitest) or from dist/. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === 'nmf-consensus') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the nmf-consensus package root');
    dir = up;
  }
}

export function toolVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version as string;
}
