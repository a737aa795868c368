#pragma once
// What the OpenCL runtime tests share: RandomModel (random integer models of odd shapes with
// requantizations that use their range), the layer-by-layer comparison with the reference
// executor, and the skip without a device.
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

#include "deploy/host/opencl_runtime.h"
#include "deploy/kernel_sources.h"
#include "integer/int_op.h"
#include "integer/ops/op_common.h"
#include "integer/reference_executor.h"

namespace bitshift::testing {


#define REQUIRE_OPENCL_DEVICE()      \
  if (list_opencl_devices().empty()) \
  GTEST_SKIP() << "no OpenCL device: install pocl-opencl-icd (nothing was compared)"

inline std::string runtime_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// Every layer of `got` equals `golden` value for value; reports the first difference.
inline void expect_layers_equal(const IntegerModel& model, const std::vector<IntTensor>& got,
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

inline double mean_abs(const std::vector<int32_t>& v) {
  double sum = 0;
  for (int32_t x : v) sum += std::abs(static_cast<double>(x));
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

// The shift that maps a typical |acc·m| of `typical` onto a quarter of [lo, hi].
inline int32_t shift_for(double typical, int32_t lo, int32_t hi) {
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
inline IntWindow window(std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> pads,
                 std::vector<int64_t> d, bool ceil = false) {
  IntWindow w;
  w.kh = k[0], w.kw = k[1], w.sh = s[0], w.sw = s[1], w.dh = d[0], w.dw = d[1];
  w.pad_top = pads[0], w.pad_left = pads[1], w.pad_bottom = pads[2], w.pad_right = pads[3];
  w.ceil_mode = ceil;
  return w;
}

inline int64_t rows(const IntLayer& in, const IntWindow& w) {
  return int_ops::window_out(in.h, w.kh, w.sh, w.pad_top, w.pad_bottom, w.dh, w.ceil_mode);
}
inline int64_t cols(const IntLayer& in, const IntWindow& w) {
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
inline void expect_device_matches_reference(RandomModel& r, const std::vector<int64_t>& batches,
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


}  // namespace bitshift::testing
