#pragma once
// FPGA resource and latency estimate of an IntegerModel for a dataflow accelerator (FINN
// style: one engine per layer, all layers pipelined), each engine computing `vec` products for
// each of `lanes` output channels per cycle. First-order formulas, each named in the report
// (estimate_table, estimate_json); constants are vendor figures (deploy/fpga_device.cpp) or
// marked [assumption]. Torch-free.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "deploy/fpga_device.h"
#include "integer/integer_model.h"

namespace bitshift {

struct Parallelism {
  int vec = 16;    // products per lane per cycle (SIMD over kh·kw·C_in/groups)
  int lanes = 16;  // output channels per cycle (PE)
  double clock_mhz = 200.0;
};

// One layer's engine. Resources are the sums of the named parts.
struct LayerEstimate {
  std::string name, op;
  int w_bits = 0;          // stored weight code width (0: no weights)
  int mac_w_bits = 0;      // weight operand at the multiplier: w_bits, or a table entry's bits
  int a_bits = 0;          // input values' width, from the input layers' proven ranges
  int acc_bits = 0;        // accumulator width, from the proven bound Σ|w|·max|x| + |bias|
  int64_t macs = 0;        // per image
  double bops = 0;         // per image
  int vec = 0, lanes = 0;  // after clamping to the layer's fan-in and channels
  int64_t cycles = 0;      // per image
  double latency_ms = 0;   // cycles at the clock
  bool lut_multipliers = false;  // ≤ 4x4-bit products built from LUTs (FINN-R), not DSPs

  int64_t dsps = 0, dsps_mac = 0, dsps_requant = 0;
  int64_t luts = 0, luts_mul = 0, luts_table = 0, luts_adder = 0, luts_requant = 0;
  int64_t ram_blocks = 0, ram_weights = 0, ram_buffer = 0;
  int64_t weight_bits = 0;  // codes (+ the 2^b x 8-bit table)
  int64_t buffer_bits = 0;  // line buffer of a K x K window
};

struct Estimate {
  std::string device;     // the profile's name
  DeviceProfile profile;  // what the utilisation is relative to
  Parallelism parallelism;
  std::vector<LayerEstimate> layers;

  int64_t dsps = 0, luts = 0, ram_blocks = 0;
  int64_t macs = 0, weight_bits = 0, buffer_bits = 0;
  double bops = 0;
  double dsp_use = 0, lut_use = 0, ram_use = 0;  // fractions of the device
  bool dsps_fit = false, luts_fit = false, ram_fits = false, fits = false;

  int64_t latency_cycles = 0;     // sequential latency: the sum of the layers' cycles
  int64_t bottleneck_cycles = 0;  // pipelined throughput bound: the slowest layer's cycles
  std::string bottleneck_layer;
  double latency_ms = 0;                    // latency_cycles at the clock
  double images_per_second = 0;             // pipelined: clock / bottleneck_cycles
  double sequential_images_per_second = 0;  // one image at a time: clock / latency_cycles
};

// Throws Error for vec or lanes < 1, a clock <= 0, or an input layer without a proven range:
// prove_accumulator_bounds() must have run (activation widths come from the value ranges).
Estimate estimate(const IntegerModel& model, const DeviceProfile& device, const Parallelism& p);

// Milliseconds that `cycles` take at `clock_mhz`.
double cycles_to_ms(int64_t cycles, double clock_mhz);
// Images a second when each takes `cycles` at `clock_mhz` (0 for 0 cycles).
double images_per_second(int64_t cycles, double clock_mhz);

// A text table (per layer, totals against the device, latency and throughput) and the same as
// JSON, both naming their formulas.
std::string estimate_table(const Estimate& e);
nlohmann::json estimate_json(const Estimate& e);

}  // namespace bitshift
