/**
 * The connectivity stopping rule of R NMF 0.25 (`nmf.stop.connectivity`), DESIGN section 2.
 *
 * Every `checkEvery` iterations the labels (argmax of each H column) are compared with those of the
 * previous check as partitions (so a relabelling is no change; the connectivity matrix is the same).
 * The first check always counts as a change. The run has converged once the partition was unchanged
 * for more than `stableChecks` checks in a row: with the defaults (10, 40) at least 420 iterations.
 * `stableChecks` = 0 disables the early stop (fixed iteration count, for benchmarks).
 */
export interface StopParams {
  maxIter: number;
  checkEvery: number;
  stableChecks: number;
}

export const STOP_RULE_NAME =
  'connectivity (R NMF 0.25 nmf.stop.connectivity): stop after more than stableChecks unchanged checks';

export class ConnectivityStop {
  private previous: Int32Array | null = null;
  private unchanged = 0;

  constructor(private readonly params: StopParams) {}

  /** Is iteration `iter` (1-based) one at which labels must be checked? */
  isCheck(iter: number): boolean {
    return iter % this.params.checkEvery === 0;
  }

  /** Record the labels at a check; returns true when the run has converged. */
  update(labels: ArrayLike<number>): boolean {
    const canon = canonicalPartition(labels);
    if (this.previous !== null && samePartition(this.previous, canon)) this.unchanged++;
    else this.unchanged = 0;
    this.previous = canon;
    return this.params.stableChecks > 0 && this.unchanged > this.params.stableChecks;
  }
}

/** Relabel clusters by first appearance, so equal partitions give equal arrays. */
export function canonicalPartition(labels: ArrayLike<number>): Int32Array {
  const map = new Map<number, number>();
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    let c = map.get(l);
    if (c === undefined) {
      c = map.size;
      map.set(l, c);
    }
    out[i] = c;
  }
  return out;
}

function samePartition(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** label(j) = argmax_i H[i, j], ties to the lowest index. H is k x n row-major. */
export function argmaxLabels(H: ArrayLike<number>, k: number, n: number): Uint16Array {
  const out = new Uint16Array(n);
  for (let j = 0; j < n; j++) {
    let best = 0;
    let bestV = H[j]!;
    for (let c = 1; c < k; c++) {
      const v = H[c * n + j]!;
      if (v > bestV) {
        best = c;
        bestV = v;
      }
    }
    out[j] = best;
  }
  return out;
}
