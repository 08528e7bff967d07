/**
 * Crash safety and resume: `run` killed with SIGKILL during factorize, then again during consensus,
 * and run a third time gives the same outputs as an uninterrupted run, without redoing the shards
 * that were complete and without leaving temporary folders behind.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cli, tempDir, writeTemp } from './helpers.js';
import { mulberry32 } from '../metrics/random.js';

const M = 30;
const N = 3000;
const PARAMS = ['--ks', '2-4', '--restarts', '4', '--max-iter', '300', '--stable-checks', '0', '--seed', '11', '--workers', '1', '--backend', 'wasm'];

/** A planted k = 3 non-negative matrix (features x samples) as TSV. */
function plantedTsv(): string {
  const rand = mulberry32(99);
  const lines = [['id', ...Array.from({ length: N }, (_, j) => `cell${j}`)].join('\t')];
  const group = Array.from({ length: N }, () => Math.floor(rand() * 3));
  for (let i = 0; i < M; i++) {
    const row = Array.from({ length: N }, (_, j) => ((i % 3 === group[j] ? 5 : 0.5) + rand()).toFixed(3));
    lines.push([`gene${i}`, ...row].join('\t'));
  }
  return lines.join('\n') + '\n';
}

/** Start `run` and SIGKILL it as soon as its log shows `pattern`; resolves with the log. */
async function killWhen(args: string[], pattern: RegExp): Promise<{ stderr: string; killed: boolean }> {
  const child = execa(process.execPath, [BIN, ...args], { reject: false, env: { NMF_PROGRESS_SECONDS: '1000' } });
  let stderr = '';
  let killed = false;
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!killed && pattern.test(stderr)) {
      killed = true;
      child.kill('SIGKILL');
    }
  });
  const r = await child;
  return { stderr, killed: killed && r.signal === 'SIGKILL' };
}

const OUTPUTS = ['consensus/consensus.k.2.gct', 'consensus/consensus.k.3.gct', 'consensus/consensus.k.4.gct', 'consensus/membership.gct', 'consensus/metrics.tsv', 'consensus/consensus.json', 'report/summary.json'];

describe('run killed at any moment resumes to the same result', () => {
  let dir: string;
  let input: string;
  beforeAll(async () => {
    dir = tempDir('nmfc-resume-');
    input = writeTemp(dir, 'planted.tsv', plantedTsv());
    const ref = await cli(['run', '--input', input, '--outdir', join(dir, 'ref'), ...PARAMS]);
    expect(ref.code, ref.stderr).toBe(0);
  }, 600_000);

  it('SIGKILL during factorize, then during consensus, then a full rerun', async () => {
    const out = join(dir, 'killed');
    const args = ['run', '--input', input, '--outdir', out, ...PARAMS];

    const first = await killWhen(args, /factorize: k=2 restarts 0-3 ->/);
    expect(first.killed).toBe(true);
    expect(existsSync(join(out, 'shards', 'k2.r0-3', 'shard.json'))).toBe(true);
    expect(existsSync(join(out, 'shards', 'k4.r0-3'))).toBe(false); // it died inside factorize
    expect(existsSync(join(out, 'consensus'))).toBe(false);

    const second = await killWhen(args, /consensus: k=2 restarts=/);
    expect(second.killed).toBe(true);
    expect(second.stderr).toMatch(/factorize: \S+k2\.r0-3 is already complete; skipping/);
    expect(second.stderr).not.toMatch(/factorize: k=2 restarts 0-3 ->/);
    expect(existsSync(join(out, 'shards', 'k4.r0-3', 'shard.json'))).toBe(true);
    expect(existsSync(join(out, 'consensus'))).toBe(false); // it died inside consensus: nothing committed

    const third = await cli(args);
    expect(third.code, third.stderr).toBe(0);
    // the 3 shards of the data and the 3 of the random-data baseline (null.k<k>.r0-3)
    expect(third.stderr.match(/factorize: .* is already complete; skipping/g)?.length).toBe(6);
    expect(third.stderr.match(/factorize: \S*null\.k\d\.r0-3 is already complete; skipping/g)?.length).toBe(3);
    for (const f of OUTPUTS) {
      expect(readFileSync(join(out, f)).equals(readFileSync(join(dir, 'ref', f))), f).toBe(true);
    }
    for (const k of [2, 3, 4]) {
      const shard = `shards/k${k}.r0-3/labels.bin`;
      expect(readFileSync(join(out, shard)).equals(readFileSync(join(dir, 'ref', shard))), shard).toBe(true);
    }
    // the killed runs' temporary folders and stale locks were cleaned up by the reruns (the shards
    // folder keeps its ownership marker)
    for (const d of [out, join(out, 'shards')]) expect(readdirSync(d).filter((f) => f.startsWith('.') && f !== '.nmf-consensus')).toEqual([]);
  }, 600_000);

  it('a shard folder without a valid manifest is redone, not trusted', async () => {
    const out = join(dir, 'ref');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(out, 'shards', 'k3.r0-3', 'shard.json'), '{"truncated": ');
    const r = await cli(['run', '--input', input, '--outdir', out, ...PARAMS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/k3\.r0-3 is not a complete shard .*recomputing/);
    expect(r.stderr.match(/factorize: .* is already complete; skipping/g)?.length).toBe(5); // k2, k4 and the 3 baseline shards
    expect(JSON.parse(readFileSync(join(out, 'shards', 'k3.r0-3', 'shard.json'), 'utf8')).k).toBe(3);
  }, 600_000);
});
