/**
 * The repository stands alone: no tracked file may name a path outside it (the development tree's
 * sibling `shared` folder, the machine's work folder, a user's home). A clone on another machine has
 * none of them, so a test or script that reads one fails there, or silently skips.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../paths.js';

/** Patterns of paths outside the repository, each with what it means. */
const OUTSIDE: { re: RegExp; what: string }[] = [
  { re: /\.\.[\\/]+shared\b/, what: 'the sibling shared/ folder of the development tree' },
  { re: /['"`]\.\.['"`]\s*,\s*['"`]shared['"`]/, what: 'the sibling shared/ folder, joined' },
  { re: /(^|[^\w.-])\/work\//, what: 'an absolute path under /work' },
  { re: /(^|[^\w.-])\/home\/[A-Za-z0-9_.-]+/, what: "an absolute path in a user's home" },
  { re: /(^|[^\w.-])\/Users\/[A-Za-z0-9_.-]+/, what: "an absolute path in a user's home (macOS)" },
  { re: /(^|[^\w.-])\/root\//, what: "an absolute path in root's home" },
];

/**
 * Paths that only look absolute, or are not on this machine: a .gitignore pattern, inside a
 * container image, on a cloud worker. Each entry is (file, the exact text allowed there).
 */
const ALLOWED: { file: string; text: string; why: string }[] = [
  { file: '.gitignore', text: '/work/', why: "Nextflow's work folder at the repository root (.gitignore patterns are relative to the repository)" },
  { file: 'containers/Dockerfile', text: '/home/nmf', why: "the image's non-root user's home, inside the image" },
  { file: 'containers/Dockerfile.gpu', text: '/home/nmf', why: "the image's non-root user's home, inside the image" },
  { file: 'test/workflows/container-build.sh', text: '/root/.npm', why: 'the npm cache mounted inside the build container' },
  { file: 'workflows/nextflow/nextflow.config', text: '/home/ec2-user/miniconda/bin/aws', why: "the AWS CLI on an AWS Batch worker's AMI (nf-core default)" },
  { file: 'workflows/nextflow/nextflow_schema.json', text: '/home/ec2-user/miniconda/bin/aws', why: "the AWS CLI on an AWS Batch worker's AMI (nf-core default)" },
  { file: 'schemas/params.schema.json', text: '/home/ec2-user/miniconda/bin/aws', why: "the AWS CLI on an AWS Batch worker's AMI (the source of the two above)" },
];

/** Paths outside the repository named in `text` (ignoring the allowed ones for `file`). */
export function outsidePaths(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    let rest = line;
    for (const a of ALLOWED) if (a.file === file) rest = rest.split(a.text).join('');
    for (const { re, what } of OUTSIDE) if (re.test(rest)) found.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
  });
  return found;
}

const SKIP_DIRS = new Set(['node_modules', 'dist', 'out', '.git']);

/** Files git tracks or would add (not ignored); without git (an unpacked archive), every file under ROOT. */
function repoFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\0').filter((f) => f.length > 0);
  } catch {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) walk(join(dir, e.name));
        } else if (e.isFile()) files.push(relative(ROOT, join(dir, e.name)).split(sep).join('/'));
      }
    };
    walk(ROOT);
    return files;
  }
}

/** Text files small enough to be code or docs (data files and the lock file are not scanned). */
function scanned(file: string): boolean {
  if (file === 'package-lock.json' || file === 'test/repo/self-contained.test.ts') return false;
  let size: number;
  try {
    size = statSync(join(ROOT, file)).size;
  } catch {
    return false; // deleted in the working tree, not yet committed
  }
  return size <= 512 * 1024 && !/\.(gz|npy|png|wasm|h5|h5ad|bin|pdf)$/.test(file);
}

describe('the repository stands alone', () => {
  test('the check finds outside paths and leaves repository paths alone', () => {
    expect(outsidePaths('t.ts', "const G = resolve(ROOT, '../shared/golden');")).toHaveLength(1);
    expect(outsidePaths('t.ts', "const G = path.resolve(here, '../../../shared/golden');")).toHaveLength(1);
    expect(outsidePaths('t.ts', "const G = join(ROOT, '..', 'shared');")).toHaveLength(1);
    expect(outsidePaths('t.ts', "readFileSync('/work/shared/data/x.gct')")).toHaveLength(1);
    expect(outsidePaths('t.md', 'see /home/alice/data.gct')).toHaveLength(1);
    expect(outsidePaths('t.md', 'see /Users/bob/data.gct')).toHaveLength(1);
    expect(outsidePaths('t.sh', 'cp /root/x .')).toHaveLength(1);
    expect(outsidePaths('t.ts', "join(ROOT, 'test', 'fixtures', 'golden')")).toEqual([]);
    expect(outsidePaths('t.ts', "'/usr/bin/chromium'; shared memory; tasks/lib/shared.ts; $HOME/.npm; ~/.cache/nmf-consensus")).toEqual([]);
    expect(outsidePaths('containers/Dockerfile', '--home-dir /home/nmf nmf')).toEqual([]);
    expect(outsidePaths('containers/other', '--home-dir /home/nmf nmf')).toHaveLength(1);
  });

  test('no file of the repository names a path outside it', () => {
    const files = repoFiles().filter(scanned);
    // The scan must see the code, the tests and the docs, or it proves nothing.
    for (const f of ['tasks/cli.ts', 'test/paths.ts', 'README.md', 'docs/design.md']) expect(files).toContain(f);
    const found = files.flatMap((f) => outsidePaths(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });
});
