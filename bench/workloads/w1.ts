/** `w1-ours`: the bundled ALL/AML matrix through the whole CLI, Brunet, as the README example. */
import { join } from 'node:path';
import { num, str } from '../params.js';
import { ROOT } from '../paths.js';
import type { Params, Workload } from '../types.js';
import { runCli, runFlags } from './cli-run.js';

export const w1Ours: Workload = {
  name: 'w1-ours',
  description: 'ALL_AML 5000 x 38 (examples/ALL_AML_data.gct), brunet, whole `run` CLI (preprocess..report); wall_s = CLI process, ms/iter = wall_s / sum of runs[].iterations',
  params: { input: 'examples/ALL_AML_data.gct', ks: '2-5', restarts: 20, seed: 123456, algorithm: 'brunet', backend: 'wasm', workers: 2 },
  run: (p: Params) =>
    runCli({
      label: 'w1-ours',
      input: join(ROOT, str(p, 'input')),
      flags: runFlags({ ks: str(p, 'ks'), restarts: num(p, 'restarts'), seed: num(p, 'seed'), algorithm: str(p, 'algorithm'), backend: str(p, 'backend'), workers: num(p, 'workers') }),
    }),
};
