/**
 * `npm run bench`: runs the selected workloads, each in its own child process (so peak RSS is that
 * workload's alone), prints a table and writes a JSON report. Benchmarks, not tests: nothing here
 * passes or fails on speed; the exit status is non-zero only when a workload errors.
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { USAGE, parseBenchArgs } from './args.js';
import type { ChildResult } from './child.js';
import { machineInfo, round } from './measure.js';
import { loadavg } from 'node:os';
import { CHILD_SCRIPT, defaultOutFile, resolveFromCwd } from './paths.js';
import { ensurePeers, peersFor } from './peers.js';
import { attachPeers, peerResult, workloadResult } from './report.js';
import { selectWorkloads } from './select.js';
import { formatReport } from './table.js';
import type { BenchReport, Params, PeerResult } from './types.js';
import { WORKLOADS } from './workloads/index.js';

/** Run one workload (or peer) in a fresh node process; its stderr shows progress live. */
async function runInChild(workload: string, params: Params, peer?: string): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nmfc-bench-child-'));
  const resultFile = join(dir, 'result.json');
  try {
    const args = [CHILD_SCRIPT, '--workload', workload, '--params', JSON.stringify(params), '--result', resultFile, ...(peer ? ['--peer', peer] : [])];
    const r = await execa(process.execPath, args, { reject: false, stdout: 'inherit', stderr: 'inherit' });
    if (existsSync(resultFile)) return JSON.parse(readFileSync(resultFile, 'utf8')) as ChildResult;
    return { error: `child process exited ${r.exitCode ?? r.signal} without a result (killed for memory?)`, own_peak_rss_mb: 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.list) {
    for (const w of WORKLOADS) console.log(`${w.name}${w.quickParams ? ' (quick)' : ''}\n  ${w.description}\n  params ${JSON.stringify(w.params)}`);
    return 0;
  }
  const selected = selectWorkloads(args);
  if (selected.length === 0) throw new Error('no workload selected');
  let unavailable: string[] = [];
  if (args.withPeers) {
    const bare = selected.filter((s) => peersFor(s.workload.name).length === 0).map((s) => s.workload.name);
    if (bare.length > 0) console.error(`--with-peers: no peers are registered for ${bare.join(', ')} (see bench/peers.ts); running ours only`);
    unavailable = await ensurePeers(selected.flatMap((s) => peersFor(s.workload.name).map((p) => p.name)));
  }
  const created = new Date();
  const machine = machineInfo();
  const report: BenchReport = { schema: 'nmf-consensus/bench@1', created: created.toISOString(), argv, quick: args.quick, machine, workloads: [] };
  for (const s of selected) {
    console.error(`bench: ${s.workload.name} ...`);
    const loadBefore = round(loadavg()[0]!, 2);
    const result = workloadResult(s.workload, s.params, machine, await runInChild(s.workload.name, s.params));
    result.load_before = loadBefore;
    result.load_after = round(loadavg()[0]!, 2);
    if (args.withPeers) {
      const peers: PeerResult[] = [];
      for (const p of peersFor(s.workload.name).filter((x) => !unavailable.includes(x.name))) {
        console.error(`bench: ${s.workload.name} peer ${p.name} ...`);
        const before = round(loadavg()[0]!, 2);
        const pr = peerResult(p, await runInChild(s.workload.name, s.params, p.name));
        pr.load_before = before;
        pr.load_after = round(loadavg()[0]!, 2);
        peers.push(pr);
      }
      attachPeers(result, peers);
    }
    report.workloads.push(result);
  }
  const out = args.out ? resolveFromCwd(args.out) : defaultOutFile(created);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(formatReport(report));
  console.log(`\nwrote ${out}`);
  return report.workloads.some((w) => w.error !== undefined) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
