/**
 * The fused driver: restarts of one k advance a group at a time (the f32 lanes of a SIMD register:
 * four in the wasm build, eight in the native one; see assembly/kernels.ts and fused/kernel.ts),
 * every group reading each row of A once per iteration. Per iteration and group:
 * the H update (from sums gathered in the previous pass), then one pass over the rows of A that updates
 * W and, with the new W and H, gathers the sums for the next H update. This is the same sequence of
 * updates as the ops path (H first, then W with the new H); only summation order differs.
 *
 * Summation order is fixed by the data alone: the rows are cut into chunks of CHUNK_ROWS; each chunk's
 * sums are gathered row by row, and the chunk sums are added in chunk order (one chunk when m <=
 * CHUNK_ROWS). So the numbers do not depend on
 * - where A lives: resident in the kernel's memory, or copied a block of rows at a time when it is
 *   larger than the device budget (--max-device-mb, row-block streaming);
 * - the lane or group of a restart: lanes never mix, so converged restarts leave their lane at once,
 *   new restarts are claimed into free lanes, and groups are compacted as lanes empty (a finished
 *   restart costs nothing);
 * - threads: restarts may be split over threads (each runs this driver on its own restarts), or, when
 *   there are too few restarts to give every thread a group, rows: every thread runs all restarts on
 *   its own chunks of rows, the chunk sums meet in shared memory, and every thread adds them in chunk
 *   order, so all threads hold the same H and make the same stop decisions.
 */
import type { Algorithm } from '../../types.js';
import { initialFactors } from '../prng.js';
import { RestartStop, needsObjective, restartStopFrom, type StopParams } from '../stopping.js';
import { evaluateFit } from '../objective.js';
import { Kernel } from './kernel.js';
import type { RestartResult } from '../types.js';

/** Rows per chunk of the fixed summation order (see above). */
export const CHUNK_ROWS = 4096;

export interface LaneParams extends StopParams {
  algorithm: Algorithm;
  seed: number;
  eps: number;
}

/**
 * A restart to run and its k. A driver of k = K runs restarts of any k <= K: a smaller one rides in
 * its lane with components k..K-1 of W and H held at exactly 0 (never updated away from 0, never
 * clamped), so every sum it takes gains only trailing +0 terms and its numbers are those of a driver
 * of its own k, byte for byte (tested). That lets the last restarts of several k share one group.
 */
export interface LaneItem {
  k: number;
  restart: number;
}

/** A finished restart: the engine's RestartResult and its k. */
export type LaneResult = RestartResult & { k: number };

/** Row split: this thread's part of the rows, and the shared memory where chunk sums meet. */
export interface RowSplit {
  part: number;
  parts: number;
  /** Int32 [arrived, generation, abort] on a SharedArrayBuffer. */
  ctl: Int32Array;
  /** Float32 slots on a SharedArrayBuffer: 2 (pass parity) x chunks x groups x slotFloats(n, k). */
  slots: Float32Array;
}

/** What a row-split thread reports for a finished restart: its rows of W (and, from part 0, H). */
export interface LanePart {
  restart: number;
  part: number;
  iterations: number;
  converged: boolean;
  labels: Uint16Array;
  H: Float32Array | null;
  ranges: [number, number][];
  W: Float32Array;
}

export interface LaneJob {
  /** m x n row-major; may be a view of a SharedArrayBuffer. */
  A: Float32Array;
  m: number;
  n: number;
  k: number;
  meanA: number;
  params: LaneParams;
  /** Rows of A per block; null = A resident in the kernel's memory. */
  blockRows: number | null;
  /** Most lanes this driver runs at once (rounded up to whole groups). */
  capacity: number;
  /** Restarts to take before the first iteration (at most capacity). */
  initial: number;
  /** The next restart to run (k at most this driver's k), or null when there is none left. */
  claim(): LaneItem | null;
  onResult(r: LaneResult): void;
  /** Row split only: replaces onResult (the caller assembles W from the parts). */
  onPart?(p: LanePart): void;
  /** Called after each pass with a check, with the number of lanes running. */
  onCheck?(pass: number, running: number): void;
  rows?: RowSplit;
  /** Chunk size of the summation order; CHUNK_ROWS unless a test says otherwise. */
  chunkRows?: number;
  /** An instance to reuse (reset here); a fresh one when absent. */
  kernel?: Kernel;
}

