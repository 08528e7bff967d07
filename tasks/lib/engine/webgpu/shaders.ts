/**
 * The WGSL kernels of the webgpu-fused path (driver.ts), one module per (algorithm, k): k is a
 * compile-time constant so each thread keeps a row of W or a column of H in registers.
 *
 * Every array holds all R restarts of a batch, restart-major, and every kernel runs one thread per
 * (row or column, restart): gid.y is the restart, so one dispatch serves all restarts and a thread
 * touches only its own restart's factors (a restart's numbers do not depend on its batch). Threads of
 * different restarts load the same elements of A: they share them through the device caches rather
 * than registers, which keeps m x R (or n x R) threads busy where a thread looping over the restarts
 * would leave only m (or n, often a few dozen samples).
 *   A      rows x n           one block of rows of the data (all of A when resident)
 *   W      R x m x k          W[r, i, c] at (r*m + i)*k + c
 *   H, H2  R x k x n          H[r, c, j] at (r*k + c)*n + j; brunet: H2 = H with the check's clamp
 *   num    R x k x n          brunet: sum_i W[i,c] A[i,j] / (WH2 + eps); lee: sum_i W[i,c] A[i,j]
 *   small  R x S, S = k + 2k^2: [colW (k) | brunet rs (k) or lee HHt (k*k) | lee WtW (k*k)]
^ *   live   R u32              0 once a restart has finished: its threads return at once
 *   labels R x n u32          argmax of each column of H (ties to the lowest index)
 * The sums over rows are gathered while the rows of A pass (blockRows kernels), in row order and
 * carried in the buffers from block to block, so streamed and resident runs add in the same order.
 * Arithmetic mirrors assembly/kernels.ts operation by operation (x * num / den, eps added to the
 * denominators, max(x, FLOAT32_TINY) at checks); only summation order differs from wasm.
 */
import type { Algorithm } from '../../types.js';

/** The algorithms with WGSL kernels (path.ts refuses hals before any work). */
export type WgslAlgorithm = Exclude<Algorithm, 'hals'>;

/** Threads per workgroup along x. */
export const WORKGROUP = 64;

/** Bytes of the uniform block (Params in the WGSL below). */
export const PARAMS_BYTES = 48;

/** Floats of `small` per restart. */
export function smallFloats(k: number): number {
  return k + 2 * k * k;
}

/** Entry points, in the order the driver dispatches them. */
export const ENTRIES = {
  brunet: { pre: ['brunetH', 'brunetRs', 'brunetClampCopy'], rows: ['brunetW', 'brunetNum', 'brunetColW'], post: [] as string[] },
  lee: { pre: ['leeH', 'leeGram'], rows: ['leeW', 'leeNum', 'leeSums'], post: ['leeScale', 'leeRescaleW', 'leeRescaleH'] },
} as const;

const header = (k: number) => /* wgsl */ `
struct Params {
  m: u32, n: u32, R: u32, r0: u32,
  rows: u32, upd: u32, clamp: u32, acc: u32,
  first: u32, eps: f32, pad0: u32, pad1: u32,
}
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read_write> W: array<f32>;
@group(0) @binding(2) var<storage, read_write> H: array<f32>;
@group(0) @binding(3) var<storage, read_write> H2: array<f32>;
@group(0) @binding(4) var<storage, read_write> num: array<f32>;
@group(0) @binding(5) var<storage, read_write> small: array<f32>;
@group(0) @binding(6) var<storage, read> live: array<u32>;
@group(0) @binding(7) var<storage, read_write> labels: array<u32>;
@group(0) @binding(8) var<uniform> p: Params;

const K: u32 = ${k}u;
const S: u32 = ${smallFloats(k)}u;
const TINY: f32 = 1.1754943508222875e-38f;

fn wi(r: u32, i: u32, c: u32) -> u32 { return (r * p.m + i) * K + c; }
fn hi(r: u32, c: u32, j: u32) -> u32 { return (r * K + c) * p.n + j; }
fn clampIf(x: f32) -> f32 { if (p.clamp != 0u) { return max(x, TINY); } return x; }

@compute @workgroup_size(${WORKGROUP})
fn labelsOf(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x; let r = g.y;
  if (j >= p.n || live[r] == 0u) { return; }
  var best = 0u;
  var bestV = H[hi(r, 0u, j)];
  for (var c = 1u; c < K; c++) {
    let v = H[hi(r, c, j)];
    if (v > bestV) { best = c; bestV = v; }
  }
  labels[r * p.n + j] = best;
}
`;

// The W kernels' start: this thread's row i of restart r (the old row in w, the numerator wn at 0).
const rowStart = /* wgsl */ `  let t = g.x; let r = g.y;
  if (t >= p.rows || live[r] == 0u || p.upd == 0u) { return; }
  let i = p.r0 + t;
  var w: array<f32, K>;
  var wn: array<f32, K>;
  for (var c = 0u; c < K; c++) { w[c] = W[wi(r, i, c)]; wn[c] = 0.0f; }`;

