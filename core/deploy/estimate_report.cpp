// The estimate as a text table and as JSON, each naming its formulas and constants.
#include <nlohmann/json.hpp>

#include <cstdarg>
#include <cstdio>
#include <utility>

#include "deploy/estimator.h"

namespace bitshift {

namespace {

// (name, formula and source); the same list goes into the table and the JSON.
const std::vector<std::pair<std::string, std::string>>& formulas() {
  static const std::vector<std::pair<std::string, std::string>> list = {
      {"cycles_conv_linear",
       "ceil(K^2*C_in/groups / vec) * ceil(C_out / lanes) * H_out * W_out"
       " (batch 1; linear: K^2*C_in = input C*H*W, H_out = W_out = 1)"},
      {"cycles_pool_add", "ceil(C*H*W / lanes) of the input (lanes values consumed a cycle)"},
      {"latency", "sequential latency = sum of layer cycles / clock"},
      {"throughput", "pipelined throughput bound = clock / max layer cycles (images/s)"},
      {"bops", "MACs * (b_w*b_a + b_w + b_a + log2 fan_in) (UNIQ; with a table, b_w = its entries' bits)"},
      {"multipliers",
       "vec * lanes per conv/linear engine; <= 4x4-bit products in LUTs, "
       "b_w*b_a LUTs each (FINN-R, Blott et al. 2018)"},
      {"dsp_arria10",
       "two 18x19 products a block, 27x27 one, 36x36 two, 54x54 four "
       "(Intel Arria 10 Device Overview)"},
      {"dsp_dsp48e2",
       "two <= 8-bit products sharing one operand a DSP48E2 (Xilinx WP486; here two lanes' "
       "weights and their activation), else one 27x18; wider: 17x26-bit parts [assumption]"},
      {"adder_tree",
       "lanes * ((vec - 1) * acc_bits + acc_bits) LUTs: tree (FINN-R) + "
       "accumulator; acc_bits from the proven bound sum|w|*max|x| + |bias|"},
      {"lut_table",
       "vec * lanes * b_t * ceil(2^b / 64) LUTs: one table copy (b_t-bit entries) per multiplier "
       "(a LUT6 is a 64x1 ROM)"},
      {"requant",
       "per lane: acc*m in DSPs unless every m is a power of two (shift only); "
       "(n + 1) * (acc_bits + m_bits) LUTs, n = 2 products for an add [assumption]"},
      {"pool_logic", "max pool 2*b_a, sum pool acc_bits LUTs a lane [assumption]"},
      {"ram_weights",
       "C_out*fan_in*b_w bits read vec*lanes*b_w bits a cycle, tiled as "
       "min over port shapes of ceil(width/w_s) * ceil(depth/d_s)"},
      {"ram_line_buffer", "(K - 1) * W_in * C_in * b_a bits, vec*b_a (pools lanes*b_a) wide"},
      {"logic", "Intel: one 6-input LUT counted as one ALM [assumption, conservative]"},
  };
  return list;
}

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char line[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(line, sizeof line, fmt, args);
  va_end(args);
  return line;
}

std::string usage_line(const char* what, int64_t used, int64_t available, double use) {
  return format("  %-7s %10lld / %-8lld %6.1f %%  %s\n", what, (long long)used,
                (long long)available, 100 * use, used <= available ? "fits" : "DOES NOT FIT");
}

}  // namespace

std::string estimate_table(const Estimate& e) {
  const DeviceProfile& d = e.profile;
  const Parallelism& p = e.parallelism;
  std::string s = format(
      "FPGA estimate: %s (%s), dataflow engine per layer, vec %d x lanes %d,"
      " %g MHz\n",
      e.device.c_str(), d.id.c_str(), p.vec, p.lanes, p.clock_mhz);
  s += format("  %-22s %-9s %2s %2s %3s %4s %11s %10s %9s %9s %5s %7s %5s\n", "layer", "op", "w",
              "a", "acc", "mult", "MACs", "BOPs", "cycles", "us", "DSP", d.logic_name.c_str(),
              d.ram_name.c_str());
  for (const auto& l : e.layers) {
    const char* mult = l.macs == 0 ? "-" : (l.lut_multipliers ? "lut" : "dsp");
    s += format("  %-22s %-9s %2d %2d %3d %4s %11lld %10.4g %9lld %9.2f %5lld %7lld %5lld\n",
                l.name.c_str(), l.op.c_str(), l.w_bits, l.a_bits, l.acc_bits, mult,
                (long long)l.macs, l.bops, (long long)l.cycles, 1e3 * l.latency_ms,
                (long long)l.dsps, (long long)l.luts, (long long)l.ram_blocks);
  }
  s += format("  total: %lld MACs, %.4g BOPs, %lld weight bits, %lld line-buffer bits\n",
              (long long)e.macs, e.bops, (long long)e.weight_bits, (long long)e.buffer_bits);
  s += usage_line("DSP", e.dsps, d.dsps, e.dsp_use);
  s += usage_line(d.logic_name.c_str(), e.luts, d.luts, e.lut_use);
  s += usage_line(d.ram_name.c_str(), e.ram_blocks, d.ram_blocks, e.ram_use);
  s += format("  %s\n", e.fits ? "fits the device" : "does NOT fit the device");
  s += format("  sequential latency (sum of layer cycles): %lld cycles = %.4f ms, %.1f images/s\n",
              (long long)e.latency_cycles, e.latency_ms, e.sequential_images_per_second);
  s += format(
      "  pipelined throughput bound (max layer cycles, '%s'): %lld cycles, %.1f images/s"
      "\n",
      e.bottleneck_layer.c_str(), (long long)e.bottleneck_cycles, e.images_per_second);
  s += "  formulas:\n";
  for (const auto& f : formulas()) s += "    " + f.first + ": " + f.second + "\n";
  return s;
}

nlohmann::json estimate_json(const Estimate& e) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : e.layers)
    layers.push_back({{"layer", l.name},
                      {"op", l.op},
                      {"w_bits", l.w_bits},
                      {"mac_w_bits", l.mac_w_bits},
                      {"a_bits", l.a_bits},
                      {"acc_bits", l.acc_bits},
                      {"macs", l.macs},
                      {"bops", l.bops},
                      {"vec", l.vec},
                      {"lanes", l.lanes},
                      {"cycles", l.cycles},
                      {"latency_ms", l.latency_ms},
                      {"lut_multipliers", l.lut_multipliers},
                      {"dsps", l.dsps},
                      {"dsps_mac", l.dsps_mac},
                      {"dsps_requant", l.dsps_requant},
                      {"luts", l.luts},
                      {"luts_mul", l.luts_mul},
                      {"luts_table", l.luts_table},
                      {"luts_adder", l.luts_adder},
                      {"luts_requant", l.luts_requant},
                      {"ram_blocks", l.ram_blocks},
                      {"ram_weights", l.ram_weights},
                      {"ram_buffer", l.ram_buffer},
                      {"weight_bits", l.weight_bits},
                      {"buffer_bits", l.buffer_bits}});
  nlohmann::json f = nlohmann::json::object();
  for (const auto& kv : formulas()) f[kv.first] = kv.second;
  const DeviceProfile& d = e.profile;
  return {{"device", e.device},
          {"device_id", d.id},
          {"vec", e.parallelism.vec},
          {"lanes", e.parallelism.lanes},
          {"clock_mhz", e.parallelism.clock_mhz},
          {"available",
           {{"dsps", d.dsps},
            {"luts", d.luts},
            {"ram_blocks", d.ram_blocks},
            {"logic_unit", d.logic_name},
            {"ram_unit", d.ram_name}}},
          {"dsps", e.dsps},
          {"luts", e.luts},
          {"ram_blocks", e.ram_blocks},
          {"dsp_use", e.dsp_use},
          {"lut_use", e.lut_use},
          {"ram_use", e.ram_use},
          {"dsps_fit", e.dsps_fit},
          {"luts_fit", e.luts_fit},
          {"ram_fits", e.ram_fits},
          {"fits", e.fits},
          {"macs", e.macs},
          {"bops", e.bops},
          {"weight_bits", e.weight_bits},
          {"buffer_bits", e.buffer_bits},
          {"latency_cycles", e.latency_cycles},
          {"latency_ms", e.latency_ms},
          {"sequential_images_per_second", e.sequential_images_per_second},
          {"bottleneck_cycles", e.bottleneck_cycles},
          {"bottleneck_layer", e.bottleneck_layer},
          {"images_per_second", e.images_per_second},
          {"formulas", f},
          {"layers", layers}};
}

}  // namespace bitshift