/** Floats of one group's chunk sums, for groups of `lanes` restarts. */
export function slotFloats(n: number, k: number, lanes: number): number {
  return (k * n + k + k * k) * lanes;
}

type Phase = 'empty' | 'new' | 'run';

interface Lane {
  phase: Phase;
  restart: number;
  /** The restart's own k (this driver's k for an empty lane). */
  k: number;
  iter: number;
  stop: RestartStop | null;
}

interface Sums {
  num: number;
  colW: number;
  WtW: number;
}

interface Group extends Sums {
  W: number;
  H: number;
  Ha: number;
  part: Sums; // one chunk's sums (when there is more than one chunk)
  rs: number; // brunet rs (k v) / lee HHt (k*k v)
  masks: number; // [upd, clamp of component 0, ..., clamp of component k-1]
  hmask: number;
  cmask: number; // k v: clamp of each row of H (brunet's copy Ha)
  lanes: Lane[];
}

/** Wait until all `parts` threads arrive; throws when another thread aborted. */
export function barrier(ctl: Int32Array, parts: number): void {
  const gen = Atomics.load(ctl, 1);
  if (Atomics.add(ctl, 0, 1) === parts - 1) {
    Atomics.store(ctl, 0, 0);
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
    return;
  }
  while (Atomics.load(ctl, 1) === gen) {
    if (Atomics.load(ctl, 2) !== 0) throw new Error('another factorize thread failed');
    Atomics.wait(ctl, 1, gen, 1000);
  }
}

export function abortBarrier(ctl: Int32Array): void {
  Atomics.store(ctl, 2, 1);
  Atomics.add(ctl, 1, 1);
  Atomics.notify(ctl, 1);
}

const squaredNorms = new WeakMap<Float32Array, number>();

/** sum A^2 in float64, once per matrix and thread (a thread runs one driver per rank on the same A). */
function squaredNorm(A: Float32Array): number {
  let s = squaredNorms.get(A);
  if (s === undefined) {
    s = 0;
    for (let i = 0; i < A.length; i++) s += A[i]! * A[i]!;
    squaredNorms.set(A, s);
  }
  return s;
}

