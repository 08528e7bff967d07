/**
 * `--backend auto` picks a GPU backend only after a device check, which runs in a child process so
 * Dawn's and the Vulkan drivers' native stderr lines (e.g. "error: XDG_RUNTIME_DIR is invalid or not
 * set", "Warning: maxDynamic... artificially reduced") never reach the user's log; the choice is
 * logged and recorded in shard.json. On a machine without a Vulkan driver auto skips the probe, and
 * the stderr assertions hold the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir, writeTemp } from '../cli/helpers.js';
import { probeWebgpu } from '../../tasks/lib/engine/webgpu-probe.js';
import { schemaProblem } from '../../tasks/lib/manifest/validate.js';

/** Our log lines; anything else on stderr came from native code. */
const OUR_LINES = /^(backend( auto)?: |factorize[: ])/;

describe('backend auto (CLI)', () => {
  it('prints no native Dawn/Vulkan lines and records its choice in shard.json', async () => {
    const dir = tempDir('nmfc-auto-');
    const rows = ['gene\ts0\ts1\ts2\ts3\ts4\ts5'];
    for (let i = 0; i < 12; i++) rows.push(`g${i}\t${[0, 1, 2, 3, 4, 5].map((j) => ((i * 7 + j * 3) % 11) + 1).join('\t')}`);
    const prep = join(dir, 'prep');
    expect((await cli(['preprocess', '--input', writeTemp(dir, 'a.tsv', rows.join('\n') + '\n'), '--outdir', prep])).code).toBe(0);
    // XDG_RUNTIME_DIR unset is how batch nodes run, and what makes Mesa's WSI complain.
    const env = { XDG_RUNTIME_DIR: '' };
    const r = await cli(['factorize', '--prep', prep, '--k', '2', '--restarts', '0-1', '--max-iter', '20', '--backend', 'auto', '--outdir', join(dir, 's')], env);
    expect(r.code, r.stderr).toBe(0);
    const foreign = r.stderr.split('\n').filter((l) => l !== '' && !OUR_LINES.test(l));
    expect(foreign).toEqual([]);
    const chosen = r.stderr.match(/^backend: (\S+) \((.+)\)$/m);
    expect(chosen, r.stderr).not.toBeNull();
    const shard = JSON.parse(readFileSync(join(dir, 's', 'k2.r0-1', 'shard.json'), 'utf8'));
    expect(schemaProblem('shard', shard)).toBeNull();
    expect(shard.backend_selection.requested).toBe('auto');
    expect(shard.backend_selection.reason).toBe(chosen![2]);
    // A GPU backend is named only with the device it was checked on; wasm only with what was skipped.
    if (chosen![1] === 'wasm') expect(shard.backend_selection.skipped.length).toBeGreaterThan(0);
    else expect(shard.backend_selection.device).toMatch(/\S/);
  }, 120_000);

  it('takes a VK_ICD_FILENAMES naming a missing file (an ICD not bound into a container) as no driver', async () => {
    const dir = tempDir('nmfc-auto-icd-');
    const rows = ['gene\ts0\ts1\ts2\ts3\ts4'];
    for (let i = 0; i < 8; i++) rows.push(`g${i}\t${[0, 1, 2, 3, 4].map((j) => ((i * 5 + j * 3) % 7) + 1).join('\t')}`);
    const prep = join(dir, 'prep');
    expect((await cli(['preprocess', '--input', writeTemp(dir, 'a.tsv', rows.join('\n') + '\n'), '--outdir', prep])).code).toBe(0);
    const env = { VK_ICD_FILENAMES: join(dir, 'absent', 'nvidia_icd.json'), VK_DRIVER_FILES: '' };
    const r = await cli(['factorize', '--prep', prep, '--k', '2', '--restarts', '0-0', '--max-iter', '10', '--backend', 'auto', '--outdir', join(dir, 's')], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^backend auto: skipped webgpu: no Vulkan driver is installed/m);
    expect(r.stderr).toMatch(/^backend: wasm \(auto: no GPU backend passed its device check\)$/m);
  }, 120_000);
});

describe('webgpu probe', () => {
  it('answers with a device check or a reason, never by throwing', async () => {
    const p = await probeWebgpu();
    if (p.ok) {
      expect(p.adapter).toMatch(/\S/);
      expect(typeof p.software).toBe('boolean');
    } else expect(p.reason).toMatch(/\S/);
  }, 60_000);

  it('gives up on a probe that does not answer in time', async () => {
    const p = await probeWebgpu(1);
    expect(p).toEqual({ ok: false, reason: 'the WebGPU probe did not answer within 0.001 s' });
  });
});
