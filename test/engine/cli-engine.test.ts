/**
 * The engine flags through the CLI: factorize --workers, --kernels, --max-device-mb. A restart's
 * labels do not depend on the thread count or on streaming; shards record which kernels ran.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, writeTemp } from '../cli/helpers.js';
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
});
