/**
 * The engine flags through the CLI: factorize --workers, --kernels, --max-device-mb. A restart's
 * labels do not depend on the thread count or on streaming; shards record which kernels ran.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { BIN, cli, tempDir, writeTemp } from '../cli/helpers.js';
import { availableCores } from '../../tasks/lib/engine/cores.js';
import { BUILD_NAMES, kernelBuild } from '../../tasks/lib/engine/fused/kernel.js';
import { plantedMatrix } from './helpers.js';

const m = 60;
const n = 21;
const { A } = plantedMatrix(m, n, 3, 41);
function tsv(): string {
  const lines = [['gene', ...Array.from({ length: n }, (_, j) => `s${j}`)].join('\t')];
  for (let i = 0; i < m; i++) lines.push([`g${i}`, ...Array.from(A.subarray(i * n, (i + 1) * n), (v) => v.toFixed(5))].join('\t'));
  return lines.join('\n') + '\n';
}

describe('factorize engine flags (CLI)', () => {
  it('--workers 1 and 2, in memory and streamed, give byte-identical labels; shards name the kernels', async () => {
    const dir = tempDir('nmfc-engine-');
    const input = writeTemp(dir, 'a.tsv', tsv());
    const prep = join(dir, 'prep');
    expect((await cli(['preprocess', '--input', input, '--outdir', prep])).code).toBe(0);
    const common = ['factorize', '--prep', prep, '--k', '3', '--restarts', '0-6', '--seed', '5', '--max-iter', '200', '--stable-checks', '5', '--backend', 'wasm'];
    const variants: Record<string, string[]> = {
      one: ['--workers', '1'],
      two: ['--workers', '2'],
      streamed: ['--workers', '2', '--max-device-mb', String((8 * n * 4) / 2 ** 20)],
    };
    const labels: Record<string, Buffer> = {};
    for (const [name, flags] of Object.entries(variants)) {
      const r = await cli([...common, '--outdir', join(dir, name), ...flags]);
      expect(r.code, r.stderr).toBe(0);
      const shard = join(dir, name, 'k3.r0-6');
      labels[name] = readFileSync(join(shard, 'labels.bin'));
      expect(JSON.parse(readFileSync(join(shard, 'shard.json'), 'utf8')).backend).toBe('wasm-fused');
    }
    expect(labels.two!.equals(labels.one!)).toBe(true);
    expect(labels.streamed!.equals(labels.one!)).toBe(true);
    const ops = await cli([...common, '--outdir', join(dir, 'ops'), '--kernels', 'ops']);
    expect(ops.code, ops.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'ops', 'k3.r0-6', 'shard.json'), 'utf8')).backend).toBe('wasm');
  }, 120_000);

  it('run puts all restarts of all k on one pool of the available cores by default, and writes every shard', async () => {
    const dir = tempDir('nmfc-engine-run-');
    const input = writeTemp(dir, 'a.tsv', tsv());
    const r = await cli(['run', '--input', input, '--outdir', join(dir, 'out'), '--ks', '2-4', '--restarts', '3', '--max-iter', '100', '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    const cores = availableCores();
    // One factorize call for every k (not one per k), on as many threads as the process has cores.
    // The child loads the same build this process would (fused/kernel.ts), and says which.
    const calls = r.stderr.match(/factorize: k=[\d,]+, fused kernels \(wasm-fused arithmetic, [^)]+\), \d+ threads?/g) ?? [];
    expect(calls).toEqual([`factorize: k=2,3,4, fused kernels (wasm-fused arithmetic, ${BUILD_NAMES[kernelBuild()]}), ${cores} thread${cores > 1 ? 's' : ''}`]);
    for (const k of [2, 3, 4]) expect(readFileSync(join(dir, 'out', 'shards', `k${k}.r0-2`, 'labels.bin')).length).toBe(3 * n);
  }, 120_000);

  const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p));
  it.skipIf(!TASKSET)(`the default follows the CPU affinity: factorize pinned to one core runs one thread${TASKSET ? '' : ' (skipped: no taskset)'}`, async () => {
    const dir = tempDir('nmfc-engine-pin-');
    const input = writeTemp(dir, 'a.tsv', tsv());
    const prep = join(dir, 'prep');
    expect((await cli(['preprocess', '--input', input, '--outdir', prep])).code).toBe(0);
    const r = await execa(TASKSET!, ['-c', '0', process.execPath, BIN, 'factorize', '--prep', prep, '--k', '3', '--restarts', '0-5', '--max-iter', '50', '--outdir', join(dir, 'shards'), '--backend', 'wasm'], { reject: false, env: { NMF_PROGRESS_SECONDS: '1000' } });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toMatch(/factorize: k=3, fused kernels \(wasm-fused arithmetic, [^)]+\), 1 thread(?!s)/);
  }, 120_000);

  it('run on the pool (2 threads) killed with SIGKILL after its first shard resumes without redoing it, to the same labels', async () => {
    const dir = tempDir('nmfc-engine-kill-');
    // 1500 x 60: large enough that the pool is still busy when the first shard is written, few samples
    // so consensus and report stay cheap.
    const big = plantedMatrix(1500, 60, 3, 5).A;
    const lines = [['gene', ...Array.from({ length: 60 }, (_, j) => `c${j}`)].join('\t')];
    for (let i = 0; i < 1500; i++) lines.push([`g${i}`, ...Array.from(big.subarray(i * 60, (i + 1) * 60), (v) => v.toFixed(4))].join('\t'));
    const input = writeTemp(dir, 'big.tsv', lines.join('\n') + '\n');
    const args = (out: string) => ['run', '--input', input, '--outdir', join(dir, out), '--ks', '2-4', '--restarts', '4', '--max-iter', '150', '--stable-checks', '0', '--workers', '2', '--backend', 'wasm'];
    const ref = await cli(args('ref'));
    expect(ref.code, ref.stderr).toBe(0);

    const child = execa(process.execPath, [BIN, ...args('killed')], { reject: false, env: { NMF_PROGRESS_SECONDS: '1000' } });
    let log = '';
    let first: string | undefined;
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /factorize: k=(\d) restarts 0-3 ->/.exec(log);
      if (m && first === undefined) {
        first = m[1];
        child.kill('SIGKILL');
      }
    });
    const killed = await child;
    expect(killed.signal, log).toBe('SIGKILL');
    const done = [2, 3, 4].filter((k) => existsSync(join(dir, 'killed', 'shards', `k${k}.r0-3`, 'shard.json')));
    expect(done).toContain(Number(first));
    expect(done.length).toBeLessThan(3); // killed inside factorize

    const rerun = await cli(args('killed'));
    expect(rerun.code, rerun.stderr).toBe(0);
    for (const k of done) expect(rerun.stderr).toMatch(new RegExp(`factorize: \\S+k${k}\\.r0-3 is already complete; skipping`));
    for (const k of [2, 3, 4]) {
      const shard = `shards/k${k}.r0-3/labels.bin`;
      expect(readFileSync(join(dir, 'killed', shard)).equals(readFileSync(join(dir, 'ref', shard))), shard).toBe(true);
    }
  }, 300_000);
});
