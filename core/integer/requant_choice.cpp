#include "integer/requant_choice.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "util/error.h"

namespace bitshift {

namespace {

// |m| <= 2^30 (DESIGN.md names 15 bits): a residual add's two multipliers share one shift, so
// the smaller loses the bits of their ratio (often 10-1000x), and each lost bit moves outputs
// a level. With 23-bit multipliers ~0.03 % of an imported MobileNetV2's add outputs moved a
// level and, amplified through 17 blocks, 4 % of its images changed class; with 30 bits the
// integers agree with the simulation as closely as its float32 and float64 runs agree with each
// other. int32 inputs, |m| <= 2^30, |offset| <= 2^60 and shift <= 61 keep every sum of the
// contract below 2^63 (FORMAT.md); one multiply per output costs next to nothing beside K²·C MACs.
constexpr double kMaxMultiplier = 1073741824.0;  // 2^30
constexpr int kMaxShift = 61;
constexpr double kMaxOffset = 1152921504606846976.0;  // 2^60

}  // namespace

void choose_multipliers(IntLayer& L, const std::vector<std::vector<double>>& M,
                        const std::vector<double>& offset_steps, std::vector<std::string>& notes) {
  const size_t C = M[0].size();
  L.requant.m.assign(C, 0);
  L.requant.shift.assign(C, 0);
  if (M.size() > 1) L.requant.m2.assign(C, 0);
  int shift_only = 0;
  for (size_t c = 0; c < C; ++c) {
    double largest = 0.0;
    for (const auto& m : M) largest = std::max(largest, std::abs(m[c]));
    if (largest == 0.0) continue;
    if (largest > kMaxMultiplier)
      throw Error("cannot lower '" + L.name + "': requantization multiplier " +
                  std::to_string(largest) + " of channel " + std::to_string(c) + " exceeds " +
                  std::to_string(static_cast<int64_t>(kMaxMultiplier)) +
                  " (the output step is far finer than the input's)");
    int shift = std::min(kMaxShift, static_cast<int>(std::floor(std::log2(kMaxMultiplier / largest))));
    if (!offset_steps.empty() && std::abs(offset_steps[c]) >= 1.0)
      shift = std::max(0, std::min(shift, static_cast<int>(std::floor(
                                              std::log2(kMaxOffset / std::abs(offset_steps[c]))))));
    L.requant.shift[c] = shift;
    L.requant.m[c] = static_cast<int32_t>(std::llround(std::ldexp(M[0][c], shift)));
    if (M.size() > 1) L.requant.m2[c] = static_cast<int32_t>(std::llround(std::ldexp(M[1][c], shift)));
    const int32_t m = std::abs(L.requant.m[c]);
    if (M.size() == 1 && m > 0 && (m & (m - 1)) == 0) ++shift_only;
  }
  if (shift_only == static_cast<int>(C))
    notes.push_back(L.name + ": every multiplier is a power of two (shift-only)");
}

void set_offsets(IntLayer& L, const std::vector<double>& offset_steps) {
  L.requant.offset.assign(offset_steps.size(), 0);
  for (size_t c = 0; c < offset_steps.size(); ++c) {
    const int32_t shift = L.requant.shift.size() == 1 ? L.requant.shift[0] : L.requant.shift[c];
    const double o = std::ldexp(offset_steps[c], shift);
    if (std::abs(o) > kMaxOffset)  // with the products the sum stays in int64
      throw Error("bias of channel " + std::to_string(c) + " is " +
                  std::to_string(offset_steps[c]) + " output steps (too large)");
    L.requant.offset[c] = std::llround(o);
  }
}

}  // namespace bitshift
