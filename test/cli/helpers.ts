import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../paths.js';

export { ROOT };
export const BIN = join(ROOT, 'bin', 'nmf-consensus.js');

/** Run the built CLI (npm test builds first); never throws on a non-zero exit. */
export async function cli(args: string[], env: Record<string, string> = {}) {
  const r = await execa(process.execPath, [BIN, ...args], { reject: false, env: { NMF_PROGRESS_SECONDS: '1000', ...env }, timeout: 900_000 });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function tempDir(prefix = 'nmfc-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeTemp(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
