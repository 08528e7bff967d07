/**
 * When a restart stops (docs/method.md, Stop rules). Checks come every `checkEvery` iterations.
 *   connectivity: R NMF 0.25's `nmf.stop.connectivity` (ConnectivityStop below).
 *   objective:    scikit-learn's rule (_nmf.py, _fit_multiplicative_update): with f = sqrt(2 x the
 *                 objective) (its `square_root=True` divergence; ||A - WH||_F for lee and hals), stop
 *                 at the first check where (f at the previous check - f) / f at the initial W, H < tol.
 *                 tol <= 0 never stops on it (as scikit-learn skips the test).
 *   both:         stop at the first check where both rules say stop.
 *
 * The connectivity stopping rule of R NMF 0.25 (`nmf.stop.connectivity`), DESIGN section 2.
 *
 * Every `checkEvery` iterations the labels (argmax of each H column) are compared with those of the
 * previous check as partitions (so a relabelling is no change; the connectivity matrix is the same).
 * The first check always counts as a change. The run has converged once the partition was unchanged
 * for more than `stableChecks` checks in a row: with the defaults (10, 40) at least 420 iterations.
 * `stableChecks` = 0 disables the early stop under every rule (fixed iteration count, for benchmarks).
 */
import type { Algorithm, StopRule } from '../types.js';
import { evaluateFit } from './objective.js';

export interface StopParams {
  maxIter: number;
  checkEvery: number;
  stableChecks: number;
  /** Undefined: connectivity (R NMF's, the rule every path ran before the objective rule existed). */
  stop?: StopRule;
  /** The objective rule's tolerance; undefined: DEFAULT_TOL. */
  tol?: number;
}

export const DEFAULT_TOL = 1e-4;

/** Does this rule need the objective at every check (and at the initial factors)? Not without early stops. */
export function needsObjective(p: Pick<StopParams, 'stop' | 'stableChecks'>): boolean {
  return (p.stop === 'objective' || p.stop === 'both') && p.stableChecks > 0;
}

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

/**
 * The rule of `params.stop` for one restart. `start` takes the objective at the initial factors
 * (only when needsObjective); `update` takes the labels and, when needsObjective, the objective at a
 * check, and says whether the restart stops there.
 */
export class RestartStop {
  private readonly connectivity: ConnectivityStop;
  private readonly rule: StopRule;
  private readonly tol: number;
  /** stableChecks = 0: no early stop, whatever the rule (every restart runs maxIter iterations). */
  private readonly fixed: boolean;
  private initial = NaN;
  private previous = NaN;

  constructor(params: StopParams) {
    this.connectivity = new ConnectivityStop(params);
    this.rule = params.stop ?? 'connectivity';
    this.tol = params.tol ?? DEFAULT_TOL;
    this.fixed = params.stableChecks === 0;
  }

  start(objective: number): void {
    this.initial = this.previous = rootObjective(objective);
  }

  update(labels: ArrayLike<number>, objective?: number): boolean {
    const byLabels = this.connectivity.update(labels);
    if (this.rule === 'connectivity' || this.fixed) return byLabels;
    if (objective === undefined || Number.isNaN(this.initial)) throw new Error(`stop rule ${this.rule}: the objective was not given at the start and at this check`);
    const f = rootObjective(objective);
    const byObjective = this.tol > 0 && (this.previous - f) / this.initial < this.tol;
    this.previous = f;
    return this.rule === 'objective' ? byObjective : byObjective && byLabels;
  }
}

/**
 * The rule of a restart that starts from the factors W (m x k) and H (k x n): when it needs the
 * objective, started with theirs, evaluated on the host in float64 (the fused lee and hals kernels
 * start theirs from their own sums instead).
 */
export function restartStopFrom(params: StopParams & { algorithm: Algorithm }, A: ArrayLike<number>, W: ArrayLike<number>, H: ArrayLike<number>, m: number, n: number, k: number): RestartStop {
  const stop = new RestartStop(params);
  if (needsObjective(params)) stop.start(evaluateFit(params.algorithm, A, W, H, m, n, k).objective);
  return stop;
}

/** scikit-learn's square_root=True divergence: sqrt(2 x objective) (||A - WH||_F for the Frobenius objective). */
function rootObjective(objective: number): number {
  return Math.sqrt(2 * Math.max(0, objective));
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