const brunet = /* wgsl */ `
// H = H * num / (colW + eps)
@compute @workgroup_size(${WORKGROUP})
fn brunetH(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x; let r = g.y;
  if (j >= p.n || live[r] == 0u || p.upd == 0u) { return; }
  for (var c = 0u; c < K; c++) {
    let x = H[hi(r, c, j)];
    H[hi(r, c, j)] = (x * num[hi(r, c, j)]) / (small[r * S + c] + p.eps);
  }
}

// rs[c] = sum_j H[c, j] + eps
@compute @workgroup_size(${WORKGROUP})
fn brunetRs(@builtin(global_invocation_id) g: vec3u) {
  let c = g.x; let r = g.y;
  if (c >= K || live[r] == 0u) { return; }
  var s = 0.0f;
  for (var j = 0u; j < p.n; j++) { s += H[hi(r, c, j)]; }
  small[r * S + K + c] = s + p.eps;
}

// H2 = H, clamped at a check (the W update uses H unclamped, the next sums use H2)
@compute @workgroup_size(${WORKGROUP})
fn brunetClampCopy(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x; let r = g.y;
  if (j >= p.n || live[r] == 0u) { return; }
  for (var c = 0u; c < K; c++) { H2[hi(r, c, j)] = clampIf(H[hi(r, c, j)]); }
}

// W = W * ((A / (W H + eps)) H^T) / rs, one row per thread
@compute @workgroup_size(${WORKGROUP})
fn brunetW(@builtin(global_invocation_id) g: vec3u) {
${rowStart}
  for (var j = 0u; j < p.n; j++) {
    var s = 0.0f;
    for (var c = 0u; c < K; c++) { s += w[c] * H[hi(r, c, j)]; }
    let q = A[t * p.n + j] / (s + p.eps);
    for (var c = 0u; c < K; c++) { wn[c] += q * H[hi(r, c, j)]; }
  }
  for (var c = 0u; c < K; c++) { W[wi(r, i, c)] = clampIf((w[c] * wn[c]) / small[r * S + K + c]); }
}

// num[c, j] += sum over this block's rows of W[i, c] A[i, j] / (W H2 + eps)
@compute @workgroup_size(${WORKGROUP})
fn brunetNum(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x; let r = g.y;
  if (j >= p.n || live[r] == 0u || p.acc == 0u) { return; }
  var h: array<f32, K>;
  var s: array<f32, K>;
  for (var c = 0u; c < K; c++) {
    h[c] = H2[hi(r, c, j)];
    if (p.first != 0u) { s[c] = 0.0f; } else { s[c] = num[hi(r, c, j)]; }
  }
  for (var t = 0u; t < p.rows; t++) {
    let i = p.r0 + t;
    var d = 0.0f;
    for (var c = 0u; c < K; c++) { d += W[wi(r, i, c)] * h[c]; }
    let q = A[t * p.n + j] / (d + p.eps);
    for (var c = 0u; c < K; c++) { s[c] += W[wi(r, i, c)] * q; }
  }
  for (var c = 0u; c < K; c++) { num[hi(r, c, j)] = s[c]; }
}

// colW[c] += sum over this block's rows of W[i, c]
@compute @workgroup_size(${WORKGROUP})
fn brunetColW(@builtin(global_invocation_id) g: vec3u) {
  let c = g.x; let r = g.y;
  if (c >= K || live[r] == 0u || p.acc == 0u) { return; }
  var s = 0.0f;
  if (p.first == 0u) { s = small[r * S + c]; }
  for (var t = 0u; t < p.rows; t++) { s += W[wi(r, p.r0 + t, c)]; }
  small[r * S + c] = s;
}
`;

