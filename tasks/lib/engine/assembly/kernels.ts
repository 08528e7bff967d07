// AssemblyScript (compiled to dist/kernels/nmf.wasm by `npm run build:kernels`; not part of the tsc build).
//
// Fused update kernels (multiplicative: brunet, lee; coordinate descent: hals) for the `fused` engine path (tasks/lib/engine/fused/). Four
// restarts of the same k run in the four f32 lanes of a v128 ("a group"): every array of a group is
// interleaved by lane, so one splat of A[i, j] serves four restarts and no operation ever mixes lanes.
// Each lane's arithmetic is therefore the same whichever lane or group a restart sits in, which is
// what makes results independent of the batch and of --workers.
//
// Layouts (v = one v128 of 4 lanes, 16 bytes):
//   A     rows x n f32, row-major (a block of rows of the data)
//   W     rows x k v         W[i, c]   at W + (i*k + c)*16
//   H     k x n v            H[c, j]   at H + (c*n + j)*16
//   num   k x n v            brunet: sum_i W[i,c] Q[i,j]; lee: sum_i W[i,c] A[i,j]
//   colW  k v               brunet: column sums of W (H update); lee: column sums of the new W (rescale)
//   WtW   k x k v            lee: sum_i W[i,c] W[i,d]
//   rs    k v               brunet: rowSums(H) + eps
//   HHt   k x k v            lee: H H^T
//   q     max(n, 2k) v      scratch (brunet from k = 5: a row's quotients; the lee row-pair kernels: two rows' A H^T)
//   masks 1+k v             lane masks: [0] = lane updates W in this pass, [1 + c] = lane clamps
//                           component c of W and H (a check); per component, so that a restart of a
//                           smaller k can ride in a group of this k with its extra components held
//                           at exactly 0 (fused/lanes.ts, mixed groups)
// Arithmetic mirrors tasks/lib/engine/updates/{brunet,lee}.ts operation by operation (x * num / den,
// eps added to denominators); only the summation order differs from the tfjs ops path.

import { brunetRowsUnrolled, leeRowsUnrolled, halsRowsUnrolled } from './unrolled';

const TINY: f32 = 1.1754943508222875e-38;

export function heapBase(): usize {
  return __heap_base;
}

// q[j] = sum_c w[c] * H[c, j]   (w: the k v of one row of W)
@inline
function rowTimesH(w: usize, H: usize, q: usize, n: i32, k: i32): void {
  const nb = <usize>n << 4;
  let c = 0;
  if (k >= 2) {
    const w0 = v128.load(w);
    const w1 = v128.load(w, 16);
    const h0 = H;
    const h1 = H + nb;
    for (let j: usize = 0; j < nb; j += 16) {
      v128.store(q + j, f32x4.add(f32x4.mul(w0, v128.load(h0 + j)), f32x4.mul(w1, v128.load(h1 + j))));
    }
    c = 2;
  } else {
    const w0 = v128.load(w);
    for (let j: usize = 0; j < nb; j += 16) v128.store(q + j, f32x4.mul(w0, v128.load(H + j)));
    c = 1;
  }
  for (; c + 1 < k; c += 2) {
    const w0 = v128.load(w + (<usize>c << 4));
    const w1 = v128.load(w + (<usize>(c + 1) << 4));
    const h0 = H + <usize>c * nb;
    const h1 = h0 + nb;
    for (let j: usize = 0; j < nb; j += 16) {
      const s = f32x4.add(v128.load(q + j), f32x4.mul(w0, v128.load(h0 + j)));
      v128.store(q + j, f32x4.add(s, f32x4.mul(w1, v128.load(h1 + j))));
    }
  }
  for (; c < k; c++) {
    const w0 = v128.load(w + (<usize>c << 4));
    const h0 = H + <usize>c * nb;
    for (let j: usize = 0; j < nb; j += 16) v128.store(q + j, f32x4.add(v128.load(q + j), f32x4.mul(w0, v128.load(h0 + j))));
  }
}

