// Writes unrolled.ts: the brunet, lee and hals row kernels unrolled for k = 2..MAX_K (k accumulators in
// locals, one sweep over a row per phase). AssemblyScript has no value generics, so the unrolled
// variants are generated; kernels.ts dispatches to them and keeps a generic loop for larger k.
// Run by `npm run build:kernels` before asc.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_K = 8;
const r = (k, f) => Array.from({ length: k }, (_, c) => f(c)).join('\n');
const sum = (k, term) => {
  let e = `f32x4.mul(${term(0)})`;
  for (let c = 1; c < k; c++) e = `f32x4.add(${e}, f32x4.mul(${term(c)}))`;
  return e;
};

// From k = SPLIT_K the first sweep of a row is two: the quotients A / (W H + eps) into scratch q, then
// the numerator sums in blocks of at most BLOCK_K components. In one sweep the k weights, k sums and k
// rows of H (3k + 3 live values) exceed x64's 16 SIMD registers from k = 5, and V8 then keeps the sums
// on the stack (read from its --print-wasm-code: ten loads and five stores per two elements at k = 5).
// Same terms in the same order (each sum over j in order), so the same numbers (tested).
const SPLIT_K = 5;
const blocksOf = (K) => {
  const out = [];
  for (let c0 = 0; c0 < K; c0 += BLOCK_K) out.push(Array.from({ length: Math.min(BLOCK_K, K - c0) }, (_, i) => c0 + i));
  return out;
};
function brunetFirstSweep(K) {
  if (K < SPLIT_K) {
    return `${r(K, (c) => `    let s${c} = f32x4.splat(0);`)}
    for (let j: usize = 0, jj: usize = 0; j < nb; j += 16, jj += 4) {
${r(K, (c) => `      const x${c} = v128.load(h${c} + j);`)}
      const qq = f32x4.div(f32x4.splat(load<f32>(a + jj)), f32x4.add(${sum(K, (c) => `w${c}, x${c}`)}, epsv));
${r(K, (c) => `      s${c} = f32x4.add(s${c}, f32x4.mul(qq, x${c}));`)}
    }`;
  }
  return `    for (let j: usize = 0, jj: usize = 0; j < nb; j += 16, jj += 4) {
      v128.store(q + j, f32x4.div(f32x4.splat(load<f32>(a + jj)), f32x4.add(${sum(K, (c) => `w${c}, v128.load(h${c} + j)`)}, epsv)));
    }
${r(K, (c) => `    let s${c} = f32x4.splat(0);`)}
${blocksOf(K).map((bl) => `    for (let j: usize = 0; j < nb; j += 16) {
      const qq = v128.load(q + j);
${bl.map((c) => `      s${c} = f32x4.add(s${c}, f32x4.mul(qq, v128.load(h${c} + j)));`).join('\n')}
    }`).join('\n')}`;
}

function brunet(K) {
  return `
@inline
function brunetRows${K}(A: usize, rows: i32, n: i32, W: usize, Hw: usize, Ha: usize, rs: usize, num: usize, colW: usize, masks: usize, eps: f32, acc: i32, q: usize): void {
  const epsv = f32x4.splat(eps);
  const tiny = f32x4.splat(TINY);
  const upd = v128.load(masks);
  const nb = <usize>n << 4;
${r(K, (c) => `  const r${c} = v128.load(rs, ${c * 16});`)}
${r(K, (c) => `  const h${c} = Hw + ${c} * nb;`)}
${r(K, (c) => `  const g${c} = Ha + ${c} * nb;`)}
${r(K, (c) => `  const p${c} = num + ${c} * nb;`)}
  for (let i = 0; i < rows; i++) {
    const a = A + ((<usize>i * <usize>n) << 2);
    const w = W + <usize>i * ${K * 16};
${r(K, (c) => `    const w${c} = v128.load(w, ${c * 16});`)}
${brunetFirstSweep(K)}
${r(K, (c) => `    let u${c} = v128.bitselect(f32x4.div(f32x4.mul(w${c}, s${c}), r${c}), w${c}, upd);
    u${c} = v128.bitselect(f32x4.max(u${c}, tiny), u${c}, v128.load(masks, ${16 + c * 16}));
    v128.store(w, u${c}, ${c * 16});`)}
    if (acc) {
${r(K, (c) => `      v128.store(colW, f32x4.add(v128.load(colW, ${c * 16}), u${c}), ${c * 16});`)}
      for (let j: usize = 0, jj: usize = 0; j < nb; j += 16, jj += 4) {
        const qq = f32x4.div(f32x4.splat(load<f32>(a + jj)), f32x4.add(${sum(K, (c) => `u${c}, v128.load(g${c} + j)`)}, epsv));
${r(K, (c) => `        v128.store(p${c} + j, f32x4.add(v128.load(p${c} + j), f32x4.mul(u${c}, qq)));`)}
      }
    }
  }
}
`;
}

