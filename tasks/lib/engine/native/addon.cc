// Node-API entry points of the native kernels. Each takes the driver's memory (an ArrayBuffer) first,
// then the arguments of the wasm kernel of the same name (assembly/kernels.ts), byte offsets into that
// memory as in wasm; an offset outside the memory throws, as wasm traps. Compiled without -mavx2: the
// kernels (kernels.cc) are called only when the CPU reports AVX2, and `lanes` is 0 where it does not.
#include <node_api.h>

#include "kernels.h"

namespace {

struct Args {
  napi_env env;
  napi_value argv[16];
  size_t argc = 16;
  u8* mem = nullptr;
  size_t len = 0;
  bool ok = true;

  Args(napi_env e, napi_callback_info info, size_t want) : env(e) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    void* data = nullptr;
    if (argc != want + 1 || napi_get_arraybuffer_info(env, argv[0], &data, &len) != napi_ok) {
      fail("native kernel: expected the kernel memory (an ArrayBuffer) and its arguments");
      return;
    }
    mem = static_cast<u8*>(data);
  }
  void fail(const char* msg) {
    if (ok) napi_throw_error(env, nullptr, msg);
    ok = false;
  }
  double num(size_t i) {
    double v = 0;
    if (ok && napi_get_value_double(env, argv[i + 1], &v) != napi_ok) fail("native kernel: a numeric argument was not a number");
    return v;
  }
  int i32(size_t i) { return static_cast<int>(num(i)); }
  float f32(size_t i) { return static_cast<float>(num(i)); }
  u8* ptr(size_t i) {
    const double v = num(i);
    if (!(v >= 0 && v < static_cast<double>(len))) fail("native kernel: an offset lies outside the kernel memory");
    return ok ? mem + static_cast<size_t>(v) : nullptr;
  }
};

// brunetRows(A, rows, n, k, W, Hw, Ha, rs, num, colW, q, wnew, masks, eps, acc)
napi_value BrunetRows(napi_env env, napi_callback_info info) {
  Args a(env, info, 15);
  const float* A = reinterpret_cast<const float*>(a.ptr(0));
  const int rows = a.i32(1), n = a.i32(2), k = a.i32(3);
  u8 *W = a.ptr(4), *Hw = a.ptr(5), *Ha = a.ptr(6), *rs = a.ptr(7), *num = a.ptr(8), *colW = a.ptr(9), *masks = a.ptr(12);
  const float eps = a.f32(13);
  const int acc = a.i32(14);
  if (a.ok) nmfnative::brunetRows(A, rows, n, k, W, Hw, Ha, rs, num, colW, masks, eps, acc);
  return nullptr;
}

// leeRows / halsRows(A, rows, n, k, W, Hw, HHt, num, WtW, colW, q, wnew, masks, eps, acc)
napi_value Frobenius(napi_env env, napi_callback_info info, bool hals) {
  Args a(env, info, 15);
  const float* A = reinterpret_cast<const float*>(a.ptr(0));
  const int rows = a.i32(1), n = a.i32(2), k = a.i32(3);
  u8 *W = a.ptr(4), *Hw = a.ptr(5), *HHt = a.ptr(6), *num = a.ptr(7), *WtW = a.ptr(8), *colW = a.ptr(9), *masks = a.ptr(12);
  const float eps = a.f32(13);
  const int acc = a.i32(14);
  if (a.ok) nmfnative::frobeniusRows(hals, A, rows, n, k, W, Hw, HHt, num, WtW, colW, masks, eps, acc);
  return nullptr;
}
napi_value LeeRows(napi_env env, napi_callback_info info) { return Frobenius(env, info, false); }
napi_value HalsRows(napi_env env, napi_callback_info info) { return Frobenius(env, info, true); }

// brunetH(H, num, colW, n, k, eps, mask)
napi_value BrunetH(napi_env env, napi_callback_info info) {
  Args a(env, info, 7);
  u8 *H = a.ptr(0), *num = a.ptr(1), *colW = a.ptr(2);
  const int n = a.i32(3), k = a.i32(4);
  const float eps = a.f32(5);
  u8* mask = a.ptr(6);
  if (a.ok) nmfnative::brunetH(H, num, colW, n, k, eps, mask);
  return nullptr;
}

// rowSumsPlusEps(H, rs, n, k, eps)
napi_value RowSumsPlusEps(napi_env env, napi_callback_info info) {
  Args a(env, info, 5);
  u8 *H = a.ptr(0), *rs = a.ptr(1);
  const int n = a.i32(2), k = a.i32(3);
  const float eps = a.f32(4);
  if (a.ok) nmfnative::rowSumsPlusEps(H, rs, n, k, eps);
  return nullptr;
}