// q[j] = A[j] / (q[j] + eps)
@inline
function quotient(a: usize, q: usize, n: i32, epsv: v128): void {
  for (let j = 0; j < n; j++) {
    const p = q + (<usize>j << 4);
    v128.store(p, f32x4.div(f32x4.splat(load<f32>(a + (<usize>j << 2))), f32x4.add(v128.load(p), epsv)));
  }
}

// out[c] = sum_j q[j] * H[c, j], for c in 0..k-1 (two rows of H at a time)
@inline
function qTimesHt(q: usize, H: usize, out: usize, n: i32, k: i32): void {
  const nb = <usize>n << 4;
  let c = 0;
  for (; c + 1 < k; c += 2) {
    const h0 = H + <usize>c * nb;
    const h1 = h0 + nb;
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    for (let j: usize = 0; j < nb; j += 16) {
      const qj = v128.load(q + j);
      s0 = f32x4.add(s0, f32x4.mul(qj, v128.load(h0 + j)));
      s1 = f32x4.add(s1, f32x4.mul(qj, v128.load(h1 + j)));
    }
    v128.store(out + (<usize>c << 4), s0);
    v128.store(out + (<usize>(c + 1) << 4), s1);
  }
  for (; c < k; c++) {
    const h0 = H + <usize>c * nb;
    let s0 = f32x4.splat(0);
    for (let j: usize = 0; j < nb; j += 16) s0 = f32x4.add(s0, f32x4.mul(v128.load(q + j), v128.load(h0 + j)));
    v128.store(out + (<usize>c << 4), s0);
  }
}

// num[c, j] += w[c] * q[j]
@inline
function accumulateOuter(w: usize, q: usize, num: usize, n: i32, k: i32): void {
  const nb = <usize>n << 4;
  let c = 0;
  for (; c + 1 < k; c += 2) {
    const w0 = v128.load(w + (<usize>c << 4));
    const w1 = v128.load(w + (<usize>(c + 1) << 4));
    const p0 = num + <usize>c * nb;
    const p1 = p0 + nb;
    for (let j: usize = 0; j < nb; j += 16) {
      const qj = v128.load(q + j);
      v128.store(p0 + j, f32x4.add(v128.load(p0 + j), f32x4.mul(w0, qj)));
      v128.store(p1 + j, f32x4.add(v128.load(p1 + j), f32x4.mul(w1, qj)));
    }
  }
  for (; c < k; c++) {
    const w0 = v128.load(w + (<usize>c << 4));
    const p0 = num + <usize>c * nb;
    for (let j: usize = 0; j < nb; j += 16) v128.store(p0 + j, f32x4.add(v128.load(p0 + j), f32x4.mul(w0, v128.load(q + j))));
  }
}

/**
 * Brunet, one pass over `rows` rows of A for one group: the W update of this iteration (with Hw, the
 * new H) and, when `acc` is set, the sums for the next H update (with Ha, the new H as it stands after
 * this iteration's clamp). `wnew` is k v of scratch.
 */
export function brunetRows(
  A: usize, rows: i32, n: i32, k: i32, W: usize, Hw: usize, Ha: usize, rs: usize,
  num: usize, colW: usize, q: usize, wnew: usize, masks: usize, eps: f32, acc: i32,
): void {
  if (brunetRowsUnrolled(A, rows, n, k, W, Hw, Ha, rs, num, colW, masks, eps, acc, q)) return;
  const epsv = f32x4.splat(eps);
  const tiny = f32x4.splat(TINY);
  const upd = v128.load(masks);
  const rowBytes = <usize>k << 4;
  for (let i = 0; i < rows; i++) {
    const a = A + ((<usize>i * <usize>n) << 2);
    const w = W + <usize>i * rowBytes;
    rowTimesH(w, Hw, q, n, k);
    quotient(a, q, n, epsv);
    qTimesHt(q, Hw, wnew, n, k);
    for (let c = 0; c < k; c++) {
      const off = <usize>c << 4;
      const old = v128.load(w + off);
      let x = f32x4.div(f32x4.mul(old, v128.load(wnew + off)), v128.load(rs + off));
      x = v128.bitselect(x, old, upd);
      x = v128.bitselect(f32x4.max(x, tiny), x, v128.load(masks + 16 + off));
      v128.store(w + off, x);
      if (acc) v128.store(colW + off, f32x4.add(v128.load(colW + off), x));
    }
    if (acc) {
      rowTimesH(w, Ha, q, n, k);
      quotient(a, q, n, epsv);
      accumulateOuter(w, q, num, n, k);
    }
  }
}