// The W update of one row for lee or hals (kernels.ts: leeRows, halsRows), new values u<t><c> from
// the old w<c>: lee divides by the old row's W HHt; hals goes component by component, each using
// the components already updated (u for d < c), skipping a zero Hessian HHt[c, c].
function wUpdate(K, hals, t, w, s, store) {
  if (!hals) {
    return r(K, (c) => `    const u${t}${c} = v128.bitselect(f32x4.div(f32x4.mul(${w}${c}, ${s(c)}), f32x4.add(${sum(K, (d) => `${w}${d}, v128.load(HHt, ${(d * K + c) * 16})`)}, epsv)), ${w}${c}, upd);
    ${store(c)}`);
  }
  return r(K, (c) => `    const g${t}${c} = ${sum(K, (d) => `${d < c ? `u${t}` : w}${d}, v128.load(HHt, ${(d * K + c) * 16})`)};
    const e${t}${c} = v128.load(HHt, ${(c * K + c) * 16});
    const u${t}${c} = v128.bitselect(f32x4.max(f32x4.add(${w}${c}, f32x4.div(f32x4.sub(${s(c)}, g${t}${c}), e${t}${c})), zerov), ${w}${c}, v128.and(upd, f32x4.ne(e${t}${c}, zerov)));
    ${store(c)}`);
}
const prologue = (hals) => hals ? `
  const zerov = f32x4.splat(0);` : `
  const epsv = f32x4.splat(eps);`;
const NAME = (hals) => (hals ? 'hals' : 'lee');

function lee(K, hals) {
  const pairs = [];
  for (let c = 0; c < K; c++) for (let d = 0; d < K; d++) pairs.push([c, d]);
  return `
@inline
function ${NAME(hals)}Rows${K}(A: usize, rows: i32, n: i32, W: usize, Hw: usize, HHt: usize, num: usize, WtW: usize, colW: usize, masks: usize, eps: f32, acc: i32): void {${prologue(hals)}
  const upd = v128.load(masks);
  const nb = <usize>n << 4;
${r(K, (c) => `  const h${c} = Hw + ${c} * nb;`)}
${r(K, (c) => `  const p${c} = num + ${c} * nb;`)}
  for (let i = 0; i < rows; i++) {
    const a = A + ((<usize>i * <usize>n) << 2);
    const w = W + <usize>i * ${K * 16};
${r(K, (c) => `    const w${c} = v128.load(w, ${c * 16});`)}
${r(K, (c) => `    let s${c} = f32x4.splat(0);`)}
    for (let j: usize = 0, jj: usize = 0; j < nb; j += 16, jj += 4) {
      const av = f32x4.splat(load<f32>(a + jj));
${r(K, (c) => `      s${c} = f32x4.add(s${c}, f32x4.mul(av, v128.load(h${c} + j)));`)}
    }
${wUpdate(K, hals, '', 'w', (c) => `s${c}`, (c) => `v128.store(w, u${c}, ${c * 16});
    v128.store(colW, f32x4.add(v128.load(colW, ${c * 16}), u${c}), ${c * 16});`)}
    if (acc) {
${pairs.map(([c, d]) => `      v128.store(WtW, f32x4.add(v128.load(WtW, ${(c * K + d) * 16}), f32x4.mul(u${c}, u${d})), ${(c * K + d) * 16});`).join('\n')}
      for (let j: usize = 0, jj: usize = 0; j < nb; j += 16, jj += 4) {
        const av = f32x4.splat(load<f32>(a + jj));
${r(K, (c) => `        v128.store(p${c} + j, f32x4.add(v128.load(p${c} + j), f32x4.mul(u${c}, av)));`)}
      }
    }
  }
}
`;
}