// copyClamp(src, dst, count, mask)
napi_value CopyClamp(napi_env env, napi_callback_info info) {
  Args a(env, info, 4);
  u8 *src = a.ptr(0), *dst = a.ptr(1);
  const int count = a.i32(2);
  u8* mask = a.ptr(3);
  if (a.ok) nmfnative::copyClamp(src, dst, count, mask);
  return nullptr;
}

// leeH(H, num, WtW, tmp, n, k, eps, mask)
napi_value LeeH(napi_env env, napi_callback_info info) {
  Args a(env, info, 8);
  u8 *H = a.ptr(0), *num = a.ptr(1), *WtW = a.ptr(2), *tmp = a.ptr(3);
  const int n = a.i32(4), k = a.i32(5);
  const float eps = a.f32(6);
  u8* mask = a.ptr(7);
  if (a.ok) nmfnative::leeH(H, num, WtW, tmp, n, k, eps, mask);
  return nullptr;
}

// halsH(H, num, WtW, n, k, mask)
napi_value HalsH(napi_env env, napi_callback_info info) {
  Args a(env, info, 6);
  u8 *H = a.ptr(0), *num = a.ptr(1), *WtW = a.ptr(2);
  const int n = a.i32(3), k = a.i32(4);
  u8* mask = a.ptr(5);
  if (a.ok) nmfnative::halsH(H, num, WtW, n, k, mask);
  return nullptr;
}

// gram(H, HHt, n, k)
napi_value Gram(napi_env env, napi_callback_info info) {
  Args a(env, info, 4);
  u8 *H = a.ptr(0), *HHt = a.ptr(1);
  const int n = a.i32(2), k = a.i32(3);
  if (a.ok) nmfnative::gram(H, HHt, n, k);
  return nullptr;
}

// addTo(dst, src, count)
napi_value AddTo(napi_env env, napi_callback_info info) {
  Args a(env, info, 3);
  u8 *dst = a.ptr(0), *src = a.ptr(1);
  const int count = a.i32(2);
  if (a.ok) nmfnative::addTo(dst, src, count);
  return nullptr;
}

// leeScale(colW, k, eps, masks)
napi_value LeeScale(napi_env env, napi_callback_info info) {
  Args a(env, info, 4);
  u8* colW = a.ptr(0);
  const int k = a.i32(1);
  const float eps = a.f32(2);
  u8* masks = a.ptr(3);
  if (a.ok) nmfnative::leeScale(colW, k, eps, masks);
  return nullptr;
}

// leeRescaleRows(W, rows, colW, k, masks)
napi_value LeeRescaleRows(napi_env env, napi_callback_info info) {
  Args a(env, info, 5);
  u8* W = a.ptr(0);
  const int rows = a.i32(1);
  u8* colW = a.ptr(2);
  const int k = a.i32(3);
  u8* masks = a.ptr(4);
  if (a.ok) nmfnative::leeRescaleRows(W, rows, colW, k, masks);
  return nullptr;
}

// leeRescaleH(H, num, WtW, colW, n, k, masks, acc)
napi_value LeeRescaleH(napi_env env, napi_callback_info info) {
  Args a(env, info, 8);
  u8 *H = a.ptr(0), *num = a.ptr(1), *WtW = a.ptr(2), *colW = a.ptr(3);
  const int n = a.i32(4), k = a.i32(5);
  u8* masks = a.ptr(6);
  const int acc = a.i32(7);
  if (a.ok) nmfnative::leeRescaleH(H, num, WtW, colW, n, k, masks, acc);
  return nullptr;
}

}  // namespace

NAPI_MODULE_INIT() {
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2");
  napi_value lanes;
  napi_create_int32(env, avx2 ? nmfnative::LANES : 0, &lanes);
  napi_set_named_property(env, exports, "lanes", lanes);
  if (!avx2) return exports;
  const struct { const char* name; napi_callback fn; } fns[] = {
    {"brunetRows", BrunetRows}, {"leeRows", LeeRows}, {"halsRows", HalsRows}, {"brunetH", BrunetH},
    {"rowSumsPlusEps", RowSumsPlusEps}, {"copyClamp", CopyClamp}, {"leeH", LeeH}, {"halsH", HalsH},
    {"gram", Gram}, {"addTo", AddTo}, {"leeScale", LeeScale}, {"leeRescaleRows", LeeRescaleRows},
    {"leeRescaleH", LeeRescaleH},
  };
  for (const auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
  return exports;
}