/** Brunet H update of one group: H = H * num / (colW + eps) in the lanes of mask `upd` (a v at `mask`). */
export function brunetH(H: usize, num: usize, colW: usize, n: i32, k: i32, eps: f32, mask: usize): void {
  const epsv = f32x4.splat(eps);
  const upd = v128.load(mask);
  for (let c = 0; c < k; c++) {
    const den = f32x4.add(v128.load(colW + (<usize>c << 4)), epsv);
    const h = H + ((<usize>c * <usize>n) << 4);
    const p = num + ((<usize>c * <usize>n) << 4);
    for (let j: usize = 0; j < (<usize>n << 4); j += 16) {
      const old = v128.load(h + j);
      v128.store(h + j, v128.bitselect(f32x4.div(f32x4.mul(old, v128.load(p + j)), den), old, upd));
    }
  }
}

/** rs[c] = sum_j H[c, j] + eps. */
export function rowSumsPlusEps(H: usize, rs: usize, n: i32, k: i32, eps: f32): void {
  for (let c = 0; c < k; c++) {
    const h = H + ((<usize>c * <usize>n) << 4);
    let s = f32x4.splat(0);
    for (let j: usize = 0; j < (<usize>n << 4); j += 16) s = f32x4.add(s, v128.load(h + j));
    v128.store(rs + (<usize>c << 4), f32x4.add(s, f32x4.splat(eps)));
  }
}

/** dst = src, with max(., tiny) in the lanes of the clamp mask (a v at `mask`); `count` v (one row of H per call: masks are per component). */
export function copyClamp(src: usize, dst: usize, count: i32, mask: usize): void {
  const tiny = f32x4.splat(TINY);
  const clp = v128.load(mask);
  for (let p: usize = 0; p < (<usize>count << 4); p += 16) {
    const x = v128.load(src + p);
    v128.store(dst + p, v128.bitselect(f32x4.max(x, tiny), x, clp));
  }
}

/** Zero `bytes` bytes (a multiple of 16). */
export function zero(p: usize, bytes: usize): void {
  memory.fill(p, 0, bytes);
}

/**
 * Lee, one pass over `rows` rows of A for one group: W = W * (A H^T) / (W HHt + eps) in the lanes of
 * masks[0], colW += new W, and when `acc` is set num += W^T A and WtW += W^T W (with the new,
 * not yet rescaled W; leeRescale scales them).
 */
export function leeRows(
  A: usize, rows: i32, n: i32, k: i32, W: usize, Hw: usize, HHt: usize,
  num: usize, WtW: usize, colW: usize, q: usize, wnew: usize, masks: usize, eps: f32, acc: i32,
): void {
  if (leeRowsUnrolled(A, rows, n, k, W, Hw, HHt, num, WtW, colW, masks, eps, acc, q)) return;
  frobeniusRows(A, rows, n, k, W, Hw, HHt, num, WtW, colW, q, wnew, masks, eps, acc, false);
}

/**
 * HALS (coordinate descent), one pass over `rows` rows of A for one group: the same sums as leeRows
 * (s = A H^T per row, then num += W^T A, WtW += W^T W, colW += W) around a different W update, per row
 * and component c in order, each using the components already updated:
 *   W[c] = max(0, W[c] + (s[c] - sum_d W[d] HHt[d, c]) / HHt[c, c])
 * in the lanes of masks[0] where HHt[c, c] != 0 (elsewhere W[c] stays, as scikit-learn skips a zero
 * Hessian: a component held at 0 in a mixed group stays exactly 0). HALS clamps at 0, not at tiny as
 * the multiplicative rules do at checks: many entries sit at the bound, and tiny times a value below
 * 1 is subnormal, which made a sweep 2-3x slower (measured, 5000 x 1000, k = 2..5).
 */
