// The native fused kernels (kernels.cc, built with AVX2); addon.cc calls them only where the CPU has AVX2.
#pragma once
#include <cstddef>
#include <cstdint>

typedef std::uint8_t u8;

namespace nmfnative {

constexpr int LANES = 8;

void brunetRows(const float* A, int rows, int n, int k, u8* W, const u8* Hw, const u8* Ha, const u8* rs, u8* num,
                u8* colW, const u8* masks, float eps, int acc);
void frobeniusRows(bool hals, const float* A, int rows, int n, int k, u8* W, const u8* Hw, const u8* HHt, u8* num,
                   u8* WtW, u8* colW, const u8* masks, float eps, int acc);
void brunetH(u8* H, const u8* num, const u8* colW, int n, int k, float eps, const u8* mask);
void rowSumsPlusEps(const u8* H, u8* rs, int n, int k, float eps);
void copyClamp(const u8* src, u8* dst, int count, const u8* mask);
void leeH(u8* H, const u8* num, const u8* WtW, u8* tmp, int n, int k, float eps, const u8* mask);
void halsH(u8* H, const u8* num, const u8* WtW, int n, int k, const u8* mask);
void gram(const u8* H, u8* HHt, int n, int k);
void addTo(u8* dst, const u8* src, int count);
void leeScale(u8* colW, int k, float eps, const u8* masks);
void leeRescaleRows(u8* W, int rows, const u8* colW, int k, const u8* masks);
void leeRescaleH(u8* H, u8* num, u8* WtW, const u8* colW, int n, int k, const u8* masks, int acc);

}  // namespace nmfnative