const lee = /* wgsl */ `
fn hht(r: u32, c: u32, d: u32) -> u32 { return r * S + K + c * K + d; }
fn wtw(r: u32, c: u32, d: u32) -> u32 { return r * S + K + K * K + c * K + d; }

// H = H * num / (WtW H + eps), one column per thread
@compute @workgroup_size(${WORKGROUP})
fn leeH(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x; let r = g.y;
  if (j >= p.n || live[r] == 0u || p.upd == 0u) { return; }
  var h: array<f32, K>;
  for (var c = 0u; c < K; c++) { h[c] = H[hi(r, c, j)]; }
  for (var c = 0u; c < K; c++) {
    var den = 0.0f;
    for (var d = 0u; d < K; d++) { den += small[wtw(r, c, d)] * h[d]; }
    H[hi(r, c, j)] = (h[c] * num[hi(r, c, j)]) / (den + p.eps);
  }
}

// HHt = H H^T
@compute @workgroup_size(${WORKGROUP})
fn leeGram(@builtin(global_invocation_id) g: vec3u) {
  let e = g.x; let r = g.y;
  if (e >= K * K || live[r] == 0u) { return; }
  let c = e / K; let d = e % K;
  var s = 0.0f;
  for (var j = 0u; j < p.n; j++) { s += H[hi(r, c, j)] * H[hi(r, d, j)]; }
  small[hht(r, c, d)] = s;
}

// W = W * (A H^T) / (W HHt + eps), one row per thread (denominators from the old row)
@compute @workgroup_size(${WORKGROUP})
fn leeW(@builtin(global_invocation_id) g: vec3u) {
${rowStart}
  for (var j = 0u; j < p.n; j++) {
    let a = A[t * p.n + j];
    for (var c = 0u; c < K; c++) { wn[c] += a * H[hi(r, c, j)]; }
  }
  for (var c = 0u; c < K; c++) {
    var den = 0.0f;
    for (var d = 0u; d < K; d++) { den += w[d] * small[hht(r, d, c)]; }
    W[wi(r, i, c)] = (w[c] * wn[c]) / (den + p.eps);
  }
}

// num[c, j] += sum over this block's rows of W[i, c] A[i, j] (the new, not yet rescaled W)
@compute @workgroup_size(${WORKGROUP})
fn leeNum(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x; let r = g.y;
  if (j >= p.n || live[r] == 0u || p.acc == 0u) { return; }
  var s: array<f32, K>;
  for (var c = 0u; c < K; c++) {
    if (p.first != 0u) { s[c] = 0.0f; } else { s[c] = num[hi(r, c, j)]; }
  }
  for (var t = 0u; t < p.rows; t++) {
    let a = A[t * p.n + j];
    for (var c = 0u; c < K; c++) { s[c] += W[wi(r, p.r0 + t, c)] * a; }
  }
  for (var c = 0u; c < K; c++) { num[hi(r, c, j)] = s[c]; }
}

// colW[c] += sum of this block's W[i, c]; WtW[c, d] += sum of W[i, c] W[i, d]
@compute @workgroup_size(${WORKGROUP})
fn leeSums(@builtin(global_invocation_id) g: vec3u) {
  let c = g.x; let r = g.y;
  if (c >= K || live[r] == 0u) { return; }
  var s = 0.0f;
  if (p.first == 0u) { s = small[r * S + c]; }
  for (var t = 0u; t < p.rows; t++) { s += W[wi(r, p.r0 + t, c)]; }
  small[r * S + c] = s;
  if (p.acc == 0u) { return; }
  for (var d = 0u; d < K; d++) {
    var q = 0.0f;
    if (p.first == 0u) { q = small[wtw(r, c, d)]; }
    for (var t = 0u; t < p.rows; t++) { q += W[wi(r, p.r0 + t, c)] * W[wi(r, p.r0 + t, d)]; }
    small[wtw(r, c, d)] = q;
  }
}

// colW becomes the rescale s = colW + eps (1 when not updating)
@compute @workgroup_size(${WORKGROUP})
fn leeScale(@builtin(global_invocation_id) g: vec3u) {
  let c = g.x; let r = g.y;
  if (c >= K || live[r] == 0u) { return; }
  if (p.upd != 0u) { small[r * S + c] = small[r * S + c] + p.eps; } else { small[r * S + c] = 1.0f; }
}

// W's columns divided by s (every row of A: W is resident even when A is streamed)
@compute @workgroup_size(${WORKGROUP})
fn leeRescaleW(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x; let r = g.y;
  if (i >= p.m || live[r] == 0u || p.upd == 0u) { return; }
  for (var c = 0u; c < K; c++) { W[wi(r, i, c)] = clampIf(W[wi(r, i, c)] / small[r * S + c]); }
}

// H's rows times s, and the sums gathered with the unscaled W scaled to the rescaled one
@compute @workgroup_size(${WORKGROUP})
fn leeRescaleH(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x; let r = g.y;
  if (j >= p.n || live[r] == 0u || p.upd == 0u) { return; }
  for (var c = 0u; c < K; c++) {
    let s = small[r * S + c];
    H[hi(r, c, j)] = clampIf(H[hi(r, c, j)] * s);
    if (p.acc != 0u) { num[hi(r, c, j)] = num[hi(r, c, j)] / s; }
  }
  if (j == 0u && p.acc != 0u) {
    for (var c = 0u; c < K; c++) {
      for (var d = 0u; d < K; d++) { small[wtw(r, c, d)] = (small[wtw(r, c, d)] / small[r * S + c]) / small[r * S + d]; }
    }
  }
}
`;

/** The WGSL module for `algorithm` at rank k. */
export function shaderSource(algorithm: WgslAlgorithm, k: number): string {
  return header(k) + (algorithm === 'lee' ? lee : brunet);
}
