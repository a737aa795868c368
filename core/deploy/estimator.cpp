#include "deploy/estimator.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "util/error.h"

namespace bitshift {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int log2_ceil(int64_t v) {
  int b = 0;
  while ((int64_t{1} << b) < v) ++b;
  return b;
}

// On-chip RAM blocks for `bits` read `width` bits a cycle: width-aware tiling, ⌈width/port⌉
// blocks side by side, each ⌈depth/(block_bits/port)⌉ deep.
int64_t ram_blocks(const DeviceProfile& d, int64_t bits, int64_t width) {
  if (bits <= 0) return 0;
  width = std::max<int64_t>(1, width);
  const int64_t depth = ceil_div(bits, width);
  const int64_t block_depth = d.ram_block_bits / d.ram_width;
  return ceil_div(width, d.ram_width) * ceil_div(depth, block_depth);
}

}  // namespace

const std::vector<DeviceProfile>& device_profiles() {
  // Intel Arria 10 GX 1150 (10AX115): 1,518 DSP blocks (two 18x19 multipliers each),
  // 427,200 ALMs, 2,713 M20K. Xilinx Zynq UltraScale+ ZU9EG: 2,520 DSP48E2, 274,080 LUTs,
  // 912 BRAM36 (two int8 MACs per DSP48E2 with a shared input, Xilinx WP486).
  static const std::vector<DeviceProfile> profiles = {
      {"arria10", "Intel Arria 10 GX 1150", 1518, 2 * 427200, 2713, "M20K", 20480, 40, 2},
      {"zu9eg", "Xilinx Zynq UltraScale+ ZU9EG", 2520, 274080, 912, "BRAM36", 36864, 72, 2},
  };
  return profiles;
}

const DeviceProfile& device_profile(const std::string& id) {
  std::string known;
  for (const auto& d : device_profiles()) {
    if (d.id == id) return d;
    known += (known.empty() ? "" : ", ") + d.id;
  }
  throw Error("unknown FPGA profile '" + id + "' (known: " + known + ")");
}

Estimate estimate(const IntegerModel& model, const DeviceProfile& d, const Parallelism& p) {
  if (p.vec < 1 || p.lanes < 1 || p.clock_mhz <= 0)
    throw Error("parallelism needs vec >= 1, lanes >= 1 and a positive clock");
  Estimate e;
  e.device = d.name;
  e.parallelism = p;
  for (size_t i = 1; i < model.layers.size(); ++i) {
    const IntLayer& L = model.layers[i];
    const IntLayer& in = model.layers[static_cast<size_t>(L.inputs.at(0))];
    LayerEstimate le;
    le.name = L.name;
    le.op = int_op_name(L.op);
    le.a_bits = bits_for_range(in.min_value, in.max_value);
    const int64_t outputs = L.numel();
    if (L.op == IntOp::IntConv || L.op == IntOp::IntLinear) {
      const int64_t fan_in = L.op == IntOp::IntConv ? L.kernel * L.kernel * (in.c / L.groups)
                                                    : in.numel();
      le.w_bits = L.w_bits;
      le.macs = outputs * fan_in;
      // UNIQ's BOPs: MACs·(b_w·b_a + b_w + b_a + log2 fan_in).
      le.bops = static_cast<double>(le.macs) *
                (le.w_bits * le.a_bits + le.w_bits + le.a_bits + std::log2(static_cast<double>(fan_in)));
      le.vec = static_cast<int>(std::min<int64_t>(p.vec, fan_in));
      le.lanes = static_cast<int>(std::min<int64_t>(p.lanes, L.c));
      // cycles = ⌈K²·C_in/vec⌉·⌈C_out/lanes⌉·H_out·W_out
      le.cycles = ceil_div(fan_in, le.vec) * ceil_div(L.c, le.lanes) * L.h * L.w;
      const int64_t multipliers = int64_t{le.vec} * le.lanes;
      // A table weight feeds an 8-bit value (its int8 entry) to the multiplier.
      const int product_w = L.table.empty() ? le.w_bits : 8;
      if (product_w <= 4 && le.a_bits <= 4) {
        le.luts += multipliers * product_w * le.a_bits;  // FINN-R: ≈ b_w·b_a LUTs a multiplier
      } else {
        le.dsps = ceil_div(multipliers, d.macs_per_dsp);
      }
      if (!L.table.empty())  // the 2^b x 8-bit table as LUT ROM (64 bits per LUT6) per multiplier
        le.luts += multipliers * ceil_div((int64_t{1} << le.w_bits) * 8, 64);
      const int acc_bits = product_w + le.a_bits + log2_ceil(fan_in);
      le.luts += int64_t{le.lanes} * (le.vec - 1) * acc_bits;  // adder tree: (vec−1)·acc width
      le.luts += int64_t{le.lanes} * 2 * 32;                   // requantization [assumption]
      const int64_t weight_bits = static_cast<int64_t>(L.weights.size()) * le.w_bits;
      le.ram_blocks = ram_blocks(d, weight_bits, multipliers * le.w_bits);
      if (L.op == IntOp::IntConv && L.kernel > 1)  // line buffer: (K−1)·W_in·C_in·b_a
        le.ram_blocks += ram_blocks(d, (L.kernel - 1) * in.w * in.c * le.a_bits,
                                    int64_t{le.vec} * le.a_bits);
    } else {
      le.lanes = static_cast<int>(std::min<int64_t>(p.lanes, L.c));
      le.cycles = ceil_div(outputs, le.lanes);  // ⌈C·H·W/lanes⌉
      le.luts = int64_t{le.lanes} * (L.op == IntOp::IntAdd ? 2 * 32 + 32 : 32);  // [assumption]
      if (L.op == IntOp::IntMaxPool && L.kernel > 1)
        le.ram_blocks = ram_blocks(d, (L.kernel - 1) * in.w * in.c * le.a_bits, le.a_bits);
    }
    e.dsps += le.dsps;
    e.luts += le.luts;
    e.ram_blocks += le.ram_blocks;
    e.bops += le.bops;
    e.latency_cycles += le.cycles;
    e.bottleneck_cycles = std::max(e.bottleneck_cycles, le.cycles);
    e.layers.push_back(le);
  }
  const double hz = p.clock_mhz * 1e6;
  e.latency_ms = 1e3 * static_cast<double>(e.latency_cycles) / hz;
  e.images_per_second = e.bottleneck_cycles > 0 ? hz / static_cast<double>(e.bottleneck_cycles) : 0;
  e.dsp_use = static_cast<double>(e.dsps) / static_cast<double>(d.dsps);
  e.lut_use = static_cast<double>(e.luts) / static_cast<double>(d.luts);
  e.ram_use = static_cast<double>(e.ram_blocks) / static_cast<double>(d.ram_blocks);
  e.fits = e.dsp_use <= 1.0 && e.lut_use <= 1.0 && e.ram_use <= 1.0;
  return e;
}