export function halsRows(
  A: usize, rows: i32, n: i32, k: i32, W: usize, Hw: usize, HHt: usize,
  num: usize, WtW: usize, colW: usize, q: usize, wnew: usize, masks: usize, eps: f32, acc: i32,
): void {
  if (halsRowsUnrolled(A, rows, n, k, W, Hw, HHt, num, WtW, colW, masks, eps, acc, q)) return;
  frobeniusRows(A, rows, n, k, W, Hw, HHt, num, WtW, colW, q, wnew, masks, eps, acc, true);
}

// The generic loop of leeRows and halsRows (k above the unrolled ones); `hals` picks the W update.
function frobeniusRows(
  A: usize, rows: i32, n: i32, k: i32, W: usize, Hw: usize, HHt: usize,
  num: usize, WtW: usize, colW: usize, q: usize, wnew: usize, masks: usize, eps: f32, acc: i32, hals: bool,
): void {
  const epsv = f32x4.splat(eps);
  const zerov = f32x4.splat(0);
  const upd = v128.load(masks);
  const rowBytes = <usize>k << 4;
  const nb = <usize>n << 4;
  for (let i = 0; i < rows; i++) {
    const a = A + ((<usize>i * <usize>n) << 2);
    const w = W + <usize>i * rowBytes;
    // wnew[c] = sum_j A[j] H[c, j]  (two rows of H per sweep)
    let c = 0;
    for (; c + 1 < k; c += 2) {
      const h0 = Hw + <usize>c * nb;
      const h1 = h0 + nb;
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      for (let j: usize = 0, jj: usize = 0; j < nb; j += 16, jj += 4) {
        const aj = f32x4.splat(load<f32>(a + jj));
        s0 = f32x4.add(s0, f32x4.mul(aj, v128.load(h0 + j)));
        s1 = f32x4.add(s1, f32x4.mul(aj, v128.load(h1 + j)));
      }
      v128.store(wnew + (<usize>c << 4), s0);
      v128.store(wnew + (<usize>(c + 1) << 4), s1);
    }
    for (; c < k; c++) {
      const h0 = Hw + <usize>c * nb;
      let s0 = f32x4.splat(0);
      for (let j: usize = 0, jj: usize = 0; j < nb; j += 16, jj += 4) s0 = f32x4.add(s0, f32x4.mul(f32x4.splat(load<f32>(a + jj)), v128.load(h0 + j)));
      v128.store(wnew + (<usize>c << 4), s0);
    }
    if (hals) {
      // W[c] += (wnew[c] - sum_d W[d] HHt[d, c]) / HHt[c, c], in order, with the W[d] already updated.
      for (c = 0; c < k; c++) {
        const off = <usize>c << 4;
        let g = f32x4.splat(0);
        for (let d = 0; d < k; d++) g = f32x4.add(g, f32x4.mul(v128.load(w + (<usize>d << 4)), v128.load(HHt + ((<usize>(d * k + c)) << 4))));
        const hess = v128.load(HHt + ((<usize>(c * k + c)) << 4));
        const old = v128.load(w + off);
        const x = f32x4.max(f32x4.add(old, f32x4.div(f32x4.sub(v128.load(wnew + off), g), hess)), zerov);
        const y = v128.bitselect(x, old, v128.and(upd, f32x4.ne(hess, zerov)));
        v128.store(w + off, y);
        v128.store(colW + off, f32x4.add(v128.load(colW + off), y));
      }
    } else {
      // W[c] = W[c] * wnew[c] / (sum_d W[d] HHt[d, c] + eps); the denominators use the old row.
      for (c = 0; c < k; c++) {
        let den = f32x4.splat(0);
        for (let d = 0; d < k; d++) den = f32x4.add(den, f32x4.mul(v128.load(w + (<usize>d << 4)), v128.load(HHt + ((<usize>(d * k + c)) << 4))));
        v128.store(q + (<usize>c << 4), f32x4.add(den, epsv));
      }
      for (c = 0; c < k; c++) {
        const off = <usize>c << 4;
        const old = v128.load(w + off);
        const x = v128.bitselect(f32x4.div(f32x4.mul(old, v128.load(wnew + off)), v128.load(q + off)), old, upd);
        v128.store(w + off, x);
        v128.store(colW + off, f32x4.add(v128.load(colW + off), x));
      }
    }
    if (acc) {
      for (c = 0; c < k; c++) {
        const wc = v128.load(w + (<usize>c << 4));
        for (let d = 0; d < k; d++) {
          const p = WtW + (<usize>(c * k + d) << 4);
          v128.store(p, f32x4.add(v128.load(p), f32x4.mul(wc, v128.load(w + (<usize>d << 4)))));
        }
      }
      c = 0;
      for (; c + 1 < k; c += 2) {
        const w0 = v128.load(w + (<usize>c << 4));
        const w1 = v128.load(w + (<usize>(c + 1) << 4));
        const p0 = num + <usize>c * nb;
        const p1 = p0 + nb;
        for (let j: usize = 0, jj: usize = 0; j < nb; j += 16, jj += 4) {
          const aj = f32x4.splat(load<f32>(a + jj));
          v128.store(p0 + j, f32x4.add(v128.load(p0 + j), f32x4.mul(w0, aj)));
          v128.store(p1 + j, f32x4.add(v128.load(p1 + j), f32x4.mul(w1, aj)));
        }
      }
      for (; c < k; c++) {
        const w0 = v128.load(w + (<usize>c << 4));
        const p0 = num + <usize>c * nb;
        for (let j: usize = 0, jj: usize = 0; j < nb; j += 16, jj += 4) {
          v128.store(p0 + j, f32x4.add(v128.load(p0 + j), f32x4.mul(w0, f32x4.splat(load<f32>(a + jj)))));
        }
      }
    }
  }
}

