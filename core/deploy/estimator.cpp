#include "deploy/estimator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "integer/int_op.h"
#include "util/error.h"

namespace bitshift {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int ceil_log2(int64_t v) {
  int b = 0;
  while ((int64_t{1} << b) < v) ++b;
  return b;
}

const IntLayer& input_of(const IntegerModel& m, size_t index, size_t k) {
  const IntLayer& L = m.layers[index];
  require(k < L.inputs.size() && L.inputs[k] >= 0 && static_cast<size_t>(L.inputs[k]) < index,
          "layer '" + L.name + "': input " + std::to_string(k) + " is not an earlier layer");
  const IntLayer& in = m.layers[static_cast<size_t>(L.inputs[k])];
  require(in.min_value != 0 || in.max_value != 0, "layer '" + L.name + "': its input '" + in.name +
                                                      "' has no proven value range " +
                                                      "(run prove_accumulator_bounds first)");
  return in;
}

// Widest input of the layer, two's complement or unsigned as the proven range says.
int input_bits(const IntegerModel& m, size_t index) {
  int bits = 1;
  for (size_t k = 0; k < m.layers[index].inputs.size(); ++k) {
    const IntLayer& in = input_of(m, index, k);
    bits = std::max(bits, bits_for_range(in.min_value, in.max_value));
  }
  return bits;
}

// Accumulator width of a conv/linear from its actual weights, as prove_accumulator_bounds
// bounds it (FINN's MinimizeAccumulatorWidth does the same); without weights, the worst case
// b_w + b_a + ⌈log2 fan_in⌉.
int accumulator_bits(const IntLayer& L, const IntLayer& in, int64_t fan_in, int mac_w, int a) {
  if (static_cast<int64_t>(L.weights.size()) != L.c * fan_in) return mac_w + a + ceil_log2(fan_in);
  const int64_t max_x = std::max(std::llabs(in.min_value), std::llabs(in.max_value));
  int64_t bound = 0;
  for (int64_t o = 0; o < L.c; ++o) {
    int64_t sum = 0;
    for (int64_t j = 0; j < fan_in; ++j) sum += std::llabs(L.weight_value(o * fan_in + j));
    const int64_t b = L.bias.empty() ? 0 : std::llabs(L.bias[static_cast<size_t>(o)]);
    bound = std::max(bound, sum * max_x + b);
  }
  return bits_for_range(-bound, bound);
}

bool power_of_two(int64_t v) {
  v = std::llabs(v);
  return v != 0 && (v & (v - 1)) == 0;
}

// Requantization per lane: `n` products acc·m (two for an Add), the offset and rounding adder
// and the clamp, then the shift. Shift-only multipliers (NICE's m = 2^k) need no DSP.
void add_requant(LayerEstimate& le, const IntLayer& L, const DeviceProfile& d, int acc_bits) {
  if (!L.requant.requantized) return;
  const int n = L.requant.m2.empty() ? 1 : 2;
  std::vector<int32_t> ms = L.requant.m;
  ms.insert(ms.end(), L.requant.m2.begin(), L.requant.m2.end());
  const bool shift_only = std::all_of(ms.begin(), ms.end(), power_of_two);
  int m_bits = 0;
  if (!shift_only) {
    const auto mm = std::minmax_element(ms.begin(), ms.end());
    m_bits = bits_for_range(*mm.first, *mm.second);
    le.dsps_requant = dsp_blocks(d, int64_t{le.lanes} * n, 1, acc_bits, m_bits);
  }
  // Adder, comparator (and an Add's sum of two products): one LUT a bit [assumption].
  le.luts_requant = int64_t{le.lanes} * (n + 1) * (acc_bits + m_bits);
}

// Input rows a sliding window keeps while the next arrives: the window's dilated height less one.
int64_t buffered_rows(const IntWindow& w) { return w.dh * (w.kh - 1); }

void estimate_weight_layer(LayerEstimate& le, const IntegerModel& m, size_t index,
                           const DeviceProfile& d, const Parallelism& p) {
  const IntLayer& L = m.layers[index];
  const IntLayer& in = input_of(m, index, 0);
  const bool conv = L.op == IntOp::IntConv;
  const int64_t fan_in = conv ? L.window.taps() * (in.c / L.groups) : in.numel();
  const bool table = !L.table.empty();
  le.w_bits = L.w_bits;
  // A table's multipliers take its entries (int8 for offset grids and PoT+LUT, up to 16 bits for
  // UNIQ's rounded quantiles), not the codes.
  const int table_bits =
      table ? bits_for_range(*std::min_element(L.table.begin(), L.table.end()),
                             *std::max_element(L.table.begin(), L.table.end()))
            : 0;
  le.mac_w_bits = table ? table_bits : L.w_bits;
  le.macs = L.numel() * fan_in;
  // UNIQ's BOPs, as quant/cost.cpp counts them on the graph.
  le.bops = static_cast<double>(le.macs) * (le.mac_w_bits * le.a_bits + le.mac_w_bits + le.a_bits +
                                            std::log2(static_cast<double>(fan_in)));
  le.vec = static_cast<int>(std::min<int64_t>(p.vec, fan_in));
  le.lanes = static_cast<int>(std::min<int64_t>(p.lanes, L.c));
  // cycles = ⌈kh·kw·C_in/groups / vec⌉ · ⌈C_out / lanes⌉ · H_out · W_out
  le.cycles = ceil_div(fan_in, le.vec) * ceil_div(L.c, le.lanes) * L.h * L.w;
  le.acc_bits = accumulator_bits(L, in, fan_in, le.mac_w_bits, le.a_bits);

  const int64_t multipliers = int64_t{le.vec} * le.lanes;
  le.lut_multipliers = le.mac_w_bits <= 4 && le.a_bits <= 4;
  if (le.lut_multipliers) {
    le.luts_mul = multipliers * le.mac_w_bits * le.a_bits;  // FINN-R: b_w·b_a LUTs each
  } else if (L.c / L.groups >= 2) {  // the lanes of one group read the same activation
    le.dsps_mac = dsp_blocks(d, le.vec, le.lanes, le.mac_w_bits, le.a_bits);
  } else {  // depthwise: no operand to share
    le.dsps_mac = dsp_blocks(d, multipliers, 1, le.mac_w_bits, le.a_bits);
  }
  // One table copy per multiplier (each reads its own code every cycle): an entry's bits of
  // 64-entry LUT ROMs (a 6-input LUT is a 64 x 1 ROM).
  if (table) le.luts_table = multipliers * table_bits * ceil_div(int64_t{1} << L.w_bits, 64);
  // FINN-R adder tree (vec − 1)·acc_bits, plus the accumulator register's acc_bits, a lane.
  le.luts_adder = int64_t{le.lanes} * ((le.vec - 1) * le.acc_bits + le.acc_bits);
  add_requant(le, L, d, le.acc_bits);

  const int64_t code_bits = L.c * fan_in * L.w_bits;
  le.weight_bits = code_bits + (table ? (int64_t{1} << L.w_bits) * table_bits : 0);
  le.ram_weights = ram_blocks(d, code_bits, multipliers * L.w_bits);  // all codes each cycle
  if (conv && L.window.kh > 1) {
    le.buffer_bits = buffered_rows(L.window) * in.w * in.c * le.a_bits;
    le.ram_buffer = ram_blocks(d, le.buffer_bits, int64_t{le.vec} * le.a_bits);
  }
}

// Pools and adds consume `lanes` input values a cycle: ⌈C·H·W / lanes⌉ of the input.
const IntLayer& stream(LayerEstimate& le, const IntegerModel& m, size_t index, const Parallelism& p) {
  const IntLayer& L = m.layers[index];
  const IntLayer& in = input_of(m, index, 0);
  le.lanes = static_cast<int>(std::min<int64_t>(p.lanes, L.c));
  le.cycles = ceil_div(in.numel(), le.lanes);
  le.acc_bits = le.a_bits;
  return in;
}

// A window's line buffer: dh·(kh−1)·W_in·C_in·b_a (none for a global pool, which streams).
void window_buffer(LayerEstimate& le, const IntLayer& L, const IntLayer& in, const DeviceProfile& d) {
  if (L.window.kh <= 1) return;
  le.buffer_bits = buffered_rows(L.window) * in.w * in.c * le.a_bits;
  le.ram_buffer = ram_blocks(d, le.buffer_bits, int64_t{le.lanes} * le.a_bits);
}

void estimate_maxpool(LayerEstimate& le, const IntegerModel& m, size_t index,
                      const DeviceProfile& d, const Parallelism& p) {
  const IntLayer& in = stream(le, m, index, p);
  le.luts_adder = int64_t{le.lanes} * 2 * le.a_bits;  // comparator + register mux [assumption]
  window_buffer(le, m.layers[index], in, d);
}

void estimate_sumpool(LayerEstimate& le, const IntegerModel& m, size_t index,
                      const DeviceProfile& d, const Parallelism& p) {
  const IntLayer& L = m.layers[index];
  const IntLayer& in = stream(le, m, index, p);
  le.acc_bits = bits_for_range(L.min_value, L.max_value);
  le.luts_adder = int64_t{le.lanes} * le.acc_bits;  // one accumulator a lane
  window_buffer(le, L, in, d);
}

// A sum pool, a counter of the window's positions inside the map and a requantization by the
// count's multiplier (a small table, kh·kw entries).
void estimate_avgpool(LayerEstimate& le, const IntegerModel& m, size_t index,
                      const DeviceProfile& d, const Parallelism& p) {
  IntLayer L = m.layers[index];
  const IntLayer& in = stream(le, m, index, p);
  le.acc_bits = bits_for_range(std::min<int64_t>(0, in.min_value) * L.window.taps(),
                               std::max<int64_t>(0, in.max_value) * L.window.taps());
  le.luts_adder = int64_t{le.lanes} * le.acc_bits;
  window_buffer(le, L, in, d);
  L.requant.m = L.table;  // the multipliers a count
  add_requant(le, L, d, le.acc_bits);
  le.weight_bits = static_cast<int64_t>(L.table.size()) * 31;
}

void estimate_add(LayerEstimate& le, const IntegerModel& m, size_t index, const DeviceProfile& d,
                  const Parallelism& p) {
  stream(le, m, index, p);
  add_requant(le, m.layers[index], d, le.acc_bits);
}

// A concat streams every output value once through a lane's requantization.
void estimate_concat(LayerEstimate& le, const IntegerModel& m, size_t index,
                     const DeviceProfile& d, const Parallelism& p) {
  const IntLayer& L = m.layers[index];
  stream(le, m, index, p);
  le.cycles = ceil_div(L.numel(), le.lanes);
  le.acc_bits = input_bits(m, index);
  add_requant(le, L, d, le.acc_bits);
}

// A table of output codes a lane: out_bits of 64-entry LUT ROMs per 64 entries.
void estimate_lookup(LayerEstimate& le, const IntegerModel& m, size_t index,
                     const DeviceProfile& d, const Parallelism& p) {
  const IntLayer& L = m.layers[index];
  stream(le, m, index, p);
  const int out_bits = bits_for_range(L.min_value, L.max_value);
  le.luts_table = int64_t{le.lanes} * out_bits * ceil_div(static_cast<int64_t>(L.table.size()), 64);
  le.weight_bits = static_cast<int64_t>(L.table.size()) * out_bits;
}

// A multi-threshold a lane, FINN's way: n comparators of the input's width against a channel's
// thresholds (held in memory, n·c·input bits) and an adder of their outputs; m = ±1 needs no
// multiplier, only the offset adder and clamp.
void estimate_threshold(LayerEstimate& le, const IntegerModel& m, size_t index,
                        const DeviceProfile&, const Parallelism& p) {
  const IntLayer& L = m.layers[index];
  stream(le, m, index, p);
  const int64_t n = L.c > 0 ? static_cast<int64_t>(L.table.size()) / L.c : 0;
  const int in_bits = input_bits(m, index);
  le.acc_bits = bits_for_range(0, n);
  le.luts_adder = int64_t{le.lanes} * (n * in_bits + le.acc_bits);  // comparators and count
  le.luts_requant = int64_t{le.lanes} * 2 * le.acc_bits;
  le.weight_bits = static_cast<int64_t>(L.table.size()) * in_bits;
}

// A product a lane (a multiplier of the inputs' widths), then the requantization.
void estimate_mul(LayerEstimate& le, const IntegerModel& m, size_t index, const DeviceProfile& d,
                  const Parallelism& p) {
  const IntLayer& L = m.layers[index];
  stream(le, m, index, p);
  le.macs = L.numel();
  le.dsps_mac = dsp_blocks(d, le.lanes, 1, le.a_bits, le.a_bits);
  le.acc_bits = 2 * le.a_bits;
  add_requant(le, L, d, le.acc_bits);
}

// One entry per integer op with hardware (the input has none).
using OpEstimate = void (*)(LayerEstimate&, const IntegerModel&, size_t, const DeviceProfile&,
                            const Parallelism&);
struct OpEstimator {
  IntOp op;
  OpEstimate estimate;
};
constexpr OpEstimator kOpEstimators[] = {
    {IntOp::IntConv, estimate_weight_layer},  {IntOp::IntLinear, estimate_weight_layer},
    {IntOp::IntMaxPool, estimate_maxpool},    {IntOp::IntSumPool, estimate_sumpool},
    {IntOp::IntAdd, estimate_add},            {IntOp::IntConcat, estimate_concat},
    {IntOp::IntLookup, estimate_lookup},      {IntOp::IntMul, estimate_mul},
    {IntOp::IntThreshold, estimate_threshold}, {IntOp::IntAvgPool, estimate_avgpool},
};

OpEstimate op_estimator(const IntLayer& L) {
  for (const OpEstimator& e : kOpEstimators)
    if (e.op == L.op) return e.estimate;
  throw Error("layer '" + L.name + "': no FPGA estimate for op '" + int_op_name(L.op) + "'");
}

}  // namespace

