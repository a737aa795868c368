#include "deploy/fpga_device.h"

#include <algorithm>

#include "util/error.h"

namespace bitshift {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// M20K single-port configurations (Intel Arria 10 Core Fabric and General Purpose I/Os
// Handbook, "Embedded Memory Configurations for Single-port Mode"): 20 Kbit with parity bits.
const std::vector<RamShape> kM20kShapes = {{512, 40, 1}, {1024, 20, 1}, {2048, 10, 1},
                                           {4096, 5, 1}, {8192, 2, 1},  {16384, 1, 1}};

// RAMB18E2 and RAMB36E2 aspect ratios (Xilinx UG573, UltraScale Architecture Memory
// Resources; 36/72 bits wide in simple dual-port mode), counted in RAMB18 units.
const std::vector<RamShape> kBramShapes = {
    {512, 36, 1},  {1024, 18, 1}, {2048, 9, 1},  {4096, 4, 1},  {8192, 2, 1},
    {16384, 1, 1}, {512, 72, 2},  {1024, 36, 2}, {2048, 18, 2}, {4096, 9, 2},
    {8192, 4, 2},  {16384, 2, 2}, {32768, 1, 2}};

// Whole DSP blocks for one product of x ≤ y bits on an Arria 10, 0 for a half block
// (Arria 10 Device Overview, "Variable-Precision DSP Block" resource table).
int64_t arria10_blocks(int x, int y) {
  if (x <= 18 && y <= 19) return 0;
  if (y <= 27) return 1;
  if (x <= 19 && y <= 36) return 1;  // 19x36 with an external adder
  if (y <= 36) return 2;             // 36x36 with an external adder
  return 4;                          // 54x54
}

// DSP48E2 slices for one product of x ≤ y bits: one 27x18 multiplier (UG579); wider products
// split into partial products of 17 x 26 unsigned bits, one slice each [assumption].
int64_t dsp48e2_slices(int x, int y) {
  if (x <= 18 && y <= 27) return 1;
  return std::min(ceil_div(x, 17) * ceil_div(y, 26), ceil_div(y, 17) * ceil_div(x, 26));
}

}  // namespace

const std::vector<DeviceProfile>& device_profiles() {
  // Intel Arria 10 GX 1150 (10AX115; Arria 10 Device Overview, GX resource table and DSP
  // resource table): 1,518 variable-precision DSP blocks (3,036 18x19 multipliers),
  // 427,200 ALMs, 2,713 M20K. Logic is counted as one 6-input LUT per ALM [assumption: an ALM
  // holds one 6-input function or two smaller ones, so this errs on the safe side].
  // Xilinx Zynq UltraScale+ ZU9EG (DS891 product table): 2,520 DSP48E2, 274,080 CLB LUTs,
  // 912 RAMB36 = 1,824 RAMB18 (UG573: a RAMB36 is two independent RAMB18), no UltraRAM.
  static const std::vector<DeviceProfile> profiles = {
      {"arria10", "Intel Arria 10 GX 1150", DspFamily::DspArria10, 1518, 427200, "ALM", 2713,
       "M20K", kM20kShapes},
      {"zu9eg", "Xilinx Zynq UltraScale+ ZU9EG", DspFamily::DspDsp48e2, 2520, 274080, "LUT",
       2 * 912, "BRAM18", kBramShapes},
  };
  return profiles;
}

const DeviceProfile& device_profile(const std::string& id) {
  std::string known;
  for (const auto& d : device_profiles()) {
    if (d.id == id) return d;
    known += (known.empty() ? "" : ", ") + d.id;
  }
  throw Error("unknown FPGA device profile '" + id + "' (known: " + known + ")");
}

int64_t dsp_blocks(const DeviceProfile& d, int64_t groups, int64_t per_group, int a_bits,
                   int b_bits) {
  const int x = std::min(a_bits, b_bits), y = std::max(a_bits, b_bits);
  if (y > 54)
    throw Error("a " + std::to_string(a_bits) + " x " + std::to_string(b_bits) +
                "-bit product is wider than the estimate's DSP model (54 x 54 bits)");
  const int64_t products = groups * per_group;
  if (d.dsp_family == DspFamily::DspArria10) {
    const int64_t blocks = arria10_blocks(x, y);
    return blocks == 0 ? ceil_div(products, 2) : products * blocks;
  }
  // Two ≤ 8-bit products sharing one operand in one DSP48E2 (Xilinx WP486 packs two activations
  // against one weight; the packing is symmetric, so here two lanes' weights share an activation).
  if (y <= 8) return groups * ceil_div(per_group, 2);
  return products * dsp48e2_slices(x, y);
}

int64_t ram_blocks(const DeviceProfile& d, int64_t bits, int64_t width) {
  if (bits <= 0) return 0;
  width = std::max<int64_t>(1, width);
  const int64_t depth = ceil_div(bits, width);
  int64_t best = -1;
  for (const RamShape& s : d.ram_shapes) {
    const int64_t n = ceil_div(width, s.width) * ceil_div(depth, s.depth) * s.units;
    if (best < 0 || n < best) best = n;
  }
  return best;
}

}  // namespace bitshift
