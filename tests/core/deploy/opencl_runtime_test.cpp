// The OpenCL runtime against the integer reference executor, bit for bit, on random models of
// odd shapes (every op, every weight storage, per-channel and shared requantization), plus
// hand-computed requantization and the errors a user sees. Skips, loudly, without a device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "../test_util.h"
#include "deploy/host/codec.h"
#include "deploy/host/device_context.h"
#include "deploy/host/opencl_runtime.h"
#include "deploy/kernel_sources.h"
#include "integer/ops/op_common.h"
#include "integer/reference_executor.h"

namespace bitshift {
namespace {

#define REQUIRE_OPENCL_DEVICE()      \
  if (list_opencl_devices().empty()) \
  GTEST_SKIP() << "no OpenCL device: install pocl-opencl-icd (nothing was compared)"

std::string runtime_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// Every layer of `got` equals `golden` value for value; reports the first difference.
void expect_layers_equal(const IntegerModel& model, const std::vector<IntTensor>& got,
                         const std::vector<IntTensor>& golden) {
  ASSERT_EQ(got.size(), golden.size());
  for (size_t i = 0; i < golden.size(); ++i) {
    const std::string name = model.layers[i].name;
    ASSERT_EQ(got[i].n, golden[i].n) << name;
    ASSERT_EQ(got[i].values.size(), golden[i].values.size()) << name;
    size_t differ = 0, first = 0;
    for (size_t j = golden[i].values.size(); j-- > 0;)
      if (got[i].values[j] != golden[i].values[j]) ++differ, first = j;
    EXPECT_EQ(differ, 0u) << "layer " << i << " '" << name << "' first differs at " << first
                          << ": got " << got[i].values[first] << ", expected "
                          << golden[i].values[first];
  }
}

double mean_abs(const std::vector<int32_t>& v) {
  double sum = 0;
  for (int32_t x : v) sum += std::abs(static_cast<double>(x));
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

// The shift that maps a typical |acc·m| of `typical` onto a quarter of [lo, hi].
int32_t shift_for(double typical, int32_t lo, int32_t hi) {
  const double target = std::max(1.0, (hi - lo) / 4.0);
  return static_cast<int32_t>(
      std::clamp(std::lround(std::log2(std::max(typical, 1.0) / target)), 0L, 61L));
}

struct Weights {
  int bits = 8;
  bool table = false;
};

struct Output {
  bool requantized = true;
  int32_t lo = 0, hi = 15;
  bool per_channel = true;  // else size-1 vectors shared by every channel
  bool bias = true;
  int32_t m_max = (1 << 15) - 1;  // 1: shift-only (NICE), 8: NICE's 3-bit m; small m make ties;
                                  // up to 2^30 (the contract's largest)
};

// Builds a random IntegerModel layer by layer. Requantization is calibrated on the reference's
// accumulators for `sample`, so outputs spread over [lo, hi] instead of saturating.
IntWindow window(std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> pads,
                 std::vector<int64_t> d, bool ceil = false) {
  IntWindow w;
  w.kh = k[0], w.kw = k[1], w.sh = s[0], w.sw = s[1], w.dh = d[0], w.dw = d[1];
  w.pad_top = pads[0], w.pad_left = pads[1], w.pad_bottom = pads[2], w.pad_right = pads[3];
  w.ceil_mode = ceil;
  return w;
}

int64_t rows(const IntLayer& in, const IntWindow& w) {
  return int_ops::window_out(in.h, w.kh, w.sh, w.pad_top, w.pad_bottom, w.dh, w.ceil_mode);
}
int64_t cols(const IntLayer& in, const IntWindow& w) {
  return int_ops::window_out(in.w, w.kw, w.sw, w.pad_left, w.pad_right, w.dw, w.ceil_mode);
}

class RandomModel {
 public:
  explicit RandomModel(unsigned seed) : rng_(seed) {}

  IntegerModel model;
  IntTensor sample;

  int input(int64_t c, int64_t h, int64_t w, int32_t lo, int32_t hi, int64_t n) {
    IntLayer L = layer("input", IntOp::IntInput, {}, c, h, w);
    L.min_value = lo, L.max_value = hi;
    sample.n = n;
    sample.values.resize(static_cast<size_t>(n * L.numel()));
    for (int32_t& v : sample.values) v = uniform(lo, hi);
    return push(L);
  }

  int conv(int src, int64_t c, int64_t k, int64_t stride, int64_t pad, int64_t groups, Weights w,
           Output o) {
    const IntLayer& in = model.layers[static_cast<size_t>(src)];
    IntLayer L = layer("conv", IntOp::IntConv, {src}, c, (in.h + 2 * pad - k) / stride + 1,
                       (in.w + 2 * pad - k) / stride + 1);
    L.window = IntWindow::square(k, stride, pad), L.groups = groups;
    fill_weights(L, c * (in.c / groups) * k * k, w);
    return finish(L, o);
  }

  // Any window: kh×kw, strides, four pads, dilation.
  int conv(int src, int64_t c, const IntWindow& win, int64_t groups, Weights w, Output o) {
    const IntLayer& in = model.layers[static_cast<size_t>(src)];
    IntLayer L = layer("conv", IntOp::IntConv, {src}, c, rows(in, win), cols(in, win));
    L.window = win, L.groups = groups;
    fill_weights(L, c * (in.c / groups) * win.taps(), w);
    return finish(L, o);
  }

  int pool(IntOp op, int src, const IntWindow& win) {
    const IntLayer& in = model.layers[static_cast<size_t>(src)];
    IntLayer L = layer(int_op_name(op), op, {src}, in.c, rows(in, win), cols(in, win));
    L.window = win;
    return push(L);
  }

  // An average pool over the positions inside the map: a random multiplier a count.
  int avgpool(int src, const IntWindow& win, int32_t lo, int32_t hi) {
    const IntLayer& in = model.layers[static_cast<size_t>(src)];
    IntLayer L = layer("avgpool", IntOp::IntAvgPool, {src}, in.c, rows(in, win), cols(in, win));
    L.window = win;
    for (int64_t k = 0; k < win.taps(); ++k) L.table.push_back(uniform(1, 1 << 15));
    const double typical = mean_abs(reference()[static_cast<size_t>(src)].values) * (1 << 14);
    Requant& r = L.requant;
    r.requantized = true, r.lo = lo, r.hi = hi;
    r.shift = {shift_for(typical, lo, hi)};
    for (int64_t ch = 0; ch < L.c; ++ch) r.offset.push_back(uniform(-(1 << r.shift[0]), 1 << r.shift[0]));
    return push(L);
  }

  int linear(int src, int64_t c, Weights w, Output o) {
    IntLayer L = layer("linear", IntOp::IntLinear, {src}, c, 1, 1);
    fill_weights(L, c * model.layers[static_cast<size_t>(src)].numel(), w);
    return finish(L, o);
  }

  int pool(IntOp op, int src, int64_t k, int64_t stride, int64_t pad) {
    const IntLayer& in = model.layers[static_cast<size_t>(src)];
    const bool global = k == 0;
    IntLayer L =
        layer(int_op_name(op), op, {src}, in.c, global ? 1 : (in.h + 2 * pad - k) / stride + 1,
              global ? 1 : (in.w + 2 * pad - k) / stride + 1);
    L.window = IntWindow::square(k, stride, pad);
    return push(L);
  }

  int add(int a, int b, int32_t lo, int32_t hi, int32_t m_max = (1 << 15) - 1) {
    const IntLayer& in = model.layers[static_cast<size_t>(a)];
    IntLayer L = layer("add", IntOp::IntAdd, {a, b}, in.c, in.h, in.w);
    const std::vector<IntTensor> ref = reference();
    const double ta = mean_abs(ref[static_cast<size_t>(a)].values);
    const double tb = mean_abs(ref[static_cast<size_t>(b)].values);
    Requant& r = L.requant;
    r.requantized = true, r.lo = lo, r.hi = hi;
    for (int64_t ch = 0; ch < L.c; ++ch) {
      r.m.push_back(uniform(1, m_max));
      r.m2.push_back(uniform(1, m_max));
      r.shift.push_back(shift_for(ta * r.m.back() + tb * r.m2.back(), lo, hi));
      const int32_t step = 1 << std::min(r.shift.back(), 30);
      r.offset.push_back(uniform(-step, step));
    }
    return push(L);
  }

  // A concat of `runs` (input, first, count) with a random multiplier a channel (m 1, shift 0
  // for channels of `unit_input`: pure data movement).
  int concat(std::vector<int> inputs, std::vector<ChannelRun> runs, int32_t lo, int32_t hi,
             int unit_input = -1) {
    const IntLayer& in = model.layers[static_cast<size_t>(inputs[0])];
    int64_t c = 0;
    for (const ChannelRun& run : runs) c += run.count;
    IntLayer L = layer("concat", IntOp::IntConcat, inputs, c, in.h, in.w);
    L.runs = runs;
    const std::vector<IntTensor> ref = reference();
    Requant& r = L.requant;
    r.requantized = true, r.lo = lo, r.hi = hi;
    for (const ChannelRun& run : runs) {
      const double typical = mean_abs(ref[static_cast<size_t>(inputs[run.input])].values);
      for (int32_t k = 0; k < run.count; ++k) {
        const bool unit = run.input == unit_input;
        r.m.push_back(unit ? 1 : uniform(1, 1 << 15));
        r.shift.push_back(unit ? 0 : shift_for(typical * r.m.back(), lo, hi));
        const int32_t step = 1 << std::min(r.shift.back(), 30);
        r.offset.push_back(unit ? 0 : uniform(-step, step));
      }
    }
    return push(L);
  }

  // a·b (b: a's shape or C×1×1) requantized with random m a channel.
  int mul(int a, int b, int32_t lo, int32_t hi) {
    const IntLayer& in = model.layers[static_cast<size_t>(a)];
    IntLayer L = layer("mul", IntOp::IntMul, {a, b}, in.c, in.h, in.w);
    const std::vector<IntTensor> ref = reference();
    const double typical = mean_abs(ref[static_cast<size_t>(a)].values) *
                           mean_abs(ref[static_cast<size_t>(b)].values);
    Requant& r = L.requant;
    r.requantized = true, r.lo = lo, r.hi = hi;
    for (int64_t ch = 0; ch < L.c; ++ch) {
      r.m.push_back(uniform(1, 1 << 15));
      r.shift.push_back(shift_for(typical * r.m.back(), lo, hi));
    }
    return push(L);
  }

  // A random table over the input's proven range, entries in [lo, hi].
  int lookup(int src, int32_t lo, int32_t hi) {
    reference();  // proves the input's range
    const IntLayer& in = model.layers[static_cast<size_t>(src)];
    IntLayer L = layer("lookup", IntOp::IntLookup, {src}, in.c, in.h, in.w);
    for (int64_t v = in.min_value; v <= in.max_value; ++v) L.table.push_back(uniform(lo, hi));
    return push(L);
  }

  // n ascending thresholds a channel, drawn over the input's proven range (a few beyond it:
  // always or never reached), counted up or down (m = ±1) onto [lo, lo + n].
  int threshold(int src, int64_t n, int32_t lo) {
    reference();  // proves the input's range
    const IntLayer& in = model.layers[static_cast<size_t>(src)];
    IntLayer L = layer("threshold", IntOp::IntThreshold, {src}, in.c, in.h, in.w);
    Requant& r = L.requant;
    r.requantized = true, r.lo = lo, r.hi = static_cast<int32_t>(lo + n), r.shift = {0};
    for (int64_t ch = 0; ch < L.c; ++ch) {
      std::vector<int32_t> t;
      for (int64_t i = 0; i < n; ++i) t.push_back(uniform(in.min_value - 2, in.max_value + 2));
      std::sort(t.begin(), t.end());
      L.table.insert(L.table.end(), t.begin(), t.end());
      const bool down = uniform(0, 1) == 1;
      r.m.push_back(down ? -1 : 1);
      r.offset.push_back(down ? lo + n : lo);
    }
    return push(L);
  }

  std::vector<IntTensor> reference() {
    prove_accumulator_bounds(model);
    return run_reference(model, sample);
  }

 private:
  std::mt19937 rng_;

  int32_t uniform(int64_t lo, int64_t hi) {
    return static_cast<int32_t>(std::uniform_int_distribution<int64_t>(lo, hi)(rng_));
  }

  IntLayer layer(const std::string& kind, IntOp op, std::vector<int> inputs, int64_t c, int64_t h,
                 int64_t w) {
    IntLayer L;
    L.name = kind + std::to_string(model.layers.size());
    L.op = op, L.inputs = std::move(inputs);
    L.c = c, L.h = h, L.w = w;
    L.scale = {1.0};
    return L;
  }

  int push(const IntLayer& L) {
    model.layers.push_back(L);
    return static_cast<int>(model.layers.size()) - 1;
  }

  void fill_weights(IntLayer& L, int64_t count, Weights w) {
    L.w_bits = w.bits;
    const int64_t levels = int64_t{1} << w.bits;
    if (w.table)
      for (int64_t i = 0; i < levels; ++i) L.table.push_back(uniform(-127, 127));
    for (int64_t i = 0; i < count; ++i)
      L.weights.push_back(w.table ? uniform(0, levels - 1) : uniform(-levels / 2, levels / 2 - 1));
  }

  // Bias, then m/shift/offset calibrated on the layer's wide accumulators.
  int finish(IntLayer& L, Output o) {
    if (o.bias)
      for (int64_t ch = 0; ch < L.c; ++ch) L.bias.push_back(uniform(-300, 300));
    const int index = push(L);
    if (!o.requantized) return index;
    const double typical = mean_abs(reference()[static_cast<size_t>(index)].values);
    Requant& r = model.layers.back().requant;
    r.requantized = true, r.lo = o.lo, r.hi = o.hi;
    for (int64_t ch = 0; ch < (o.per_channel ? L.c : 1); ++ch) {
      r.m.push_back(uniform(1, o.m_max));
      r.shift.push_back(shift_for(typical * r.m.back(), o.lo, o.hi));
      const int32_t step = 1 << std::min(r.shift.back(), 30);
      r.offset.push_back(uniform(-step, step));  // up to one output step either way
    }
    return index;
  }
};

// Runs the model on the device and the reference for each batch size, expecting every layer equal
// and every computed layer's output not constant (a constant would make the comparison weak).
void expect_device_matches_reference(RandomModel& r, const std::vector<int64_t>& batches,
                                     const std::string& source = kernel_source()) {
  const std::vector<IntTensor> calibration = r.reference();
  OpenClRuntime runtime(r.model, source);
  for (size_t i = 1; i < calibration.size(); ++i) {
    const std::set<int32_t> distinct(calibration[i].values.begin(), calibration[i].values.end());
    EXPECT_GE(distinct.size(), 2u) << "layer '" << r.model.layers[i].name << "' is constant";
  }
  std::mt19937 rng(7);
  const IntLayer& in = r.model.input();
  for (int64_t n : batches) {  // the batch size changes between runs of one runtime
    IntTensor x{n, std::vector<int32_t>(static_cast<size_t>(n * in.numel()))};
    std::uniform_int_distribution<int32_t> value(static_cast<int32_t>(in.min_value),
                                                 static_cast<int32_t>(in.max_value));
    for (int32_t& v : x.values) v = value(rng);
    SCOPED_TRACE("batch of " + std::to_string(n));
    expect_layers_equal(r.model, runtime.run(x), run_reference(r.model, x));
  }
}

TEST(OpenClRuntime, OddShapedConvsAndMaxPoolEqualReferenceForEveryWeightStorage) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(20241);
  const int x = r.input(3, 9, 11, -128, 127, 3);
  // 3 -> 7, 3x3, 8-bit codes, per-channel requantization with ReLU and 3-bit m.
  const int a = r.conv(x, 7, 3, 1, 1, 1, {8, false}, {true, 0, 15, true, true, 8});
  // Depthwise, stride 2, 4-bit packed signed codes, one shift-only scale for every channel.
  const int b = r.conv(a, 7, 3, 2, 1, 7, {4, false}, {true, -8, 7, false, false, 1});
  // 1x1 to 127 channels, 4-bit codes indexing a table.
  const int c = r.conv(b, 127, 1, 1, 0, 1, {4, true}, {true, 0, 255, true, true});
  const int d = r.pool(IntOp::IntMaxPool, c, 2, 2, 0);
  // Depthwise over 127 channels with 3-bit table codes, 12-bit codes (int32 storage), 8-bit
  // table codes.
  const int e = r.conv(d, 127, 3, 1, 1, 127, {3, true}, {true, -100, 100, true, true});
  const int f = r.conv(e, 3, 3, 1, 1, 1, {12, false}, {true, -100, 100, true, true});
  r.conv(f, 1, 2, 1, 0, 1, {8, true}, {false, 0, 0, true, true});  // wide: int32 + bias
  expect_device_matches_reference(r, {3, 1, 5});
}

TEST(OpenClRuntime, ResidualAddsPoolsAndLinearEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(777);
  const int x = r.input(1, 8, 8, 0, 15, 3);
  const int a = r.conv(x, 3, 3, 1, 1, 1, {8, false}, {true, 0, 15, true, true});
  const int b = r.conv(a, 3, 3, 1, 1, 1, {4, false}, {true, 0, 15, true, false});
  const int sum = r.add(a, b, 0, 15, 3);  // both inputs requantized, small m: ties
  const int wide_a = r.conv(sum, 3, 3, 1, 1, 1, {4, false}, {false, 0, 0, true, true});
  const int wide_b = r.conv(sum, 3, 1, 1, 0, 1, {8, false}, {false, 0, 0, true, false});
  const int wide_sum = r.add(wide_a, wide_b, -128, 127);  // int32 accumulator inputs
  const int sum2 = r.pool(IntOp::IntSumPool, wide_sum, 2, 2, 0);
  const int max3 = r.pool(IntOp::IntMaxPool, wide_sum, 3, 2, 1);  // padded windows
  const int global = r.pool(IntOp::IntSumPool, max3, 0, 1, 0);    // kernel 0: the whole map
  r.linear(sum2, 10, {4, true}, {false, 0, 0, true, true});       // logits: wide with bias
  r.linear(global, 7, {8, false}, {true, -128, 127, true, true});
  r.linear(sum2, 1, {2, false}, {true, -8, 7, false, true});
  expect_device_matches_reference(r, {3, 1, 4});
}

TEST(OpenClRuntime, ConcatsSplitsAndShufflesEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(4242);
  const int x = r.input(3, 7, 5, -128, 127, 3);
  const int a = r.conv(x, 5, 3, 1, 1, 1, {8, false}, {true, 0, 15, true, true});
  const int b = r.conv(x, 6, 1, 1, 0, 1, {4, false}, {false, 0, 0, true, true});  // wide
  // Concat of a requantized, a wide and the input layer (unit multipliers: data movement).
  const int cat = r.concat({a, b, x}, {{0, 0, 5}, {1, 0, 6}, {2, 0, 3}}, -8, 7, 2);
  // A split (channels 4..10) and a shuffle (single-channel runs, two inputs interleaved).
  const int split = r.concat({cat}, {{0, 4, 7}}, -8, 7, 0);
  const int shuffle =
      r.concat({split, a}, {{0, 0, 1}, {1, 4, 1}, {0, 6, 1}, {1, 0, 1}, {0, 3, 3}}, 0, 255);
  r.conv(shuffle, 4, 3, 2, 1, 1, {8, false}, {true, -128, 127, true, true});
  expect_device_matches_reference(r, {3, 1, 2});
}

// Every op (bs_conv rather than the pair path: values beyond int16) on small odd shapes: the
// model oclgrind runs (tests/core/deploy/oclgrind_check.sh).
TEST(OpenClRuntime, EveryOpOnSmallOddShapesEqualsReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(5150);
  constexpr int32_t kWide = 40000;  // beyond int16: no layer runs on pairs
  const int x = r.input(3, 5, 7, -kWide, kWide, 2);
  const int a = r.conv(x, 5, 3, 2, 1, 1, {4, false}, {true, -kWide, kWide, true, true});
  const int b = r.conv(x, 5, 3, 2, 1, 5 / 5, {8, true}, {false, 0, 0, true, true});  // wide
  const int dw = r.conv(a, 5, 3, 1, 1, 5, {12, false}, {true, -kWide, kWide, true, true});
  const int sum = r.add(dw, b, -kWide, kWide);
  // 30-bit multipliers (the lowering's largest): products of int32 values reach 2^61.
  const int wide_m = r.conv(a, 4, 1, 1, 0, 1, {8, false}, {true, -kWide, kWide, true, true, 1 << 30});
  const int cat = r.concat({sum, a, wide_m}, {{0, 1, 4}, {1, 0, 3}, {2, 2, 2}}, -2000, 2000);
  const int gate = r.pool(IntOp::IntSumPool, cat, 0, 1, 0);
  const int mul = r.mul(cat, gate, -300, 300);  // products up to 2000 · 24000
  const int thr = r.threshold(mul, 7, -3);
  const int lut = r.lookup(thr, -300, 300);
  const int sp = r.pool(IntOp::IntSumPool, lut, 3, 1, 1);  // padded: the border adds nothing
  const int mp = r.pool(IntOp::IntMaxPool, sp, 2, 2, 1);
  r.linear(mp, 3, {5, false}, {false, 0, 0, true, true});
  expect_device_matches_reference(r, {2, 1});
}

TEST(OpenClRuntime, FpgaBuildWithFixedWorkGroupsPadsTheRangesAndStillEqualsReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(99);
  const int x = r.input(3, 5, 7, -8, 7, 2);  // 5x7 maps: no dimension a multiple of 16
  const int a = r.conv(x, 5, 3, 2, 1, 1, {4, true}, {true, -8, 7, true, true});
  const int b = r.pool(IntOp::IntMaxPool, a, 2, 1, 0);
  const int c = r.add(b, b, -8, 7);
  const int d = r.pool(IntOp::IntSumPool, c, 0, 1, 0);
  r.linear(d, 3, {8, false}, {false, 0, 0, true, true});
  // reqd_work_group_size(16, 1, 1) and num_simd_work_items, as an Intel FPGA build sees them.
  expect_device_matches_reference(r, {2, 3}, "#define BITSHIFT_INTEL_FPGA\n" + kernel_source());
}

// The pair convs' portable multiply-add (what an FPGA or a non-x86 device compiles) and the
// 256-bit x86 one against the reference (the default build here uses the 512-bit one).
TEST(OpenClRuntime, PortableAnd256BitPairMultiplyAddsEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(20241);
  const int x = r.input(3, 9, 11, -128, 127, 3);
  const int a = r.conv(x, 7, 3, 1, 1, 1, {8, false}, {true, -128, 127, true, true, 8});
  const int b = r.conv(a, 17, 3, 2, 1, 1, {4, true}, {true, -8, 7, false, false, 1});
  r.conv(b, 33, 1, 1, 0, 1, {12, false}, {true, 0, 255, true, true});
  expect_device_matches_reference(r, {3, 1}, "#define BS_PORTABLE_MADD\n" + kernel_source());
  // The 256-bit x86 form, which an AVX2 machine without AVX-512 compiles (compiled here only
  // when this machine has AVX2; otherwise the portable form runs again).
  expect_device_matches_reference(r, {3, 1}, "#define BS_NO_AVX512_MADD\n" + kernel_source());
}

// Values beyond 16 bits cannot share a 32-bit lane: such convs run on bs_conv. Were they run on
// pairs, the truncated inputs or weights would differ from the reference.
TEST(OpenClRuntime, ConvsOverWideInputsOrWeightsEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(4242);
  const int x = r.input(3, 6, 7, -40000, 40000, 2);  // beyond int16
  const int a = r.conv(x, 5, 3, 1, 1, 1, {8, false}, {true, -100, 100, true, true});
  const int b = r.conv(a, 4, 3, 1, 1, 1, {17, false}, {true, -100, 100, true, true});  // ±65536
  const int sum = r.pool(IntOp::IntSumPool, b, 2, 1, 0);  // sums: no 16-bit proof
  r.conv(sum, 3, 2, 1, 0, 1, {8, false}, {false, 0, 0, true, true});
  ASSERT_GT(*std::max_element(r.model.layers[2].weights.begin(), r.model.layers[2].weights.end()),
            32767);
  expect_device_matches_reference(r, {2, 3});
}

// Windows as ONNX states them (imported models, Keras' SAME padding): non-square kernels,
// strides per axis, four different pads, dilation, on both conv paths and the pools; a pair conv
// writing the staged input of a pair conv with asymmetric pads.
TEST(OpenClRuntime, NonSquareStridedPaddedDilatedWindowsEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(4242);
  const int x = r.input(3, 10, 13, 0, 15, 3);
  // Pairs: 3x5, stride 1x2, pads (2, 1, 0, 3), dilation 2x1.
  const int a = r.conv(x, 8, window({3, 5}, {1, 2}, {2, 1, 0, 3}, {2, 1}), 1, {4, false},
                       {true, 0, 15, true, true});
  // Pairs again, fed by a: pads (0, 2, 1, 1).
  const int a2 = r.conv(a, 8, window({3, 3}, {1, 1}, {0, 2, 1, 1}, {1, 1}), 1, {8, false},
                        {true, -20, 20, true, true});
  // Depthwise (bs_conv's grouped loop): 2x3, stride 2x1, pads (1, 2, 3, 0), dilation 3x2.
  const int b = r.conv(a2, 8, window({2, 3}, {2, 1}, {1, 2, 3, 0}, {3, 2}), 8, {4, false},
                       {true, -50, 50, true, true});
  // Wide weights (bs_conv's vector loop): 3x2, stride 2x1, pads (0, 1, 1, 0), dilation 1x2.
  const int c = r.conv(b, 5, window({3, 2}, {2, 1}, {0, 1, 1, 0}, {1, 2}), 1, {17, false},
                       {true, -100, 100, true, true});
  const int mp = r.pool(IntOp::IntMaxPool, a2, window({3, 2}, {2, 1}, {1, 0, 1, 1}, {1, 1}));
  const int mc = r.pool(IntOp::IntMaxPool, mp, window({2, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, true));
  const int sp = r.pool(IntOp::IntSumPool, c, window({2, 3}, {1, 2}, {1, 1, 0, 2}, {1, 1}));
  r.linear(sp, 4, {8, false}, {false, 0, 0, true, true});
  // Counts 1..6 at the borders, ceil mode adding windows cut short.
  const int ap = r.avgpool(a2, window({3, 2}, {2, 2}, {2, 1, 1, 0}, {1, 1}, true), -30, 30);
  r.linear(ap, 3, {4, false}, {true, -8, 7, true, true});
  r.linear(mc, 3, {8, false}, {false, 0, 0, true, true});
  expect_device_matches_reference(r, {3, 1});
}

// Pair convs read only by another pair conv stage its input themselves, and inference skips
// outputs nothing else reads: a chain of them (padding, stride 2, odd channel counts) next to a
// pair conv whose output an add also reads.
TEST(OpenClRuntime, InferAndRunOverPairConvChainsEqualReference) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(31);
  const int x = r.input(2, 9, 9, 0, 255, 4);
  const int a = r.conv(x, 20, 3, 1, 1, 1, {4, false}, {true, 0, 15, true, true});
  const int b = r.conv(a, 20, 3, 1, 1, 1, {8, false}, {true, 0, 15, true, true});
  const int sum = r.add(a, b, 0, 31);  // a is read twice: its own output must stay written
  const int c = r.conv(sum, 17, 3, 2, 1, 1, {4, true}, {true, -8, 7, true, true});
  const int d = r.conv(c, 33, 1, 1, 0, 1, {8, false}, {true, 0, 255, true, true});
  const int e = r.conv(d, 5, 3, 1, 1, 1, {8, false}, {true, -128, 127, true, true});
  r.linear(e, 10, {8, false}, {false, 0, 0, true, true});
  expect_device_matches_reference(r, {4, 1});
  OpenClRuntime runtime(r.model, kernel_source());
  for (int repeat = 0; repeat < 2; ++repeat) {  // staged buffers are reused between batches
    const IntTensor logits = runtime.infer(r.sample);
    EXPECT_EQ(logits.n, r.sample.n);
    EXPECT_EQ(logits.values, run_reference(r.model, r.sample).back().values);
  }
}

TEST(OpenClRuntime, InputOutsideItsDeclaredRangeIsRefusedNamingTheLayerAndValue) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(5);
  const int x = r.input(1, 4, 4, -8, 7, 1);
  r.conv(x, 3, 3, 1, 1, 1, {4, false}, {true, -8, 7, true, true});
  r.reference();
  OpenClRuntime runtime(r.model, kernel_source());
  IntTensor bad = r.sample;
  bad.values[5] = 8;
  for (const std::string& message : {runtime_error_of([&] { runtime.run(bad); }),
                                     runtime_error_of([&] { runtime.infer(bad); })}) {
    EXPECT_CONTAINS(message, "input value 8 at index 5");
    EXPECT_CONTAINS(message, "input layer 'input0' range [-8, 7]");
  }
}

IntLayer hand_input(int64_t w, int32_t lo, int32_t hi) {
  IntLayer L;
  L.name = "input", L.op = IntOp::IntInput;
  L.c = 1, L.h = 1, L.w = w;
  L.min_value = lo, L.max_value = hi;
  return L;
}

// A 1x1 conv of one input channel: weight[c] for output channel c.
IntLayer hand_conv(const std::string& name, std::vector<int32_t> weights, int64_t w) {
  IntLayer L;
  L.name = name, L.op = IntOp::IntConv, L.inputs = {0};
  L.c = static_cast<int64_t>(weights.size()), L.h = 1, L.w = w;
  L.w_bits = 8;
  L.weights = std::move(weights);
  L.requant.requantized = true;
  return L;
}

TEST(OpenClRuntime, RequantizationRoundsHalfUpIn64BitsAndSaturatesAsComputedByHand) {
  REQUIRE_OPENCL_DEVICE();
  IntegerModel m;
  m.layers.push_back(hand_input(10, -1000, 1000));
  IntLayer half = hand_conv("half", {1}, 10);  // y = clamp((x + 1) >> 1, -3, 3)
  half.requant.m = {1}, half.requant.shift = {1}, half.requant.lo = -3, half.requant.hi = 3;
  m.layers.push_back(half);
  // Channel 0: acc = 100·x, m = 30000, shift 20: acc·m reaches 3e9, beyond int32.
  // Channel 1: acc = x, m = 1, shift 1, offset −2: (x − 2 + 1) >> 1.
  IntLayer wide = hand_conv("wide", {100, 1}, 10);
  wide.requant.m = {30000, 1}, wide.requant.shift = {20, 1}, wide.requant.offset = {0, -2};
  wide.requant.lo = -100000, wide.requant.hi = 100000;
  m.layers.push_back(wide);
  prove_accumulator_bounds(m);
  OpenClRuntime runtime(m, kernel_source());
  const IntTensor x{1, {3, -3, 1, -1, 5, -5, 127, -128, 1000, -1000}};
  const std::vector<IntTensor> y = runtime.run(x);
  // 1.5 -> 2, -1.5 -> -1, 0.5 -> 1, -0.5 -> 0, 2.5 -> 3, -2.5 -> -2, then saturation.
  EXPECT_EQ(y[1].values, (std::vector<int32_t>{2, -1, 1, 0, 3, -2, 3, -3, 3, -3}));
  // 3e6·x / 2^20 half up: 8.58 -> 9, 363.3 -> 363, -366.2 -> -366, 2861.02 -> 2861.
  // (x − 1) / 2 half up: 1, -2, 0, -1, 2, -3, 63, -64.5 -> -65 (floor), 499, -500.5 -> -501.
  EXPECT_EQ(y[2].values, (std::vector<int32_t>{9, -9, 3, -3, 14, -14, 363, -366, 2861, -2861,
                                               1, -2, 0, -1, 2,  -3,  63,  -65,  499,  -501}));
}

// A multi-threshold by hand: a value equal to a threshold reaches it; channel 1 counts down.
TEST(OpenClRuntime, ThresholdsCountReachedThresholdsAsComputedByHand) {
  REQUIRE_OPENCL_DEVICE();
  IntegerModel m;
  m.layers.push_back(hand_input(3, -1000, 1000));
  m.layers[0].c = 2;
  IntLayer t;
  t.name = "t", t.op = IntOp::IntThreshold, t.inputs = {0};
  t.c = 2, t.h = 1, t.w = 3;
  t.table = {-5, 0, 7, /* channel 1 */ -1000, 2, 2};
  t.requant.requantized = true, t.requant.lo = -1, t.requant.hi = 2;
  t.requant.m = {1, -1}, t.requant.shift = {0}, t.requant.offset = {-1, 2};
  m.layers.push_back(t);
  prove_accumulator_bounds(m);
  const IntTensor x{1, {-6, 0, 7, /* channel 1 */ -1000, 1, 2}};
  // Channel 0: −1 + #{t ≤ x}, reached 0, 2, 3 -> -1, 1, 2. Channel 1: 2 − #{t ≤ x}, reached
  // 1, 1, 3 -> 1, 1, -1.
  const std::vector<int32_t> expected = {-1, 1, 2, 1, 1, -1};
  EXPECT_EQ(run_reference(m, x)[1].values, expected);
  OpenClRuntime runtime(m, kernel_source());
  EXPECT_EQ(runtime.run(x)[1].values, expected);
}

TEST(OpenClRuntime, BrokenKernelSourceThrowsWithTheBuildLog) {
  REQUIRE_OPENCL_DEVICE();
  IntegerModel m;
  m.layers.push_back(hand_input(2, 0, 1));
  const std::string message = runtime_error_of([&] {
    OpenClRuntime runtime(m, "__kernel void bs_conv(__global int* y) { y[0] = undeclared; }");
  });
  EXPECT_CONTAINS(message, "CL_BUILD_PROGRAM_FAILURE");
  EXPECT_CONTAINS(message, "build log");
  EXPECT_CONTAINS(message, "undeclared");  // the compiler's own words
}

TEST(OpenClRuntime, MissingDeviceNumberThrowsWithTheCount) {
  REQUIRE_OPENCL_DEVICE();
  IntegerModel m;
  m.layers.push_back(hand_input(2, 0, 1));
  EXPECT_CONTAINS(runtime_error_of([&] { OpenClRuntime runtime(m, kernel_source(), 99); }),
                  "OpenCL device 99 does not exist");
}

TEST(OpenClRuntime, WeightCodeOutsideItsStorageThrowsNamingTheLayer) {
  REQUIRE_OPENCL_DEVICE();
  IntegerModel m;
  m.layers.push_back(hand_input(2, 0, 1));
  IntLayer conv = hand_conv("conv3", {9}, 2);  // 9 does not fit 4-bit signed codes
  conv.w_bits = 4;
  conv.requant.m = {1}, conv.requant.shift = {0}, conv.requant.hi = 100;
  m.layers.push_back(conv);
  const std::string message = runtime_error_of([&] { OpenClRuntime runtime(m, kernel_source()); });
  EXPECT_CONTAINS(message, "layer 'conv3'");
  EXPECT_CONTAINS(message, "weight code 9");
}

// A bundle's layers keep their weights.bin bytes (packed_weights): the runtime uploads those,
// not a repacking of the codes. A byte changed in them (the codes left alone) moves the device's
// output off the codes' reference and onto the reference of the codes the bytes hold.
TEST(OpenClRuntime, UploadsTheBundlesOwnWeightBytes) {
  REQUIRE_OPENCL_DEVICE();
  RandomModel r(515);
  const int x = r.input(3, 6, 7, 0, 15, 2);
  const int a = r.conv(x, 5, 3, 1, 1, 1, {8, false}, {true, -50, 50, true, true});  // pairs
  r.conv(a, 4, 3, 1, 1, 1, {4, false}, {false, 0, 0, true, true});
  IntegerModel m = r.model;
  for (IntLayer& L : m.layers)
    if (!L.weights.empty()) L.packed_weights = pack_weight_codes(L.weights, L.w_bits, !L.table.empty());
  expect_layers_equal(m, OpenClRuntime(m, kernel_source()).run(r.sample), run_reference(m, r.sample));
  IntegerModel held = m;  // the bytes say otherwise than the codes
  held.layers[1].packed_weights[0] = static_cast<char>(held.layers[1].packed_weights[0] ^ 0x40);  // ±64
  const std::vector<IntTensor> device = OpenClRuntime(held, kernel_source()).run(r.sample);
  EXPECT_NE(device[1].values, run_reference(m, r.sample)[1].values);
  held.layers[1].weights = unpack_weight_codes(held.layers[1].packed_weights,
                                               static_cast<int64_t>(held.layers[1].weights.size()),
                                               held.layers[1].w_bits, false);
  expect_layers_equal(held, device, run_reference(held, r.sample));
  held.layers[2].packed_weights.pop_back();
  EXPECT_CONTAINS(runtime_error_of([&] { OpenClRuntime runtime(held, kernel_source()); }),
                  "bytes of packed weights for");
}

TEST(KernelSources, WeightStorageAndCommonComeFirstAndEveryKernelIsEmbedded) {
  const std::vector<KernelFile>& files = kernel_files();
  ASSERT_GE(files.size(), 3u);
  EXPECT_STREQ(files[0].name, "weight_storage.h");
  EXPECT_STREQ(files[1].name, "common.cl");
  const std::string source = kernel_source();
  for (const char* k : {"bs_conv", "bs_conv_pairs", "bs_stage_pairs", "bs_linear", "bs_maxpool",
                        "bs_sumpool", "bs_add"})
    EXPECT_CONTAINS(source, std::string("__kernel BS_ATTR void ") + k + "(");
}

TEST(KernelSources, EveryIntegerOpHasADeviceSide) {
  for (const IntOpDef* def : int_op_table()) EXPECT_EQ(device_op(def->op).op, def->op) << def->name;
}

}  // namespace
}  // namespace bitshift
