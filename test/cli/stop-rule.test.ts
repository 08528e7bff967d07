/**
 * --stop and --algorithm hals through the CLI (issue 16): shards record the rule that ended their
 * restarts, consensus refuses shards of different rules, and a path that lacks an algorithm says so
 * (exit 2, naming the flag and the fix) before any work.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from './helpers.js';
import { ALL_AML } from '../paths.js';

const shardOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'shard.json'), 'utf8'));

describe('stop rules and hals through the CLI', () => {
  it('lee --stop objective ends restarts by the objective; consensus refuses it mixed with connectivity shards (exit 4)', async () => {
    const dir = tempDir('nmfc-stop-');
    const prep = join(dir, 'preprocess');
    expect((await cli(['preprocess', '--input', ALL_AML, '--outdir', prep])).code).toBe(0);
    const common = ['factorize', '--prep', prep, '--k', '2', '--outdir', join(dir, 'shards'), '--algorithm', 'lee', '--backend', 'wasm', '--workers', '1'];
    const obj = await cli([...common, '--restarts', '0-1', '--stop', 'objective', '--tol', '1e-4']);
    expect(obj.stderr).not.toMatch(/error/i);
    expect(obj.code).toBe(0);
    const s = shardOf(join(dir, 'shards', 'k2.r0-1'));
    expect(s.params.stop).toBe('objective');
    expect(s.params.tol).toBe(1e-4);
    expect(s.stop_rule).toMatch(/^objective/);
    for (const r of s.runs) {
      expect(r.converged).toBe(true);
      // connectivity cannot stop before 420 iterations at the defaults; the objective rule did.
      expect(r.iterations).toBeLessThan(420);
      expect(r.iterations % 10).toBe(0);
    }
    const conn = await cli([...common, '--restarts', '2-3', '--stop', 'connectivity']);
    expect(conn.code).toBe(0);
    expect(shardOf(join(dir, 'shards', 'k2.r2-3')).params.stop).toBe('connectivity');
    const mixed = await cli(['consensus', '--shards', join(dir, 'shards'), '--outdir', join(dir, 'consensus')]);
    expect(mixed.code).toBe(4);
    expect(mixed.stderr).toMatch(/stop/);
    expect(mixed.stderr).not.toMatch(/\n\s+at /); // one line, no stack trace
  }, 300_000);

  it('hals on a path without it (streamed tfjs ops) stops with exit 2 naming --kernels fused, before writing a shard', async () => {
    const dir = tempDir('nmfc-hals-');
    const prep = join(dir, 'preprocess');
    expect((await cli(['preprocess', '--input', ALL_AML, '--outdir', prep])).code).toBe(0);
    const r = await cli(['factorize', '--prep', prep, '--k', '2', '--restarts', '0-1', '--outdir', join(dir, 'shards'), '--algorithm', 'hals', '--backend', 'wasm', '--kernels', 'ops', '--max-device-mb', '0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--algorithm hals: the streamed ops path .*pass --kernels fused/);
    expect(r.stderr.trim().split('\n').filter((l) => /hals/.test(l))).toHaveLength(1);
    expect(existsSync(join(dir, 'shards', 'k2.r0-1', 'shard.json'))).toBe(false);
  }, 300_000);
});
