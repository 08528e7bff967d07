/**
 * Shared by the end-to-end workloads: run the built CLI's `run` on one input in a fresh temp folder,
 * under GNU time for the peak RSS of its process tree, and read the restart-iterations back from the
 * shards. Wall time covers the whole CLI process (start-up, preprocess, factorize, consensus, report).
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GNU_TIME, GNU_TIME_MISSING, gnuTimeAvailable, kibToMb, readGnuTimeKib, round, timeIt } from '../measure.js';
import { CLI_BIN } from '../paths.js';
import { shardTotals } from '../shards.js';
import type { CaseRow, Outcome } from '../types.js';

export interface CliRun {
  /** Input file, or a function that writes one into the temp folder and returns its path. */
  input: string | ((tmp: string) => string | Promise<string>);
  /** `run` flags other than --input/--outdir. */
  flags: string[];
  label: string;
  /** Extra measurements read from the run's output folder before it is removed (merged into the case row). */
  inspect?: (outdir: string) => CaseRow;
}

/**
 * Flags for `run` from a workload's parameters (names as in DESIGN section 6). workers 0 passes no
 * --workers flag: the CLI's default (the cores available to it), as a new user runs it. nullRestarts
 * is passed when given (the workloads pass 0, so we factorize what the peers do; -1 = not passed).
 */
export function runFlags(p: { ks: string; restarts: number; seed: number; algorithm: string; backend: string; workers: number; nullRestarts?: number; maxIter?: number; stableChecks?: number }): string[] {
  return [
    '--ks', p.ks, '--restarts', String(p.restarts), '--seed', String(p.seed), '--algorithm', p.algorithm,
    '--backend', p.backend,
    ...(p.workers > 0 ? ['--workers', String(p.workers)] : []),
    ...(p.nullRestarts !== undefined && p.nullRestarts >= 0 ? ['--null-restarts', String(p.nullRestarts)] : []),
    ...(p.maxIter !== undefined ? ['--max-iter', String(p.maxIter)] : []),
    ...(p.stableChecks !== undefined ? ['--stable-checks', String(p.stableChecks)] : []),
  ];
}

export async function runCli(spec: CliRun): Promise<Outcome> {
  const tmp = mkdtempSync(join(tmpdir(), 'nmfc-bench-'));
  const keep = process.env['NMF_BENCH_KEEP'] === '1';
  try {
    const input = typeof spec.input === 'string' ? spec.input : await spec.input(tmp);
    const outdir = join(tmp, 'out');
    const cliArgs = [CLI_BIN, 'run', '--input', input, '--outdir', outdir, ...spec.flags];
    const notes: string[] = [];
    const timed = gnuTimeAvailable();
    if (!timed) {
      process.stderr.write(`  ${spec.label}: ${GNU_TIME_MISSING}\n`);
      notes.push(GNU_TIME_MISSING);
    }
    const timeFile = join(tmp, 'time.txt');
    const [file, args] = timed
      ? [GNU_TIME, ['-f', '%M', '-o', timeFile, process.execPath, ...cliArgs]]
      : [process.execPath, cliArgs];
    const logFile = join(tmp, 'cli.log');
    process.stderr.write(`  ${spec.label}: node bin/nmf-consensus.js run --input ${input} --outdir <tmp> ${spec.flags.join(' ')}\n`);
    // Progress lines only every 60 s: the log is kept for failures, not shown.
    const { seconds, value: r } = await timeIt(() =>
      execa(file, args, { reject: false, all: true, env: { NMF_PROGRESS_SECONDS: '60' } }),
    );
    writeFileSync(logFile, String(r.all ?? ''));
    if (r.exitCode !== 0) {
      const tail = String(r.all ?? '').split('\n').slice(-20).join('\n');
      throw new Error(`${spec.label}: the CLI exited ${r.exitCode ?? r.signal}; last lines:\n${tail}`);
    }
    const totals = shardTotals(join(outdir, 'shards'));
    if (totals.iterations <= 0) throw new Error(`${spec.label}: no shard.json with iterations under ${join(outdir, 'shards')}`);
    const kib = timed ? readGnuTimeKib(timeFile) : null;
    if (keep) notes.push(`outputs kept in ${tmp}`);
    return {
      wall_s: seconds,
      iterations: totals.iterations,
      per_iteration_ms: round((seconds * 1000) / totals.iterations, 4),
      backend: totals.backends.join(','),
      peak_rss_mb: kib === null ? null : kibToMb(kib),
      rss_source: timed ? 'GNU time %M of the CLI: the largest single process of its tree; on wasm/cpu the factorize workers are threads of the CLI process, so it is the whole' : 'not measured',
      cases: [{
        shards: totals.shards, restarts: totals.restarts, restart_iterations: totals.iterations,
        // The factorize stage alone (the CLI's wall also has start-up, preprocess, consensus, report).
        factorize_s: totals.factorizeS === null ? null : round(totals.factorizeS, 2),
        factorize_ms_per_iter: totals.factorizeS === null ? null : round((totals.factorizeS * 1000) / totals.iterations, 4),
        ...(spec.inspect ? spec.inspect(outdir) : {}),
      }],
      notes,
    };
  } finally {
    if (!keep) rmSync(tmp, { recursive: true, force: true });
  }
}

