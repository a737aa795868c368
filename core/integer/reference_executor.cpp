#include "integer/reference_executor.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>
#include <thread>

#include "util/error.h"

namespace bitshift {

namespace {

template <typename V>
auto per_channel(const V& v, int64_t c) {
  return v.size() == 1 ? v[0] : v[static_cast<size_t>(c)];
}

int64_t offset(const Requant& r, int64_t c) { return r.offset.empty() ? 0 : per_channel(r.offset, c); }

// acc (int32, proven) -> output value by the layer's requantization or as is.
int32_t finish(const IntLayer& L, int64_t c, int64_t acc) {
  if (!L.requant.requantized) return static_cast<int32_t>(acc);
  return requantize(acc * per_channel(L.requant.m, c) + offset(L.requant, c),
                    per_channel(L.requant.shift, c), L.requant.lo, L.requant.hi);
}

// The samples [n0, n1) of a batch: each worker thread runs whole networks on its own samples.
struct Range {
  int64_t n0 = 0, n1 = 0;
};

std::vector<int32_t> weight_values(const IntLayer& L) {
  std::vector<int32_t> v(L.weights.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = L.weight_value(static_cast<int64_t>(i));
  return v;
}

// Output-stationary over one plane: for each weight, a row of products added to a row of
// accumulators, so the innermost loop runs over contiguous x and vectorises.
void conv(const IntLayer& L, const IntLayer& in, const IntTensor& x, IntTensor& y, Range r) {
  const int64_t cin_g = in.c / L.groups, cout_g = L.c / L.groups, k = L.kernel;
  const std::vector<int32_t> wv = weight_values(L);
  std::vector<int64_t> acc(static_cast<size_t>(L.h * L.w));
  for (int64_t n = r.n0; n < r.n1; ++n) {
    const int32_t* xs = x.values.data() + n * in.numel();
    int32_t* ys = y.values.data() + n * L.numel();
    for (int64_t oc = 0; oc < L.c; ++oc) {
      const int64_t g = oc / cout_g;
      std::fill(acc.begin(), acc.end(), L.bias.empty() ? 0 : L.bias[static_cast<size_t>(oc)]);
      for (int64_t ic = 0; ic < cin_g; ++ic) {
        const int32_t* plane = xs + (g * cin_g + ic) * in.h * in.w;
        for (int64_t ky = 0; ky < k; ++ky)
          for (int64_t kx = 0; kx < k; ++kx) {
            const int64_t w = wv[static_cast<size_t>(((oc * cin_g + ic) * k + ky) * k + kx)];
            if (w == 0) continue;
            // Output columns whose input column ox·stride − padding + kx lies inside the map
            // (outside is zero padding: the zero point is 0).
            int64_t ox0 = 0, ox1 = L.w;
            while (ox0 < ox1 && ox0 * L.stride - L.padding + kx < 0) ++ox0;
            while (ox1 > ox0 && (ox1 - 1) * L.stride - L.padding + kx >= in.w) --ox1;
            for (int64_t oy = 0; oy < L.h; ++oy) {
              const int64_t iy = oy * L.stride - L.padding + ky;
              if (iy < 0 || iy >= in.h) continue;
              const int32_t* row = plane + iy * in.w - L.padding + kx;
              int64_t* a = acc.data() + oy * L.w;
              if (L.stride == 1) {
                for (int64_t ox = ox0; ox < ox1; ++ox) a[ox] += w * row[ox];
              } else {
                for (int64_t ox = ox0; ox < ox1; ++ox) a[ox] += w * row[ox * L.stride];
              }
            }
          }
      }
      int32_t* out = ys + oc * L.h * L.w;
      for (int64_t i = 0; i < L.h * L.w; ++i) out[i] = finish(L, oc, acc[static_cast<size_t>(i)]);
    }
  }
}

void linear(const IntLayer& L, const IntLayer& in, const IntTensor& x, IntTensor& y, Range r) {
  const int64_t fan_in = in.numel();
  const std::vector<int32_t> wv = weight_values(L);
  for (int64_t n = r.n0; n < r.n1; ++n) {
    const int32_t* xs = x.values.data() + n * fan_in;
    for (int64_t o = 0; o < L.c; ++o) {
      const int32_t* w = wv.data() + o * fan_in;
      int64_t acc = L.bias.empty() ? 0 : L.bias[static_cast<size_t>(o)];
      for (int64_t i = 0; i < fan_in; ++i) acc += int64_t{w[i]} * xs[i];
      y.values[static_cast<size_t>(n * L.c + o)] = finish(L, o, acc);
    }
  }
}

void pool(const IntLayer& L, const IntLayer& in, const IntTensor& x, IntTensor& y, Range r) {
  const bool global = L.kernel == 0;
  const int64_t k = global ? in.h : L.kernel, kw = global ? in.w : L.kernel;
  const int64_t stride = global ? 1 : L.stride, pad = global ? 0 : L.padding;
  const bool is_max = L.op == IntOp::IntMaxPool;
  for (int64_t n = r.n0; n < r.n1; ++n)
    for (int64_t c = 0; c < L.c; ++c)
      for (int64_t oy = 0; oy < L.h; ++oy)
        for (int64_t ox = 0; ox < L.w; ++ox) {
          int64_t v = is_max ? std::numeric_limits<int64_t>::min() : 0;
          for (int64_t ky = 0; ky < k; ++ky)
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
              if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;  // padding ignored
              const int32_t xv = x.values[static_cast<size_t>(((n * in.c + c) * in.h + iy) * in.w + ix)];
              v = is_max ? std::max<int64_t>(v, xv) : v + xv;
            }
          y.values[static_cast<size_t>(((n * L.c + c) * L.h + oy) * L.w + ox)] = static_cast<int32_t>(v);
        }
}

void add(const IntLayer& L, const IntTensor& a, const IntTensor& b, IntTensor& y, Range r) {
  const int64_t plane = L.h * L.w;
  for (int64_t i = r.n0 * L.numel(); i < r.n1 * L.numel(); ++i) {
    const int64_t c = (i / plane) % L.c;
    const int64_t sum = int64_t{a.values[static_cast<size_t>(i)]} * per_channel(L.requant.m, c) +
                        int64_t{b.values[static_cast<size_t>(i)]} * per_channel(L.requant.m2, c) +
                        offset(L.requant, c);
    y.values[static_cast<size_t>(i)] =
        requantize(sum, per_channel(L.requant.shift, c), L.requant.lo, L.requant.hi);
  }
}

void run_layers(const IntegerModel& model, std::vector<IntTensor>& out, Range r) {
  for (size_t i = 1; i < model.layers.size(); ++i) {
    const IntLayer& L = model.layers[i];
    IntTensor& y = out[i];
    const IntLayer& src = model.layers[static_cast<size_t>(L.inputs.at(0))];
    const IntTensor& x = out[static_cast<size_t>(L.inputs[0])];
    switch (L.op) {
      case IntOp::IntConv: conv(L, src, x, y, r); break;
      case IntOp::IntLinear: linear(L, src, x, y, r); break;
      case IntOp::IntMaxPool:
      case IntOp::IntSumPool: pool(L, src, x, y, r); break;
      case IntOp::IntAdd: add(L, x, out[static_cast<size_t>(L.inputs.at(1))], y, r); break;
      case IntOp::IntInput: break;  // rejected before the threads start
    }
  }
}

int64_t max_abs(const IntLayer& L) { return std::max(std::llabs(L.min_value), std::llabs(L.max_value)); }

}  // namespace

std::vector<IntTensor> run_reference(const IntegerModel& model, const IntTensor& input) {
  require(!model.layers.empty(), "integer model '" + model.name + "' has no layers");
  const IntLayer& in = model.input();
  if (static_cast<int64_t>(input.values.size()) != input.n * in.numel())
    throw Error("input batch of " + std::to_string(input.values.size()) + " values is not " +
                std::to_string(input.n) + " samples of " + std::to_string(in.c) + "x" +
                std::to_string(in.h) + "x" + std::to_string(in.w));
  for (int32_t v : input.values)
    if (v < in.min_value || v > in.max_value)
      throw Error("input value " + std::to_string(v) + " outside the input range [" +
                  std::to_string(in.min_value) + ", " + std::to_string(in.max_value) + "]");
  std::vector<IntTensor> out(model.layers.size());
  out[0] = input;
  for (size_t i = 1; i < model.layers.size(); ++i) {
    const IntLayer& L = model.layers[i];
    if (L.op == IntOp::IntInput) throw Error("layer '" + L.name + "': a second input layer");
    out[i].n = input.n;
    out[i].values.assign(static_cast<size_t>(input.n * L.numel()), 0);
  }
  // Samples are independent: one contiguous share of the batch per hardware thread.
  const int64_t threads = std::max<int64_t>(
      1, std::min<int64_t>(input.n, std::thread::hardware_concurrency()));
  std::vector<std::thread> workers;
  for (int64_t t = 0; t < threads; ++t) {
    const Range r{input.n * t / threads, input.n * (t + 1) / threads};
    workers.emplace_back([&model, &out, r] { run_layers(model, out, r); });
  }
  for (auto& w : workers) w.join();
  return out;
}

std::vector<int64_t> predicted_classes(const IntegerModel& model, const IntTensor& output) {
  const IntLayer& L = model.output();
  const int64_t k = L.numel();
  std::vector<int64_t> classes;
  for (int64_t n = 0; n < output.n; ++n) {
    int64_t best = 0;
    double best_value = 0.0;
    for (int64_t c = 0; c < k; ++c) {
      const double v = output.values[static_cast<size_t>(n * k + c)] * per_channel(L.scale, c);
      if (c == 0 || v > best_value) best = c, best_value = v;
    }
    classes.push_back(best);
  }
  return classes;
}

void prove_accumulator_bounds(IntegerModel& model) {
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  for (size_t i = 1; i < model.layers.size(); ++i) {
    IntLayer& L = model.layers[i];
    const IntLayer& in = model.layers[static_cast<size_t>(L.inputs.at(0))];
    if (L.op == IntOp::IntConv || L.op == IntOp::IntLinear) {
      const int64_t per_out = static_cast<int64_t>(L.weights.size()) / L.c;
      int64_t bound = 0;
      for (int64_t o = 0; o < L.c; ++o) {
        int64_t sum_abs = 0;
        for (int64_t j = 0; j < per_out; ++j) sum_abs += std::llabs(L.weight_value(o * per_out + j));
        const int64_t b = L.bias.empty() ? 0 : std::llabs(L.bias[static_cast<size_t>(o)]);
        bound = std::max(bound, sum_abs * max_abs(in) + b);
      }
      if (bound > kMax)
        throw Error("layer '" + L.name + "': the int32 accumulator can reach " +
                    std::to_string(bound) + " (> 2^31 - 1) with these weights and inputs; use " +
                    "fewer activation or weight bits there");
      if (L.requant.requantized) {
        L.min_value = L.requant.lo, L.max_value = L.requant.hi;
      } else {
        L.min_value = -bound, L.max_value = bound;
      }
    } else if (L.op == IntOp::IntSumPool) {
      const int64_t window = L.kernel == 0 ? in.h * in.w : L.kernel * L.kernel;
      if (max_abs(in) * window > kMax)
        throw Error("layer '" + L.name + "': the sum pool can reach " +
                    std::to_string(max_abs(in) * window) + " (> 2^31 - 1)");
      L.min_value = std::min<int64_t>(0, in.min_value * window);
      L.max_value = std::max<int64_t>(0, in.max_value * window);
    } else if (L.op == IntOp::IntMaxPool) {
      L.min_value = in.min_value, L.max_value = in.max_value;
    } else if (L.op == IntOp::IntAdd) {
      L.min_value = L.requant.lo, L.max_value = L.requant.hi;
    }
  }
}

}  // namespace bitshift
