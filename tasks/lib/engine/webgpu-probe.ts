/**
 * The adapter and device check `--backend auto` makes before it picks webgpu. It runs
 * webgpu-probe-child.js in a child process whose stderr is captured, so Dawn's and the Vulkan
 * drivers' native lines never reach the user's log for a backend that auto may not even pick.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/** What the child prints: a device that opened and copied a buffer (ok), or why not. */
export interface WebgpuProbe {
  ok: boolean;
  reason?: string;
  /** Vendor, architecture and description as Dawn reports them. */
  adapter?: string;
  /** A CPU rasteriser (Mesa lavapipe/llvmpipe, SwiftShader, or Dawn's fallback adapter). */
  software?: boolean;
}

/** Loading Dawn and a Vulkan driver takes about a second; a hung driver must not hang auto. */
const PROBE_TIMEOUT_MS = 30_000;

export function probeWebgpu(timeoutMs = PROBE_TIMEOUT_MS): Promise<WebgpuProbe> {
  // Always the compiled child: under vitest this module runs from source, the child from dist/.
  const script = join(packageRoot(), 'dist', 'tasks', 'lib', 'engine', 'webgpu-probe-child.js');
  if (!existsSync(script)) return Promise.resolve({ ok: false, reason: `the probe ${script} is missing; run npm run build` });
  return new Promise((resolve) => {
    execFile(process.execPath, [script], { timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const parsed = JSON.parse(line) as WebgpuProbe;
        if (typeof parsed.ok === 'boolean') return resolve(parsed);
      } catch {
        /* no JSON: the child crashed or timed out; say which below */
      }
      const why = err && (err as { killed?: boolean }).killed ? `did not answer within ${timeoutMs / 1000} s` : `exited without an answer${err ? ` (${err.message.split('\n')[0]})` : ''}`;
      resolve({ ok: false, reason: `the WebGPU probe ${why}` });
    });
  });
}
