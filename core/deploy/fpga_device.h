#pragma once
// FPGA device profiles for the resource estimate (deploy/estimator.h): how many DSP blocks,
// logic and on-chip RAM blocks a device has, how multipliers of a given operand width pack
// into its DSP blocks, and how a memory of a given width and size tiles into its RAM blocks.
// Every figure comes from a vendor document named in fpga_device.cpp or is marked [assumption].
// Torch-free.
#include <cstdint>
#include <string>
#include <vector>

namespace bitshift {

// How products map to DSP blocks.
enum class DspFamily {
  DspArria10,  // Intel variable-precision block: two 18x19 or one 27x27 multiplier
  DspDsp48e2,  // Xilinx DSP48E2: one 27x18 multiplier, or two ≤ 8-bit products sharing an input
};

// One port configuration of a RAM block: `depth` words of `width` bits, costing `units` of the
// device's RAM count (a Xilinx RAMB36 is two RAMB18 units).
struct RamShape {
  int64_t depth = 0;
  int64_t width = 0;
  int64_t units = 1;
};

struct DeviceProfile {
  std::string id, name;
  DspFamily dsp_family = DspFamily::DspArria10;
  int64_t dsps = 0;        // DSP blocks
  int64_t luts = 0;        // logic capacity in 6-input LUT equivalents (see logic_name)
  std::string logic_name;  // what the capacity counts: "ALM" (Intel), "LUT" (Xilinx)
  int64_t ram_blocks = 0;  // in ram_name units
  std::string ram_name;    // "M20K", "BRAM18"
  std::vector<RamShape> ram_shapes;
};

const std::vector<DeviceProfile>& device_profiles();
// Throws Error naming the id and listing the known ones.
const DeviceProfile& device_profile(const std::string& id);

// DSP blocks for `groups` × `per_group` products of a_bits × b_bits operands, where the
// products of one group share one operand (the activation broadcast to a layer's lanes).
// Throws Error for products wider than 54x54 bits.
int64_t dsp_blocks(const DeviceProfile& d, int64_t groups, int64_t per_group, int a_bits,
                   int b_bits);

// RAM blocks (ram_name units) holding `bits` read `width` bits a cycle: width-aware tiling,
// min over port shapes of ⌈width/shape.width⌉·⌈⌈bits/width⌉/shape.depth⌉·shape.units.
int64_t ram_blocks(const DeviceProfile& d, int64_t bits, int64_t width);

}  // namespace bitshift
