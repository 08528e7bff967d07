/**
 * Peer implementations (R NMF, scikit-learn, ...) per workload, for `--with-peers`. None is
 * registered yet: a later issue adds them here, e.g. a Peer whose run() calls `Rscript` through execa
 * under GNU time like workloads/cli-run.ts does. The harness already runs each registered peer in its
 * own child after our workload and fills `peers` and `ratio` (ours / peer) in the report.
 */
import type { Peer } from './types.js';

export const PEERS: readonly Peer[] = [];

export function peersFor(workload: string): Peer[] {
  return PEERS.filter((p) => p.workload === workload);
}

export function findPeer(workload: string, name: string): Peer | undefined {
  return PEERS.find((p) => p.workload === workload && p.name === name);
}
