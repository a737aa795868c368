#pragma once
// FPGA resource and latency estimate of an IntegerModel for a dataflow accelerator (FINN
// style: one engine per layer, all layers pipelined), each engine computing `vec` products of
// `lanes` output channels per cycle. First-order formulas, named in the report; constants are
// datasheet figures or marked [assumption]. Torch-free.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "integer/integer_model.h"

namespace bitshift {

struct Parallelism {
  int vec = 16;             // products per lane per cycle (SIMD over K²·C_in)
  int lanes = 16;           // output channels per cycle (PE)
  double clock_mhz = 200.0;
};

struct DeviceProfile {
  std::string id, name;
  int64_t dsps = 0;
  int64_t luts = 0;         // LUT (Xilinx) or ALUT = 2 per ALM (Intel) [assumption for Intel]
  int64_t ram_blocks = 0;
  std::string ram_name;     // "M20K", "BRAM36"
  int64_t ram_block_bits = 0;
  int ram_width = 0;        // widest port configuration in bits (M20K 40, BRAM36 72)
  int macs_per_dsp = 2;     // ≤ 8-bit products per DSP block
};

struct LayerEstimate {
  std::string name, op;
  int w_bits = 0, a_bits = 0;
  int64_t macs = 0;          // per image
  double bops = 0;           // per image
  int vec = 0, lanes = 0;    // after clamping to the layer's size
  int64_t cycles = 0;        // per image
  int64_t dsps = 0, luts = 0, ram_blocks = 0;
};

struct Estimate {
  std::string device;
  Parallelism parallelism;
  std::vector<LayerEstimate> layers;
  int64_t dsps = 0, luts = 0, ram_blocks = 0;
  int64_t latency_cycles = 0;     // sum over layers: one image through the pipeline
  int64_t bottleneck_cycles = 0;  // the slowest layer: the pipeline's initiation interval
  double bops = 0;
  double latency_ms = 0, images_per_second = 0;
  double dsp_use = 0, lut_use = 0, ram_use = 0;  // fractions of the device
  bool fits = false;
};

const std::vector<DeviceProfile>& device_profiles();
// Throws Error naming the id and listing the known ones.
const DeviceProfile& device_profile(const std::string& id);

// prove_accumulator_bounds() must have run (activation widths come from the value ranges).
Estimate estimate(const IntegerModel& model, const DeviceProfile& device, const Parallelism& p);

std::string estimate_table(const Estimate& e);
nlohmann::json estimate_json(const Estimate& e);

}  // namespace bitshift
