/**
 * W1: the bundled ALL/AML matrix through the whole CLI, Brunet, as the README example, at the CLI's
 * defaults (no --workers flag: all available cores). Two restart counts: 20 per k (`w1-ours`, the
 * example's) and 5 per k (`w1-ours-r5`, not a multiple of the four SIMD lanes).
 */
import { join } from 'node:path';
import { num, str } from '../params.js';
import { ROOT } from '../paths.js';
import type { Params, Workload } from '../types.js';
import { runCli, runFlags } from './cli-run.js';

function w1(name: string, restarts: number): Workload {
  return {
    name,
    description: `ALL_AML 5000 x 38 (examples/ALL_AML_data.gct), brunet, ${restarts} restarts per k, whole \`run\` CLI (preprocess..report) at the default workers (workers 0 = no --workers flag), no random-data baseline (null_restarts 0: the peers' work; -1 = the CLI default); wall_s = CLI process, ms/iter = wall_s / sum of runs[].iterations`,
    params: { input: 'examples/ALL_AML_data.gct', ks: '2-5', restarts, seed: 123456, algorithm: 'brunet', backend: 'wasm', workers: 0, null_restarts: 0 },
    run: (p: Params) =>
      runCli({
        label: name,
        input: join(ROOT, str(p, 'input')),
        flags: runFlags({ ks: str(p, 'ks'), restarts: num(p, 'restarts'), seed: num(p, 'seed'), algorithm: str(p, 'algorithm'), backend: str(p, 'backend'), workers: num(p, 'workers'), nullRestarts: num(p, 'null_restarts') }),
      }),
  };
}

export const w1Ours = w1('w1-ours', 20);
export const w1OursR5 = w1('w1-ours-r5', 5);
