// How reproducible is the fake-quant simulation itself? For a quantized checkpoint, the top-1
// classes of the float32 simulation run in batches of 100 and in batches of 7 (different
// convolution algorithms, different float rounding), of the simulation in float64, and of the
// lowered integer model (reference executor). An integer-vs-simulation agreement below 100 % is
// the lowering's error only where the simulation agrees with itself.
// Usage: agreement_noise_bench CHECKPOINT [images=1000]
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "data/batcher.h"
#include "data/registry.h"
#include "integer/int_op.h"
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

// The graph tensor an integer layer's output stands for (its requantization folds the
// BatchNorm and ReLU after a conv or add).
int simulated_node(const Graph& g, int node) {
  for (;;) {
    const std::vector<int> next = g.consumers(node);
    if (next.size() != 1) return node;
    const OpKind k = g.node(next[0]).kind;
    if (k != OpKind::BatchNorm2d && k != OpKind::ReLU && k != OpKind::ReLU6 && k != OpKind::Clip)
      return node;
    node = next[0];
  }
}

// Per layer: the share of values differing from the simulation's codes when the layer is fed
// the simulation's codes of its inputs (the lowering's own error, no propagation).
void per_layer(QuantizedNetwork& net, const IntegerModel& im, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  const auto sim = net.model->forward_all(to_channels_last(x));
  const Graph& g = net.model->graph();
  std::vector<IntTensor> feed(im.layers.size());
  feed[0] = integer_input(net, im, x);
  for (size_t l = 1; l < im.layers.size(); ++l) {
    const IntLayer& L = im.layers[l];
    IntValues in;
    for (int i : L.inputs) in.push_back(&feed[static_cast<size_t>(i)]);
    feed[l].n = x.size(0);
    feed[l].values.assign(static_cast<size_t>(x.size(0) * L.numel()), 0);
    int_op_def(L.op).reference(L, int_inputs(im, L), in, feed[l], 0, x.size(0));
    const int node = g.find(L.name) < 0 ? -1 : simulated_node(g, g.find(L.name));
    if (node < 0 || L.scale.size() != 1 ||
        !(L.requantized_output() || L.op == IntOp::IntLookup || L.op == IntOp::IntSumPool))
      continue;
    const auto expected = torch::round(sim[node].contiguous().to(torch::kFloat64) / L.scale[0]).flatten();
    const auto got = torch::tensor(std::vector<int64_t>(feed[l].values.begin(), feed[l].values.end()))
                         .to(torch::kFloat64);
    const auto diff = (got - expected).abs();
    std::printf("  %-28s %-8s differ %.4f %%  max |diff| %.0f\n", L.name.c_str(), int_op_name(L.op),
                100.0 * (diff > 0).to(torch::kFloat64).mean().item<double>(),
                diff.max().item<double>());
    if (std::getenv("END_TO_END")) continue;  // keep the integers' own values: propagation
    const auto codes = expected.to(torch::kInt64);
    feed[l].values.assign(codes.data_ptr<int64_t>(), codes.data_ptr<int64_t>() + codes.numel());
  }
  // The logits: integer (value·scale) against the simulation's.
  const IntLayer& out = im.layers.back();
  const auto logits = sim[g.output()].contiguous().to(torch::kFloat64).flatten();
  auto ints = torch::tensor(std::vector<int64_t>(feed.back().values.begin(), feed.back().values.end()))
                  .to(torch::kFloat64);
  auto scale = torch::tensor(out.scale, torch::kFloat64);
  ints = (ints.view({x.size(0), -1}) * scale).flatten();
  std::printf("  logits: max |integer - simulated| %.4g, max |simulated| %.4g\n",
              (ints - logits).abs().max().item<double>(), logits.abs().max().item<double>());
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
    per_layer(net, im, b.get(0).x);
  }
  std::vector<int64_t> f64;
  try {
    net.model->to(torch::kFloat64);
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