// Lee, two rows of A per sweep: each load of H and each load and store of the numerator sums serves
// both rows, which measured 13-35% less per iteration at k = 2..8 (one thread, 5000 x 1000). The
// components go in blocks of at most BLOCK_K per sweep, so the 2 * BLOCK_K accumulators fit x64's 16
// vector registers (two rows of all k = 5 components spilled and ran 4% slower than one row); a row
// pair's sums wait in S (scratch, 2k v) between blocks. Same terms in the same order as leeRows (each
// row's A H^T over j in order; row i's share of a numerator sum before row i + 1's): identical
// numbers, tested. An odd last row goes through leeRows.
const BLOCK_K = 4;
function leePairs(K, hals) {
  const pairs = [];
  for (let c = 0; c < K; c++) for (let d = 0; d < K; d++) pairs.push([c, d]);
  const blocks = blocksOf(K);
  const upd = (t, w) => wUpdate(K, hals, t, w, (c) => `v128.load(S, ${((t === 'a' ? 0 : K) + c) * 16})`, (c) => `v128.store(${t === 'a' ? 'wa' : 'wb'}, u${t}${c}, ${c * 16});`);
  return `
@inline
function ${NAME(hals)}RowPairs${K}(A: usize, rows: i32, n: i32, W: usize, Hw: usize, HHt: usize, num: usize, WtW: usize, colW: usize, masks: usize, eps: f32, acc: i32, S: usize): void {${prologue(hals)}
  const upd = v128.load(masks);
  const nb = <usize>n << 4;
${r(K, (c) => `  const h${c} = Hw + ${c} * nb;`)}
${r(K, (c) => `  const p${c} = num + ${c} * nb;`)}
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const a = A + ((<usize>i * <usize>n) << 2);
    const b = a + (<usize>n << 2);
    const wa = W + <usize>i * ${K * 16};
    const wb = wa + ${K * 16};
${blocks.map((bl) => `    {
${bl.map((c) => `      let sa${c} = f32x4.splat(0);
      let sb${c} = f32x4.splat(0);`).join('\n')}
      for (let j: usize = 0, jj: usize = 0; j < nb; j += 16, jj += 4) {
        const av = f32x4.splat(load<f32>(a + jj));
        const bv = f32x4.splat(load<f32>(b + jj));
${bl.map((c) => `        const x${c} = v128.load(h${c} + j);
        sa${c} = f32x4.add(sa${c}, f32x4.mul(av, x${c}));
        sb${c} = f32x4.add(sb${c}, f32x4.mul(bv, x${c}));`).join('\n')}
      }
${bl.map((c) => `      v128.store(S, sa${c}, ${c * 16});
      v128.store(S, sb${c}, ${(K + c) * 16});`).join('\n')}
    }`).join('\n')}
${r(K, (c) => `    const wa${c} = v128.load(wa, ${c * 16});`)}
${upd('a', 'wa')}
${r(K, (c) => `    const wb${c} = v128.load(wb, ${c * 16});`)}
${upd('b', 'wb')}
${r(K, (c) => `    v128.store(colW, f32x4.add(f32x4.add(v128.load(colW, ${c * 16}), ua${c}), ub${c}), ${c * 16});`)}
    if (acc) {
${pairs.map(([c, d]) => `      v128.store(WtW, f32x4.add(f32x4.add(v128.load(WtW, ${(c * K + d) * 16}), f32x4.mul(ua${c}, ua${d})), f32x4.mul(ub${c}, ub${d})), ${(c * K + d) * 16});`).join('\n')}
${blocks.map((bl) => `      {
${bl.map((c) => `        const ta${c} = v128.load(wa, ${c * 16});
        const tb${c} = v128.load(wb, ${c * 16});`).join('\n')}
        for (let j: usize = 0, jj: usize = 0; j < nb; j += 16, jj += 4) {
          const av = f32x4.splat(load<f32>(a + jj));
          const bv = f32x4.splat(load<f32>(b + jj));
${bl.map((c) => `          v128.store(p${c} + j, f32x4.add(f32x4.add(v128.load(p${c} + j), f32x4.mul(ta${c}, av)), f32x4.mul(tb${c}, bv)));`).join('\n')}
        }
      }`).join('\n')}
    }
  }
  if (i < rows) ${NAME(hals)}Rows${K}(A + ((<usize>i * <usize>n) << 2), rows - i, n, W + <usize>i * ${K * 16}, Hw, HHt, num, WtW, colW, masks, eps, acc);
}
`;
}

const ks = Array.from({ length: MAX_K - 1 }, (_, i) => i + 2);
const out = `// GENERATED by generate.mjs (npm run build:kernels): do not edit.
// Row kernels unrolled for k = 2..${MAX_K}; see kernels.ts for layouts and what they compute.
const TINY: f32 = 1.1754943508222875e-38;
export const UNROLLED_MAX_K = ${MAX_K};
${ks.map(brunet).join('')}
${ks.map((K) => lee(K, false)).join('')}
${ks.map((K) => leePairs(K, false)).join('')}
${ks.map((K) => lee(K, true)).join('')}
${ks.map((K) => leePairs(K, true)).join('')}
/** Returns false when k has no unrolled variant. */
export function brunetRowsUnrolled(A: usize, rows: i32, n: i32, k: i32, W: usize, Hw: usize, Ha: usize, rs: usize, num: usize, colW: usize, masks: usize, eps: f32, acc: i32, q: usize): bool {
  switch (k) {
${ks.map((K) => `    case ${K}: brunetRows${K}(A, rows, n, W, Hw, Ha, rs, num, colW, masks, eps, acc, q); return true;`).join('\n')}
    default: return false;
  }
}

export function leeRowsUnrolled(A: usize, rows: i32, n: i32, k: i32, W: usize, Hw: usize, HHt: usize, num: usize, WtW: usize, colW: usize, masks: usize, eps: f32, acc: i32, S: usize): bool {
  switch (k) {
${ks.map((K) => `    case ${K}: leeRowPairs${K}(A, rows, n, W, Hw, HHt, num, WtW, colW, masks, eps, acc, S); return true;`).join('\n')}
    default: return false;
  }
}
export function halsRowsUnrolled(A: usize, rows: i32, n: i32, k: i32, W: usize, Hw: usize, HHt: usize, num: usize, WtW: usize, colW: usize, masks: usize, eps: f32, acc: i32, S: usize): bool {
  switch (k) {
${ks.map((K) => `    case ${K}: halsRowPairs${K}(A, rows, n, W, Hw, HHt, num, WtW, colW, masks, eps, acc, S); return true;`).join('\n')}
    default: return false;
  }
}
`;
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'unrolled.ts'), out);