/** Lee H update of one group, column by column: H = H * num / (WtW H + eps) in the lanes of mask `upd`. */
export function leeH(H: usize, num: usize, WtW: usize, tmp: usize, n: i32, k: i32, eps: f32, mask: usize): void {
  const epsv = f32x4.splat(eps);
  const upd = v128.load(mask);
  const nb = <usize>n << 4;
  for (let j: usize = 0; j < nb; j += 16) {
    for (let c = 0; c < k; c++) {
      let den = f32x4.splat(0);
      for (let d = 0; d < k; d++) den = f32x4.add(den, f32x4.mul(v128.load(WtW + (<usize>(c * k + d) << 4)), v128.load(H + <usize>d * nb + j)));
      const old = v128.load(H + <usize>c * nb + j);
      v128.store(tmp + (<usize>c << 4), f32x4.div(f32x4.mul(old, v128.load(num + <usize>c * nb + j)), f32x4.add(den, epsv)));
    }
    for (let c = 0; c < k; c++) {
      const p = H + <usize>c * nb + j;
      v128.store(p, v128.bitselect(v128.load(tmp + (<usize>c << 4)), v128.load(p), upd));
    }
  }
}

/**
 * HALS H update of one group, column by column and component by component in order (each using the
 * components already updated): H[c, j] = max(0, H[c, j] + (num[c, j] - sum_d WtW[c, d] H[d, j]) / WtW[c, c])
 * in the lanes of mask `upd` where WtW[c, c] != 0.
 */
export function halsH(H: usize, num: usize, WtW: usize, n: i32, k: i32, mask: usize): void {
  const upd = v128.load(mask);
  const zerov = f32x4.splat(0);
  const nb = <usize>n << 4;
  for (let j: usize = 0; j < nb; j += 16) {
    for (let c = 0; c < k; c++) {
      let g = f32x4.splat(0);
      for (let d = 0; d < k; d++) g = f32x4.add(g, f32x4.mul(v128.load(WtW + (<usize>(c * k + d) << 4)), v128.load(H + <usize>d * nb + j)));
      const hess = v128.load(WtW + (<usize>(c * k + c) << 4));
      const p = H + <usize>c * nb + j;
      const old = v128.load(p);
      const x = f32x4.max(f32x4.add(old, f32x4.div(f32x4.sub(v128.load(num + <usize>c * nb + j), g), hess)), zerov);
      v128.store(p, v128.bitselect(x, old, v128.and(upd, f32x4.ne(hess, zerov))));
    }
  }
}