double cycles_to_ms(int64_t cycles, double clock_mhz) {
  return static_cast<double>(cycles) / (clock_mhz * 1e3);
}

double images_per_second(int64_t cycles, double clock_mhz) {
  return cycles > 0 ? clock_mhz * 1e6 / static_cast<double>(cycles) : 0.0;
}

Estimate estimate(const IntegerModel& model, const DeviceProfile& d, const Parallelism& p) {
  if (p.vec < 1 || p.lanes < 1 || !(p.clock_mhz > 0))
    throw Error("parallelism needs vec >= 1, lanes >= 1 and a positive clock; got vec " +
                std::to_string(p.vec) + ", lanes " + std::to_string(p.lanes) + ", clock " +
                std::to_string(p.clock_mhz) + " MHz");
  Estimate e;
  e.device = d.name;
  e.profile = d;
  e.parallelism = p;
  for (size_t i = 1; i < model.layers.size(); ++i) {
    const IntLayer& L = model.layers[i];
    if (L.op == IntOp::IntInput) continue;
    LayerEstimate le;
    le.name = L.name;
    le.op = int_op_name(L.op);
    le.a_bits = input_bits(model, i);
    op_estimator(L)(le, model, i, d, p);
    le.dsps = le.dsps_mac + le.dsps_requant;
    le.luts = le.luts_mul + le.luts_table + le.luts_adder + le.luts_requant;
    le.ram_blocks = le.ram_weights + le.ram_buffer;
    le.latency_ms = cycles_to_ms(le.cycles, p.clock_mhz);

    e.dsps += le.dsps;
    e.luts += le.luts;
    e.ram_blocks += le.ram_blocks;
    e.macs += le.macs;
    e.bops += le.bops;
    e.weight_bits += le.weight_bits;
    e.buffer_bits += le.buffer_bits;
    e.latency_cycles += le.cycles;
    if (le.cycles > e.bottleneck_cycles) {
      e.bottleneck_cycles = le.cycles;
      e.bottleneck_layer = le.name;
    }
    e.layers.push_back(le);
  }
  e.latency_ms = cycles_to_ms(e.latency_cycles, p.clock_mhz);
  e.images_per_second = images_per_second(e.bottleneck_cycles, p.clock_mhz);
  e.sequential_images_per_second = images_per_second(e.latency_cycles, p.clock_mhz);
  e.dsp_use = static_cast<double>(e.dsps) / static_cast<double>(d.dsps);
  e.lut_use = static_cast<double>(e.luts) / static_cast<double>(d.luts);
  e.ram_use = static_cast<double>(e.ram_blocks) / static_cast<double>(d.ram_blocks);
  e.dsps_fit = e.dsps <= d.dsps;
  e.luts_fit = e.luts <= d.luts;
  e.ram_fits = e.ram_blocks <= d.ram_blocks;
  e.fits = e.dsps_fit && e.luts_fit && e.ram_fits;
  return e;
}

}  // namespace bitshift
