// The fused kernels of ../assembly/kernels.ts, natively, eight restarts to a group (the eight f32 lanes
// of an AVX2 register) instead of wasm SIMD's four. Built by build.mjs with -mavx2 -ffp-contract=off
// (no fused multiply-add, no reassociation): each lane does the wasm kernel's operations in the wasm
// kernel's order, so a restart's numbers are the same byte for byte whichever build runs it (tested,
// test/engine/native.test.ts). Layouts are those of kernels.ts with v = 8 lanes (32 bytes); every
// pointer is into the driver's memory (fused/kernel.ts), and addon.cc turns its offsets into pointers.
//
// Each kernel is a template over k: KT = 2..8 mirrors the unrolled wasm kernels (assembly/generate.mjs),
// KT = 0 the generic loop for larger k. The two differ in one detail that is kept: the generic loop
// starts its sums over components from +0 (0 + x), the unrolled one from the first product.
#include "kernels.h"

#include <immintrin.h>

#include <cstring>

namespace {

typedef float vf __attribute__((vector_size(32)));
typedef int vi __attribute__((vector_size(32)));
constexpr size_t VB = 32;  // bytes per v
constexpr float TINY = 1.1754943508222875e-38f;
constexpr int MAX_UNROLLED = 8;

inline vf ld(const u8* p) { vf v; std::memcpy(&v, p, VB); return v; }
inline vi ldm(const u8* p) { vi v; std::memcpy(&v, p, VB); return v; }
inline void st(u8* p, vf v) { std::memcpy(p, &v, VB); }
inline vf splat(float x) { return vf{x, x, x, x, x, x, x, x}; }
// wasm v128.bitselect(a, b, m): a's bits where m is set, b's elsewhere.
inline vf sel(vf a, vf b, vi m) { return (vf)(((vi)a & m) | ((vi)b & ~m)); }
// wasm f32x4.max for the operands used here: maxps returns b when both are zeros, so max(-0, +0) =
// +0 as in wasm. They differ on NaN (wasm gives NaN, maxps b), which arises only where the result is
// discarded: hals with a zero Hessian, whose lane keeps its old value.
inline vf vmax(vf a, vf b) { return (vf)_mm256_max_ps((__m256)a, (__m256)b); }
inline vi ne(vf a, vf b) { return (vi)_mm256_cmp_ps((__m256)a, (__m256)b, _CMP_NEQ_UQ); }

// A k-array of v in registers when k is known (KT > 0), on the stack otherwise.
#define VARR(name, KT, K) \
  vf name##_fixed[(KT) > 0 ? (KT) : 1]; \
  vf* name = (KT) > 0 ? name##_fixed : static_cast<vf*>(__builtin_alloca_with_align(sizeof(vf) * (K), 256))

// sum over c of x(c), in order, from the first term (unrolled) or from +0 (generic, KT = 0).
template <int KT, typename F>
inline vf sumTerms(int K, F term) {
  vf s = KT > 0 ? term(0) : splat(0) + term(0);
  for (int c = 1; c < K; c++) s = s + term(c);
  return s;
}

template <int KT>
void brunetRowsT(const float* A, int rows, int n, int kr, u8* W, const u8* Hw, const u8* Ha, const u8* rs,
                 u8* num, u8* colW, const u8* masks, float eps, int acc) {
  const int K = KT > 0 ? KT : kr;
  const vf epsv = splat(eps), tiny = splat(TINY);
  const vi upd = ldm(masks);
  const size_t nb = static_cast<size_t>(n) * VB;
  VARR(r, KT, K);
  VARR(w, KT, K);
  VARR(s, KT, K);
  VARR(u, KT, K);
  for (int c = 0; c < K; c++) r[c] = ld(rs + c * VB);
  for (int i = 0; i < rows; i++) {
    const float* a = A + static_cast<size_t>(i) * n;
    u8* wr = W + static_cast<size_t>(i) * K * VB;
    for (int c = 0; c < K; c++) { w[c] = ld(wr + c * VB); s[c] = splat(0); }
    for (size_t j = 0, jj = 0; j < nb; j += VB, jj++) {
      // The generic wasm loop forms W H first (rowTimesH): from the first product, as unrolled.
      vf den = w[0] * ld(Hw + j);
      for (int c = 1; c < K; c++) den = den + w[c] * ld(Hw + c * nb + j);
      const vf qq = splat(a[jj]) / (den + epsv);
      for (int c = 0; c < K; c++) s[c] = s[c] + qq * ld(Hw + c * nb + j);
    }
    for (int c = 0; c < K; c++) {
      vf x = sel((w[c] * s[c]) / r[c], w[c], upd);
      u[c] = sel(vmax(x, tiny), x, ldm(masks + VB + c * VB));
      st(wr + c * VB, u[c]);
    }
    if (acc) {
      for (int c = 0; c < K; c++) st(colW + c * VB, ld(colW + c * VB) + u[c]);
      for (size_t j = 0, jj = 0; j < nb; j += VB, jj++) {
        vf den = u[0] * ld(Ha + j);
        for (int c = 1; c < K; c++) den = den + u[c] * ld(Ha + c * nb + j);
        const vf qq = splat(a[jj]) / (den + epsv);
        for (int c = 0; c < K; c++) st(num + c * nb + j, ld(num + c * nb + j) + u[c] * qq);
      }
    }
  }
}

// The W update of one row for lee or hals (kernels.ts: leeRows/halsRows): u from the old w and the
// row's A H^T in s. lee divides by the old row's W HHt; hals goes component by component, each using
// the components already updated, and keeps a component whose Hessian HHt[c, c] is 0.
template <int KT, bool HALS>
inline void updateRow(int K, const vf* w, const vf* s, vf* u, const u8* HHt, vi upd, vf epsv) {
  const vf zerov = splat(0);
  auto hh = [&](int d, int c) { return ld(HHt + (static_cast<size_t>(d) * K + c) * VB); };
  for (int c = 0; c < K; c++) {
    if (HALS) {
      const vf g = sumTerms<KT>(K, [&](int d) { return (d < c ? u[d] : w[d]) * hh(d, c); });
      const vf e = hh(c, c);
      u[c] = sel(vmax(w[c] + (s[c] - g) / e, zerov), w[c], upd & ne(e, zerov));
    } else {
      const vf den = sumTerms<KT>(K, [&](int d) { return w[d] * hh(d, c); });
      u[c] = sel((w[c] * s[c]) / (den + epsv), w[c], upd);
    }
  }
}

// lee and hals: one pass over rows, the W update of each row (see kernels.ts, leeRows/halsRows).
template <int KT, bool HALS>
void frobeniusRowsT(const float* A, int rows, int n, int kr, u8* W, const u8* Hw, const u8* HHt, u8* num,
                    u8* WtW, u8* colW, const u8* masks, float eps, int acc) {
  const int K = KT > 0 ? KT : kr;
  const vf epsv = splat(eps);
  const vi upd = ldm(masks);
  const size_t nb = static_cast<size_t>(n) * VB;
  VARR(w, KT, K);
  VARR(s, KT, K);
  VARR(u, KT, K);
  for (int i = 0; i < rows; i++) {
    const float* a = A + static_cast<size_t>(i) * n;
    u8* wr = W + static_cast<size_t>(i) * K * VB;
    for (int c = 0; c < K; c++) { w[c] = ld(wr + c * VB); s[c] = splat(0); }
    for (size_t j = 0, jj = 0; j < nb; j += VB, jj++) {
      const vf av = splat(a[jj]);
      for (int c = 0; c < K; c++) s[c] = s[c] + av * ld(Hw + c * nb + j);
    }
    updateRow<KT, HALS>(K, w, s, u, HHt, upd, epsv);
    for (int c = 0; c < K; c++) {
      st(wr + c * VB, u[c]);
      st(colW + c * VB, ld(colW + c * VB) + u[c]);
    }
    if (acc) {
      for (int c = 0; c < K; c++)
        for (int d = 0; d < K; d++) {
          u8* p = WtW + (static_cast<size_t>(c) * K + d) * VB;
          st(p, ld(p) + u[c] * u[d]);
        }
      for (size_t j = 0, jj = 0; j < nb; j += VB, jj++) {
        const vf av = splat(a[jj]);
        for (int c = 0; c < K; c++) st(num + c * nb + j, ld(num + c * nb + j) + u[c] * av);
      }
    }
  }
}

// Two rows of A per sweep (k = 2..8), as the wasm row-pair kernels: each load of H and each load and
// store of the numerator sums serves both rows, components in blocks of at most BLOCK_K so the 2 x
// BLOCK_K accumulators stay in registers. Each row's terms are added in the order frobeniusRowsT adds
// them (row i's share of a sum before row i + 1's), so the numbers are the same; an odd last row goes
// through frobeniusRowsT.
constexpr int BLOCK_K = 4;
template <int K, bool HALS>
void frobeniusRowPairsT(const float* A, int rows, int n, u8* W, const u8* Hw, const u8* HHt, u8* num, u8* WtW,
                        u8* colW, const u8* masks, float eps, int acc) {
  const vf epsv = splat(eps);
  const vi upd = ldm(masks);
  const size_t nb = static_cast<size_t>(n) * VB;
  int i = 0;
  for (; i + 1 < rows; i += 2) {
    const float* a = A + static_cast<size_t>(i) * n;
    const float* b = a + n;
    u8* wa = W + static_cast<size_t>(i) * K * VB;
    u8* wb = wa + K * VB;
    vf sa[K], sb[K], w[K], ua[K], ub[K];
    for (int c0 = 0; c0 < K; c0 += BLOCK_K) {
      constexpr int B = BLOCK_K;
      vf xa[B], xb[B];
      for (int c = 0; c < B; c++) { xa[c] = splat(0); xb[c] = splat(0); }
      for (size_t j = 0, jj = 0; j < nb; j += VB, jj++) {
        const vf av = splat(a[jj]), bv = splat(b[jj]);
        for (int c = 0; c < B && c0 + c < K; c++) {
          const vf x = ld(Hw + (c0 + c) * nb + j);
          xa[c] = xa[c] + av * x;
          xb[c] = xb[c] + bv * x;
        }
      }
      for (int c = 0; c < B && c0 + c < K; c++) { sa[c0 + c] = xa[c]; sb[c0 + c] = xb[c]; }
    }
    for (int c = 0; c < K; c++) w[c] = ld(wa + c * VB);
    updateRow<K, HALS>(K, w, sa, ua, HHt, upd, epsv);
    for (int c = 0; c < K; c++) w[c] = ld(wb + c * VB);
    updateRow<K, HALS>(K, w, sb, ub, HHt, upd, epsv);
    for (int c = 0; c < K; c++) {
      st(wa + c * VB, ua[c]);
      st(wb + c * VB, ub[c]);
      st(colW + c * VB, (ld(colW + c * VB) + ua[c]) + ub[c]);
    }
    if (acc) {
      for (int c = 0; c < K; c++)
        for (int d = 0; d < K; d++) {
          u8* p = WtW + (static_cast<size_t>(c) * K + d) * VB;
          st(p, (ld(p) + ua[c] * ua[d]) + ub[c] * ub[d]);
        }
      for (int c0 = 0; c0 < K; c0 += BLOCK_K) {
        for (size_t j = 0, jj = 0; j < nb; j += VB, jj++) {
          const vf av = splat(a[jj]), bv = splat(b[jj]);
          for (int c = c0; c < c0 + BLOCK_K && c < K; c++) {
            u8* p = num + c * nb + j;
            st(p, (ld(p) + ua[c] * av) + ub[c] * bv);
          }
        }
      }
    }
  }
  if (i < rows)
    frobeniusRowsT<K, HALS>(A + static_cast<size_t>(i) * n, rows - i, n, K, W + static_cast<size_t>(i) * K * VB, Hw, HHt, num,
                            WtW, colW, masks, eps, acc);
}

template <typename F>
void dispatchK(int k, F f) {
  switch (k) {
    case 2: f.template operator()<2>(); break;
    case 3: f.template operator()<3>(); break;
    case 4: f.template operator()<4>(); break;
    case 5: f.template operator()<5>(); break;
    case 6: f.template operator()<6>(); break;
    case 7: f.template operator()<7>(); break;
    case 8: f.template operator()<8>(); break;
    default: f.template operator()<0>(); break;
  }
  static_assert(MAX_UNROLLED == 8, "dispatchK covers k = 2..8");
}

}  // namespace