/** HHt[c, d] = sum_j H[c, j] H[d, j]. */
export function gram(H: usize, HHt: usize, n: i32, k: i32): void {
  const nb = <usize>n << 4;
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < k; d++) {
      let s = f32x4.splat(0);
      const h0 = H + <usize>c * nb;
      const h1 = H + <usize>d * nb;
      for (let j: usize = 0; j < nb; j += 16) s = f32x4.add(s, f32x4.mul(v128.load(h0 + j), v128.load(h1 + j)));
      v128.store(HHt + (<usize>(c * k + d) << 4), s);
    }
  }
}

/** dst += src over `count` v. */
export function addTo(dst: usize, src: usize, count: i32): void {
  for (let p: usize = 0; p < (<usize>count << 4); p += 16) v128.store(dst + p, f32x4.add(v128.load(dst + p), v128.load(src + p)));
}

/*
 * Lee rescale after a pass, in three steps so that threads owning different rows of W can each do
 * their rows: leeScale turns colW into s = colW + eps in the lanes of masks[0] (1 elsewhere);
 * leeRescaleRows divides rows of W by s; leeRescaleH multiplies H's rows by s and scales the sums
 * gathered with the unscaled W (num /= s, WtW /= s s). In the lanes of masks[1 + c] component c of
 * W and H is then clamped up to tiny.
 */
export function leeScale(colW: usize, k: i32, eps: f32, masks: usize): void {
  const epsv = f32x4.splat(eps);
  const one = f32x4.splat(1);
  const upd = v128.load(masks);
  for (let c = 0; c < k; c++) {
    const off = <usize>c << 4;
    v128.store(colW + off, v128.bitselect(f32x4.add(v128.load(colW + off), epsv), one, upd));
  }
}

export function leeRescaleRows(W: usize, rows: i32, colW: usize, k: i32, masks: usize): void {
  const tiny = f32x4.splat(TINY);
  const upd = v128.load(masks);
  for (let i = 0; i < rows; i++) {
    const w = W + ((<usize>i * <usize>k) << 4);
    for (let c = 0; c < k; c++) {
      const off = <usize>c << 4;
      const x = v128.bitselect(f32x4.div(v128.load(w + off), v128.load(colW + off)), v128.load(w + off), upd);
      v128.store(w + off, v128.bitselect(f32x4.max(x, tiny), x, v128.load(masks + 16 + off)));
    }
  }
}

export function leeRescaleH(H: usize, num: usize, WtW: usize, colW: usize, n: i32, k: i32, masks: usize, acc: i32): void {
  const tiny = f32x4.splat(TINY);
  const upd = v128.load(masks);
  const nb = <usize>n << 4;
  for (let c = 0; c < k; c++) {
    const clp = v128.load(masks + 16 + (<usize>c << 4));
    const s = v128.load(colW + (<usize>c << 4));
    const h = H + <usize>c * nb;
    const p = num + <usize>c * nb;
    for (let j: usize = 0; j < nb; j += 16) {
      const old = v128.load(h + j);
      const x = v128.bitselect(f32x4.mul(old, s), old, upd);
      v128.store(h + j, v128.bitselect(f32x4.max(x, tiny), x, clp));
      if (acc) v128.store(p + j, v128.bitselect(f32x4.div(v128.load(p + j), s), v128.load(p + j), upd));
    }
    if (acc) {
      for (let d = 0; d < k; d++) {
        const p2 = WtW + (<usize>(c * k + d) << 4);
        const sd = v128.load(colW + (<usize>d << 4));
        v128.store(p2, v128.bitselect(f32x4.div(f32x4.div(v128.load(p2), s), sd), v128.load(p2), upd));
      }
    }
  }
}