std::string estimate_table(const Estimate& e) {
  std::string s = "FPGA estimate: " + e.device + ", dataflow, vec " +
                  std::to_string(e.parallelism.vec) + " x lanes " +
                  std::to_string(e.parallelism.lanes) + ", " +
                  std::to_string(static_cast<int>(e.parallelism.clock_mhz)) + " MHz\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-24s %-8s %3s %3s %12s %10s %6s %8s %6s\n", "layer", "op",
                "w", "a", "BOPs", "cycles", "DSP", "LUT", "RAM");
  s += line;
  for (const auto& l : e.layers) {
    std::snprintf(line, sizeof line, "  %-24s %-8s %3d %3d %12.4g %10lld %6lld %8lld %6lld\n",
                  l.name.c_str(), l.op.c_str(), l.w_bits, l.a_bits, l.bops, (long long)l.cycles,
                  (long long)l.dsps, (long long)l.luts, (long long)l.ram_blocks);
    s += line;
  }
  std::snprintf(line, sizeof line,
                "  total: %lld DSP (%.1f %%), %lld LUT (%.1f %%), %lld RAM blocks (%.1f %%): %s\n"
                "  latency %.3f ms (sum of layer cycles), %.0f images/s (clock / slowest layer)\n",
                (long long)e.dsps, 100 * e.dsp_use, (long long)e.luts, 100 * e.lut_use,
                (long long)e.ram_blocks, 100 * e.ram_use, e.fits ? "fits" : "does NOT fit",
                e.latency_ms, e.images_per_second);
  s += line;
  s += "  formulas: cycles = ceil(K^2*C_in/vec)*ceil(C_out/lanes)*H_out*W_out; DSP = "
       "vec*lanes/2 (two <=8-bit MACs per DSP); <=4x4-bit products in LUTs, b_w*b_a each "
       "(FINN-R); adder tree (vec-1)*acc_bits LUTs a lane; RAM width-aware tiling of weights and "
       "(K-1)*W*C*b_a line buffers; BOPs = MACs*(b_w*b_a + b_w + b_a + log2 fan_in) (UNIQ)\n";
  return s;
}

nlohmann::json estimate_json(const Estimate& e) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : e.layers)
    layers.push_back({{"layer", l.name}, {"op", l.op}, {"w_bits", l.w_bits}, {"a_bits", l.a_bits},
                      {"macs", l.macs}, {"bops", l.bops}, {"vec", l.vec}, {"lanes", l.lanes},
                      {"cycles", l.cycles}, {"dsps", l.dsps}, {"luts", l.luts},
                      {"ram_blocks", l.ram_blocks}});
  return {{"device", e.device},
          {"vec", e.parallelism.vec},
          {"lanes", e.parallelism.lanes},
          {"clock_mhz", e.parallelism.clock_mhz},
          {"dsps", e.dsps},
          {"luts", e.luts},
          {"ram_blocks", e.ram_blocks},
          {"dsp_use", e.dsp_use},
          {"lut_use", e.lut_use},
          {"ram_use", e.ram_use},
          {"fits", e.fits},
          {"bops", e.bops},
          {"latency_cycles", e.latency_cycles},
          {"bottleneck_cycles", e.bottleneck_cycles},
          {"latency_ms", e.latency_ms},
          {"images_per_second", e.images_per_second},
          {"layers", layers}};
}

}  // namespace bitshift
