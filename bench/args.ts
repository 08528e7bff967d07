/** Command line of `npm run bench -- [options]`. */
import { parseArgs } from 'node:util';
import { parseSetting } from './params.js';
import type { ParamValue } from './types.js';

export interface BenchArgs {
  only: string[] | null;
  quick: boolean;
  out: string | null;
  withPeers: boolean;
  settings: [string, ParamValue][];
  list: boolean;
  help: boolean;
}

export const USAGE = `npm run bench -- [options]

  --only a,b         run only these workloads (see --list); default: all
  --quick            smoke check: only the workloads with quick parameters (linkage at n = 1000, 2000)
  --out FILE         JSON results file (default bench/results/bench-<ISO date>.json)
  --set key=value    override a workload parameter, e.g. --set restarts=2 (repeatable; JSON values)
  --with-peers       also run the peers registered in bench/peers.ts on the same data (W1: R NMF,
                     W2: scikit-learn and the numpy batched-GEMM floor) and report ours/peer ratios;
                     as root it installs missing peers from Debian (apt-get install r-cran-nmf
                     python3-sklearn libopenblas0-pthread), else says how
  --list             list the workloads and their parameters
  --help

Each workload runs in its own child process; speed is reported, never asserted.
Environment: NMF_BENCH_KEEP=1 keeps the CLI workloads' temp output folders.`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      'with-peers': { type: 'boolean', default: false },
      set: { type: 'string', multiple: true },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  return {
    only: values.only ? values.only.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : null,
    quick: values.quick ?? false,
    out: values.out ?? null,
    withPeers: values['with-peers'] ?? false,
    settings: (values.set ?? []).map(parseSetting),
    list: values.list ?? false,
    help: values.help ?? false,
  };
}