namespace nmfnative {

void brunetRows(const float* A, int rows, int n, int k, u8* W, const u8* Hw, const u8* Ha, const u8* rs, u8* num,
                u8* colW, const u8* masks, float eps, int acc) {
  dispatchK(k, [&]<int KT>() { brunetRowsT<KT>(A, rows, n, k, W, Hw, Ha, rs, num, colW, masks, eps, acc); });
}

void frobeniusRows(bool hals, const float* A, int rows, int n, int k, u8* W, const u8* Hw, const u8* HHt, u8* num,
                   u8* WtW, u8* colW, const u8* masks, float eps, int acc) {
  dispatchK(k, [&]<int KT>() {
    if constexpr (KT == 0) {
      if (hals) frobeniusRowsT<0, true>(A, rows, n, k, W, Hw, HHt, num, WtW, colW, masks, eps, acc);
      else frobeniusRowsT<0, false>(A, rows, n, k, W, Hw, HHt, num, WtW, colW, masks, eps, acc);
    } else {
      if (hals) frobeniusRowPairsT<KT, true>(A, rows, n, W, Hw, HHt, num, WtW, colW, masks, eps, acc);
      else frobeniusRowPairsT<KT, false>(A, rows, n, W, Hw, HHt, num, WtW, colW, masks, eps, acc);
    }
  });
}

void brunetH(u8* H, const u8* num, const u8* colW, int n, int k, float eps, const u8* mask) {
  const vf epsv = splat(eps);
  const vi upd = ldm(mask);
  const size_t nb = static_cast<size_t>(n) * VB;
  for (int c = 0; c < k; c++) {
    const vf den = ld(colW + c * VB) + epsv;
    for (size_t j = 0; j < nb; j += VB) {
      u8* h = H + c * nb + j;
      const vf old = ld(h);
      st(h, sel((old * ld(num + c * nb + j)) / den, old, upd));
    }
  }
}

void rowSumsPlusEps(const u8* H, u8* rs, int n, int k, float eps) {
  const size_t nb = static_cast<size_t>(n) * VB;
  for (int c = 0; c < k; c++) {
    vf s = splat(0);
    for (size_t j = 0; j < nb; j += VB) s = s + ld(H + c * nb + j);
    st(rs + c * VB, s + splat(eps));
  }
}

void copyClamp(const u8* src, u8* dst, int count, const u8* mask) {
  const vf tiny = splat(TINY);
  const vi clp = ldm(mask);
  for (size_t p = 0; p < static_cast<size_t>(count) * VB; p += VB) {
    const vf x = ld(src + p);
    st(dst + p, sel(vmax(x, tiny), x, clp));
  }
}

void leeH(u8* H, const u8* num, const u8* WtW, u8* tmp, int n, int k, float eps, const u8* mask) {
  const vf epsv = splat(eps);
  const vi upd = ldm(mask);
  const size_t nb = static_cast<size_t>(n) * VB;
  for (size_t j = 0; j < nb; j += VB) {
    for (int c = 0; c < k; c++) {
      vf den = splat(0);
      for (int d = 0; d < k; d++) den = den + ld(WtW + (static_cast<size_t>(c) * k + d) * VB) * ld(H + d * nb + j);
      st(tmp + c * VB, (ld(H + c * nb + j) * ld(num + c * nb + j)) / (den + epsv));
    }
    for (int c = 0; c < k; c++) {
      u8* p = H + c * nb + j;
      st(p, sel(ld(tmp + c * VB), ld(p), upd));
    }
  }
}

void halsH(u8* H, const u8* num, const u8* WtW, int n, int k, const u8* mask) {
  const vi upd = ldm(mask);
  const vf zerov = splat(0);
  const size_t nb = static_cast<size_t>(n) * VB;
  for (size_t j = 0; j < nb; j += VB) {
    for (int c = 0; c < k; c++) {
      vf g = splat(0);
      for (int d = 0; d < k; d++) g = g + ld(WtW + (static_cast<size_t>(c) * k + d) * VB) * ld(H + d * nb + j);
      const vf hess = ld(WtW + (static_cast<size_t>(c) * k + c) * VB);
      u8* p = H + c * nb + j;
      const vf old = ld(p);
      const vf x = vmax(old + (ld(num + c * nb + j) - g) / hess, zerov);
      st(p, sel(x, old, upd & ne(hess, zerov)));
    }
  }
}

void gram(const u8* H, u8* HHt, int n, int k) {
  const size_t nb = static_cast<size_t>(n) * VB;
  for (int c = 0; c < k; c++)
    for (int d = 0; d < k; d++) {
      vf s = splat(0);
      for (size_t j = 0; j < nb; j += VB) s = s + ld(H + c * nb + j) * ld(H + d * nb + j);
      st(HHt + (static_cast<size_t>(c) * k + d) * VB, s);
    }
}

void addTo(u8* dst, const u8* src, int count) {
  for (size_t p = 0; p < static_cast<size_t>(count) * VB; p += VB) st(dst + p, ld(dst + p) + ld(src + p));
}

void leeScale(u8* colW, int k, float eps, const u8* masks) {
  const vi upd = ldm(masks);
  for (int c = 0; c < k; c++) st(colW + c * VB, sel(ld(colW + c * VB) + splat(eps), splat(1), upd));
}

void leeRescaleRows(u8* W, int rows, const u8* colW, int k, const u8* masks) {
  const vf tiny = splat(TINY);
  const vi upd = ldm(masks);
  for (int i = 0; i < rows; i++) {
    u8* w = W + static_cast<size_t>(i) * k * VB;
    for (int c = 0; c < k; c++) {
      const vf old = ld(w + c * VB);
      const vf x = sel(old / ld(colW + c * VB), old, upd);
      st(w + c * VB, sel(vmax(x, tiny), x, ldm(masks + VB + c * VB)));
    }
  }
}

void leeRescaleH(u8* H, u8* num, u8* WtW, const u8* colW, int n, int k, const u8* masks, int acc) {
  const vf tiny = splat(TINY);
  const vi upd = ldm(masks);
  const size_t nb = static_cast<size_t>(n) * VB;
  for (int c = 0; c < k; c++) {
    const vi clp = ldm(masks + VB + c * VB);
    const vf s = ld(colW + c * VB);
    for (size_t j = 0; j < nb; j += VB) {
      u8* h = H + c * nb + j;
      const vf old = ld(h);
      const vf x = sel(old * s, old, upd);
      st(h, sel(vmax(x, tiny), x, clp));
      if (acc) {
        u8* p = num + c * nb + j;
        st(p, sel(ld(p) / s, ld(p), upd));
      }
    }
    if (acc) {
      for (int d = 0; d < k; d++) {
        u8* p2 = WtW + (static_cast<size_t>(c) * k + d) * VB;
        st(p2, sel((ld(p2) / s) / ld(colW + d * VB), ld(p2), upd));
      }
    }
  }
}

}  // namespace nmfnative
