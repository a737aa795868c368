// How reproducible is the fake-quant simulation itself? For a quantized checkpoint, the top-1
// classes of the float32 simulation run in batches of 100 and in batches of 7 (different
// convolution algorithms, different float rounding), of the simulation in float64, and of the
// lowered integer model (reference executor). An integer-vs-simulation agreement below 100 % is
// the lowering's error only where the simulation agrees with itself.
// Usage: [PER_LAYER=1 [END_TO_END=1] [FLOAT64_LAYERS=1]] agreement_noise_bench CHECKPOINT [images=1000]
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "data/batcher.h"
#include "data/registry.h"
#include "integer/agreement.h"
#include "integer/int_op.h"
#include "integer/layer_agreement.h"
#include "integer/lowering.h"
#include "integer/reference_executor.h"
#include "train/model_source.h"

using namespace bitshift;

namespace {

std::vector<int64_t> classes_of(QuantizedNetwork& net, const Dataset& data,
                                const Normalization& norm, int64_t batch, bool float64) {
  BatchConfig bc;
  bc.batch_size = batch;
  bc.shuffle = false;
  Batcher b(data, norm, bc);
  b.start_epoch(0);
  std::vector<int64_t> out;
  torch::NoGradGuard no_grad;
  for (int64_t i = 0; i < b.num_batches(); ++i) {
    auto x = to_channels_last(b.get(i).x);
    if (float64) x = x.to(torch::kFloat64);
    const auto c = net.model->forward(x).argmax(1).contiguous();
    for (int64_t n = 0; n < c.size(0); ++n) out.push_back(c[n].item<int64_t>());
  }
  return out;
}

double same(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  int64_t s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] == b[i];
  return 100.0 * static_cast<double>(s) / static_cast<double>(a.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: agreement_noise_bench CHECKPOINT [images]\n");
    return 2;
  }
  const int64_t images = argc > 2 ? std::stoll(argv[2]) : 1000;
  LoadedModel lm = load_model(argv[1], open_dataset("fashion-mnist"), "fashion-mnist");
  QuantizedNetwork& net = lm.quantized_network;
  net.model->eval();
  const Dataset data = lm.data.test.head(images);
  const auto f32_100 = classes_of(net, data, lm.normalization, 100, false);
  const auto f32_7 = classes_of(net, data, lm.normalization, 7, false);
  const IntegerModel im = lower(net);
  std::vector<int64_t> ints;
  {
    BatchConfig bc;
    bc.batch_size = 100;
    bc.shuffle = false;
    Batcher b(data, lm.normalization, bc);
    b.start_epoch(0);
    for (int64_t i = 0; i < b.num_batches(); ++i) {
      const auto c = predicted_classes(im, run_reference(im, integer_input(net, im, b.get(i).x)).back());
      ints.insert(ints.end(), c.begin(), c.end());
    }
  }
  if (std::getenv("PER_LAYER")) {
    BatchConfig bc;
    bc.batch_size = 32;
    bc.shuffle = false;
    Batcher b(data, lm.normalization, bc);
    b.start_epoch(0);
    auto x = b.get(0).x;
    // FLOAT64_LAYERS=1: against the simulation's codes evaluated in float64.
    std::optional<Float64Simulation> f64;
    if (std::getenv("FLOAT64_LAYERS")) f64.emplace(net), x = x.to(torch::kFloat64);
    const auto layers = layer_agreement(net, im, x, !std::getenv("END_TO_END"));
    f64.reset();
    for (const LayerAgreement& a : layers)
      std::printf("  %-28s %-8s differ %.4f %%  max |diff| %lld\n", a.name.c_str(),
                  int_op_name(a.op), 100.0 * a.differing, static_cast<long long>(a.max_diff));
  }
  std::vector<int64_t> f64;
  try {
    const Float64Simulation in_float64(net);
    f64 = classes_of(net, data, lm.normalization, 100, true);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "float64 simulation failed: %s\n", e.what());
  }
  std::printf("%s, %lld test images: same top-1 class %%\n", argv[1], (long long)images);
  std::printf("  float32 batch 100 vs float32 batch 7: %.2f\n", same(f32_100, f32_7));
  std::printf("  integer vs float32 batch 100:         %.2f\n", same(ints, f32_100));
  std::printf("  integer vs float32 batch 7:           %.2f\n", same(ints, f32_7));
  if (!f64.empty()) {
    std::printf("  float64 vs float32 batch 100:         %.2f\n", same(f64, f32_100));
    std::printf("  integer vs float64:                   %.2f\n", same(ints, f64));
  }
  return 0;
}