export function runLanes(job: LaneJob): void {
  const { m, n, k, params } = job;
  const eps = params.eps;
  // lee and hals (both Frobenius) gather the same sums in the same passes; they differ in the H
  // update and the W update of a row (kernels.ts: leeH/halsH, leeRows/halsRows).
  const lee = params.algorithm !== 'brunet';
  const hals = params.algorithm === 'hals';
  // The objective rule: lee and hals get the objective from the sums the pass gathered (frobenius
  // below); brunet's needs a pass over A, done on the host from the lane's factors at a check.
  const withObjective = needsObjective(params);
  const K = job.kernel ?? new Kernel();
  K.reset();
  const x = K.x;
  const LANES = K.lanes;
  const V = LANES * 4; // bytes per v
  const groupsMax = Math.max(1, Math.ceil(job.capacity / LANES));
  const C = Math.max(1, job.chunkRows ?? CHUNK_ROWS);
  const chunks = Math.ceil(m / C);
  const split = job.rows ?? null;
  const mine = (c: number) => split === null || c % split.parts === split.part;
  // A row-split thread copies its own chunks block by block; otherwise A is resident unless over budget.
  const blockRows = split !== null ? Math.min(C, job.blockRows ?? C) : job.blockRows;
  const rowsPerBlock = blockRows === null ? m : Math.max(1, Math.min(m, blockRows));

  const Aptr = K.alloc(rowsPerBlock * n * 4);
  if (blockRows === null) K.f32(Aptr, m * n).set(job.A);
  const sums = (): Sums => ({ num: K.alloc(k * n * V), colW: K.alloc(k * V), WtW: K.alloc(k * k * V) });
  const groups: Group[] = [];
  for (let g = 0; g < groupsMax; g++) {
    const total = sums();
    groups.push({
      ...total,
      W: K.alloc(m * k * V),
      H: K.alloc(k * n * V),
      Ha: lee ? 0 : K.alloc(k * n * V),
      part: chunks > 1 ? sums() : total,
      rs: K.alloc(k * k * V),
      masks: K.alloc((1 + k) * V),
      hmask: K.alloc(V),
      cmask: K.alloc(k * V),
      lanes: Array.from({ length: LANES }, () => ({ phase: 'empty' as Phase, restart: -1, k, iter: 0, stop: null })),
    });
  }
  const q = K.alloc(Math.max(n, 2 * k) * V); // scratch: n v, or two rows' sums in the lee kernels
  const wnew = K.alloc(k * V);
  const tmp = K.alloc(k * V);
  const u32 = () => new Uint32Array(x.memory.buffer);
  const SLOT = slotFloats(n, k, LANES);

  /** Lane l's factors: W m x kl and H kl x n (or constants), components kl..k-1 set to 0. */
  const fillLane = (g: Group, l: number, W: Float32Array | number, H: Float32Array | number, kl: number) => {
    const w = K.f32(g.W, m * k * LANES);
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < k; c++) w[(i * k + c) * LANES + l] = c >= kl ? 0 : typeof W === 'number' ? W : W[i * kl + c]!;
    }
    const h = K.f32(g.H, k * n * LANES);
    for (let i = 0; i < k * n; i++) h[i * LANES + l] = i >= kl * n ? 0 : typeof H === 'number' ? H : H[i]!;
  };
  const readLane = (ptr: number, from: number, count: number, l: number): Float32Array => {
    const src = K.f32(ptr + from * LANES * 4, count * LANES);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = src[i * LANES + l]!;
    return out;
  };
  /** Rows r0..r1-1 of lane l's W, its first kl components. */
  const readW = (g: Group, r0: number, r1: number, kl: number, l: number): Float32Array => {
    const src = K.f32(g.W, m * k * LANES);
    const out = new Float32Array((r1 - r0) * kl);
    for (let i = r0; i < r1; i++) for (let c = 0; c < kl; c++) out[(i - r0) * kl + c] = src[(i * k + c) * LANES + l]!;
    return out;
  };
  const labelsOf = (g: Group, l: number): Uint16Array => {
    const h = K.f32(g.H, k * n * LANES);
    const kl = g.lanes[l]!.k;
    const out = new Uint16Array(n);
    for (let j = 0; j < n; j++) {
      let best = 0;
      let bestV = h[j * LANES + l]!;
      for (let c = 1; c < kl; c++) {
        const v = h[(c * n + j) * LANES + l]!;
        if (v > bestV) {
          best = c;
          bestV = v;
        }
      }
      out[j] = best;
    }
    return out;
  };

  // ||A||^2 in float64, for the Frobenius objective from sums.
  const normA2 = withObjective && lee ? squaredNorm(job.A) : 0;
  /**
   * Lane l's objective 1/2 ||A - WH||^2 = 1/2 (||A||^2 - 2 sum(num o H) + sum(WtW o H H^T)) from the
   * sums of the last pass (num = W^T A, WtW = W^T W, rescaled with W) and H, accumulated in float64:
   * O(k^2 n) per lane instead of a pass over A (docs/engine.md says how close it is to evaluateFit).
   */
  const frobenius = (g: Group, l: number): number => {
    const kl = g.lanes[l]!.k;
    const h = K.f32(g.H, k * n * LANES);
    const num = K.f32(g.num, k * n * LANES);
    const wtw = K.f32(g.WtW, k * k * LANES);
    let cross = 0;
    for (let i = 0; i < kl * n; i++) cross += num[i * LANES + l]! * h[i * LANES + l]!;
    let quad = 0;
    for (let c = 0; c < kl; c++) {
      for (let d = c; d < kl; d++) {
        let hh = 0;
        for (let j = 0; j < n; j++) hh += h[(c * n + j) * LANES + l]! * h[(d * n + j) * LANES + l]!;
        quad += (c === d ? 1 : 2) * wtw[(c * k + d) * LANES + l]! * hh;
      }
    }
    return 0.5 * (normA2 - 2 * cross + quad);
  };
  const objectiveOf = (g: Group, l: number): number => {
    if (lee) return frobenius(g, l);
    const kl = g.lanes[l]!.k;
    return evaluateFit(params.algorithm, job.A, readW(g, 0, m, kl, l), readLane(g.H, 0, kl * n, l), m, n, kl).objective;
  };

  const start = (g: Group, l: number, item: LaneItem) => {
    if (item.k > k || item.k < 1) throw new Error(`a driver of k = ${k} cannot run a restart of k = ${item.k}`);
    const init = initialFactors(params.seed, item.k, item.restart, m, n, job.meanA);
    fillLane(g, l, init.W, init.H, item.k);
    // brunet's initial objective here; lee's and hals' from the sums of the lane's first pass.
    const stop = lee ? new RestartStop(params) : restartStopFrom(params, job.A, init.W, init.H, m, n, item.k);
    g.lanes[l] = { phase: 'new', restart: item.restart, k: item.k, iter: 0, stop };
  };
  // An empty lane computes on constant factors under zero masks: harmless, no NaN or subnormals.
  const clear = (g: Group, l: number) => {
    fillLane(g, l, 1, 1, k);
    g.lanes[l] = { phase: 'empty', restart: -1, k, iter: 0, stop: null };
  };
  for (const g of groups) for (let l = 0; l < LANES; l++) clear(g, l);

  let claimed = 0;
  const refill = (limit: number) => {
    for (const g of groups) {
      for (let l = 0; l < LANES; l++) {
        if (claimed >= limit) return;
        if (g.lanes[l]!.phase !== 'empty') continue;
        const r = job.claim();
        if (r === null) return;
        claimed++;
        start(g, l, r);
      }
    }
  };
  refill(Math.min(job.initial, groupsMax * LANES));

  const moveLane = (a: Group, al: number, b: Group, bl: number) => {
    const copy = (pa: number, pb: number, count: number) => {
      const src = K.f32(pa, count * LANES);
      const dst = K.f32(pb, count * LANES);
      for (let i = 0; i < count; i++) dst[i * LANES + bl] = src[i * LANES + al]!;
    };
    copy(a.W, b.W, m * k);
    copy(a.H, b.H, k * n);
    copy(a.num, b.num, k * n);
    copy(a.colW, b.colW, k);
    copy(a.WtW, b.WtW, k * k);
    b.lanes[bl] = a.lanes[al]!;
    clear(a, al);
  };
  /** Move lanes from later groups into empty lanes of earlier ones, so only the first groups run. */
  const compact = () => {
    const live = groups.reduce((s, g) => s + g.lanes.filter((a) => a.phase !== 'empty').length, 0);
    const keep = Math.ceil(live / LANES);
    for (let dst = 0; dst < keep; dst++) {
      for (let dl = 0; dl < LANES; dl++) {
        if (groups[dst]!.lanes[dl]!.phase !== 'empty') continue;
        let moved = false;
        for (let src = groups.length - 1; src >= keep && !moved; src--) {
          for (let sl = LANES - 1; sl >= 0 && !moved; sl--) {
            if (groups[src]!.lanes[sl]!.phase === 'empty') continue;
            moveLane(groups[src]!, sl, groups[dst]!, dl);
            moved = true;
          }
        }
      }
    }
  };

  const setMask = (ptr: number, on: (l: Lane) => boolean, lanes: Lane[]) => {
    const u = u32();
    for (let l = 0; l < LANES; l++) u[ptr / 4 + l] = on(lanes[l]!) ? 0xffffffff : 0;
  };
  const isCheck = (iter: number) => iter % params.checkEvery === 0 || iter >= params.maxIter;
  const zeroSums = (s: Sums) => {
    x.zero(s.num, k * n * V);
    x.zero(s.colW, k * V);
    x.zero(s.WtW, k * k * V);
  };
  const addSums = (dst: Sums, src: Sums) => {
    x.addTo(dst.num, src.num, k * n);
    x.addTo(dst.colW, src.colW, k);
    x.addTo(dst.WtW, src.WtW, k * k);
  };
  // Chunk sums in shared memory: [num | colW | WtW] per (parity, chunk, group).
  const slotAt = (parity: number, c: number, g: number) => ((parity * chunks + c) * groupsMax + g) * SLOT;
  const toSlot = (s: Sums, at: number) => {
    const d = split!.slots;
    d.set(K.f32(s.num, k * n * LANES), at);
    d.set(K.f32(s.colW, k * LANES), at + k * n * LANES);
    d.set(K.f32(s.WtW, k * k * LANES), at + (k * n + k) * LANES);
  };
  const fromSlot = (s: Sums, at: number) => {
    const d = split!.slots;
    K.f32(s.num, k * n * LANES).set(d.subarray(at, at + k * n * LANES));
    K.f32(s.colW, k * LANES).set(d.subarray(at + k * n * LANES, at + (k * n + k) * LANES));
    K.f32(s.WtW, k * k * LANES).set(d.subarray(at + (k * n + k) * LANES, at + SLOT));
  };
  const myRanges: [number, number][] = [];
  for (let c = 0; c < chunks; c++) if (mine(c)) myRanges.push([c * C, Math.min(m, (c + 1) * C)]);

  for (let pass = 1; ; pass++) {
    const active = groups.filter((g) => g.lanes.some((a) => a.phase !== 'empty'));
    if (active.length === 0) break;
    const accOf = new Map<Group, number>();
    for (const g of active) {
      const L = g.lanes;
      const running = (a: Lane) => a.phase === 'run';
      setMask(g.hmask, running, L);
      setMask(g.masks, running, L);
      // Clamps per component: a restart of a smaller k keeps its extra components at exactly 0. HALS
      // clamps at 0 in its own updates, never up to tiny (kernels.ts, halsRows).
      for (let c = 0; c < k; c++) {
        const clamps = (a: Lane) => !hals && running(a) && isCheck(a.iter + 1) && c < a.k;
        setMask(g.masks + (1 + c) * V, clamps, L);
        setMask(g.cmask + c * V, clamps, L);
      }
      // Sums are gathered for the next H update, and for the objective at a check of lee or hals.
      const objectiveNext = (a: Lane) => withObjective && lee && (a.iter + 1) % params.checkEvery === 0;
      accOf.set(g, L.some((a) => a.phase === 'new' || (running(a) && (a.iter + 1 < params.maxIter || objectiveNext(a)))) ? 1 : 0);
      if (lee) {
        if (hals) x.halsH(g.H, g.num, g.WtW, n, k, g.hmask);
        else x.leeH(g.H, g.num, g.WtW, tmp, n, k, eps, g.hmask);
        x.gram(g.H, g.rs, n, k);
      } else {
        x.brunetH(g.H, g.num, g.colW, n, k, eps, g.hmask);
        x.rowSumsPlusEps(g.H, g.rs, n, k, eps);
        for (let c = 0; c < k; c++) x.copyClamp(g.H + c * n * V, g.Ha + c * n * V, n, g.cmask + c * V);
      }
      zeroSums(g);
    }
    // One pass over the rows of A (this thread's chunks), chunk by chunk.
    for (let c = 0; c < chunks; c++) {
      if (!mine(c)) continue;
      const c0 = c * C;
      const c1 = Math.min(m, c0 + C);
      if (chunks > 1) for (const g of active) zeroSums(g.part);
      for (let r0 = c0; r0 < c1; r0 += rowsPerBlock) {
        const rows = Math.min(rowsPerBlock, c1 - r0);
        const Ab = blockRows === null ? Aptr + r0 * n * 4 : Aptr;
        if (blockRows !== null) K.f32(Aptr, rows * n).set(job.A.subarray(r0 * n, (r0 + rows) * n));
        for (const g of active) {
          const s = g.part;
          const Wb = g.W + r0 * k * V;
          if (lee) (hals ? x.halsRows : x.leeRows)(Ab, rows, n, k, Wb, g.H, g.rs, s.num, s.WtW, s.colW, q, wnew, g.masks, eps, accOf.get(g)!);
          else x.brunetRows(Ab, rows, n, k, Wb, g.H, g.Ha, g.rs, s.num, s.colW, q, wnew, g.masks, eps, accOf.get(g)!);
        }
      }
      if (chunks > 1) {
        for (const g of active) {
          if (split) toSlot(g.part, slotAt(pass % 2, c, groups.indexOf(g)));
          else addSums(g, g.part);
        }
      }
    }
    if (split) {
      barrier(split.ctl, split.parts);
      for (const g of active) {
        const gi = groups.indexOf(g);
        for (let c = 0; c < chunks; c++) {
          fromSlot(g.part, slotAt(pass % 2, c, gi));
          addSums(g, g.part);
        }
      }
    }
    let checked = false;
    for (const g of active) {
      if (lee) {
        x.leeScale(g.colW, k, eps, g.masks);
        for (const [a0, a1] of myRanges) x.leeRescaleRows(g.W + a0 * k * V, a1 - a0, g.colW, k, g.masks);
        x.leeRescaleH(g.H, g.num, g.WtW, g.colW, n, k, g.masks, accOf.get(g)!);
      } else {
        const t = g.H;
        g.H = g.Ha;
        g.Ha = t;
      }
      for (let l = 0; l < LANES; l++) {
        const a = g.lanes[l]!;
        if (a.phase === 'new') {
          a.phase = 'run';
          if (withObjective && lee) a.stop!.start(frobenius(g, l));
          continue;
        }
        if (a.phase !== 'run') continue;
        a.iter++;
        if (!isCheck(a.iter)) continue;
        checked = true;
        let converged = false;
        if (a.iter % params.checkEvery === 0) converged = a.stop!.update(labelsOf(g, l), withObjective ? objectiveOf(g, l) : undefined);
        if (converged || a.iter >= params.maxIter) {
          const labels = labelsOf(g, l);
          const kl = a.k;
          if (split) {
            const W = new Float32Array(myRanges.reduce((s, [a0, a1]) => s + (a1 - a0) * kl, 0));
            let off = 0;
            for (const [a0, a1] of myRanges) {
              W.set(readW(g, a0, a1, kl, l), off);
              off += (a1 - a0) * kl;
            }
            job.onPart!({
              restart: a.restart, part: split.part, iterations: a.iter, converged, labels,
              H: split.part === 0 ? readLane(g.H, 0, kl * n, l) : null, ranges: myRanges, W,
            });
          } else {
            const W = readW(g, 0, m, kl, l);
            const H = readLane(g.H, 0, kl * n, l);
            const fit = evaluateFit(params.algorithm, job.A, W, H, m, n, kl);
            job.onResult({ k: kl, restart: a.restart, labels, iterations: a.iter, converged, objective: fit.objective, relError: fit.relError, W, H });
          }
          clear(g, l);
        }
      }
    }
    if (checked) {
      refill(Infinity);
      compact();
      job.onCheck?.(pass, groups.reduce((s, g) => s + g.lanes.filter((a) => a.phase !== 'empty').length, 0));
    }
  }
}
