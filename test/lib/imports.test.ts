/**
 * The shape of the code under tasks/: no import cycle (type-only imports included: a cycle of types
 * is still two modules that cannot be understood apart), and no stage folder importing another stage
 * folder; stages share code only through tasks/lib.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const TASKS = join(ROOT, 'tasks');
const STAGES = ['preprocess', 'factorize', 'consensus', 'report', 'plan'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports of a file (static `import`/`export ... from` and dynamic `import('...')`), resolved to .ts files. */
export function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g), ...text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g), ...text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** The first cycle found by depth-first search, as a list of files, or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (!graph.has(g)) continue;
      if (state.get(g) === 'open') return [...stack.slice(stack.indexOf(g)), g];
      if (!state.has(g)) {
        const c = visit(g);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of graph.keys()) {
    if (state.has(f)) continue;
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

function stageOf(file: string): string | undefined {
  const first = relative(TASKS, file).split(sep)[0];
  return first !== undefined && STAGES.includes(first) ? first : undefined;
}

describe('imports under tasks/', () => {
  const graph = new Map(sources(TASKS).map((f) => [f, importsOf(f)]));

  it('finds the files and their imports (the walk itself works)', () => {
    expect(graph.size).toBeGreaterThan(50);
    const cli = graph.get(join(TASKS, 'cli.ts'))!;
    expect(cli).toContain(join(TASKS, 'preprocess', 'command.ts'));
  });

  it('detects a cycle when there is one, and none in a chain', () => {
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toBeNull();
    expect(importsOf('/x/a.ts', "import type { T } from './b.js';\nexport { u } from '../c.js';\nconst m = await import('./d.js');")).toEqual(['/x/b.ts', '/c.ts', '/x/d.ts']);
  });

  it('has no import cycle', () => {
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => relative(ROOT, f)) ?? null).toBeNull();
  });

  it('no stage folder imports another stage folder (stages meet in tasks/lib)', () => {
    const crossings: string[] = [];
    for (const [file, deps] of graph) {
      const from = stageOf(file);
      if (!from) continue;
      for (const d of deps) {
        const to = stageOf(d);
        if (to && to !== from) crossings.push(`${relative(ROOT, file)} -> ${relative(ROOT, d)}`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it('tasks/lib imports no stage folder', () => {
    const up = [...graph].flatMap(([file, deps]) => (relative(TASKS, file).startsWith(`lib${sep}`) ? deps.filter((d) => stageOf(d)).map((d) => `${relative(ROOT, file)} -> ${relative(ROOT, d)}`) : []));
    expect(up).toEqual([]);
  });
});
