#include "integer/reference_executor.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>
#include <thread>

#include "integer/int_op.h"
#include "integer/ops/op_common.h"
#include "util/error.h"

namespace bitshift {

namespace {

// Runs every layer on samples [n0, n1): each worker thread runs whole networks on its own share.
void run_layers(const IntegerModel& model, std::vector<IntTensor>& out, int64_t n0, int64_t n1) {
  for (size_t i = 1; i < model.layers.size(); ++i) {
    const IntLayer& L = model.layers[i];
    IntValues x;
    for (int in : L.inputs) x.push_back(&out[static_cast<size_t>(in)]);
    int_op_def(L.op).reference(L, int_inputs(model, L), x, out[i], n0, n1);
  }
}

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
    const int64_t n0 = input.n * t / threads, n1 = input.n * (t + 1) / threads;
    workers.emplace_back([&model, &out, n0, n1] { run_layers(model, out, n0, n1); });
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
      const double v = output.values[static_cast<size_t>(n * k + c)] * int_ops::per_channel(L.scale, c);
      if (c == 0 || v > best_value) best = c, best_value = v;
    }
    classes.push_back(best);
  }
  return classes;
}

void prove_accumulator_bounds(IntegerModel& model) {
  try {
    prove_int_ranges(model);
  } catch (const std::runtime_error& e) {
    throw Error(e.what());
  }
}

}  // namespace bitshift
