#include "integer/agreement.h"

#include <torch/torch.h>

#include <map>

#include "data/batcher.h"
#include "util/error.h"
#include "integer/lowering.h"
#include "integer/reference_executor.h"

namespace bitshift {

namespace {

// The simulation's top-1 classes over every batch in float64 (Float64Simulation); empty when an
// op has no float64 kernel.
std::vector<int64_t> float64_classes(QuantizedNetwork& net, Batcher& batcher) {
  const Float64Simulation f64(net);
  std::vector<int64_t> out;
  try {
    for (int64_t i = 0; i < batcher.num_batches(); ++i) {
      const auto x = to_channels_last(batcher.get(i).x.to(torch::kFloat64));
      const auto c = net.model->forward(x).argmax(1).contiguous();
      for (int64_t n = 0; n < c.size(0); ++n) out.push_back(c[n].item<int64_t>());
    }
  } catch (const std::exception&) {
    return {};
  }
  return out;
}

}  // namespace

// float32 -> float64 -> float32 is exact, so the model comes back unchanged.
Float64Simulation::Float64Simulation(QuantizedNetwork& net) : net_(net) {
  std::map<int, torch::Tensor> quantized;
  for (int node : net.hooks->quantized_layers())
    quantized[node] = net.hooks->weight(node, net.model->weight(node)).detach().clone();
  net.hooks->freeze_weights(std::move(quantized));
  net.model->to(torch::kFloat64);
}

Float64Simulation::~Float64Simulation() {
  net_.model->to(torch::kFloat32);
  net_.hooks->freeze_weights({});
}

Agreement measure_agreement(QuantizedNetwork& net, const IntegerModel& model, const Dataset& data,
                            const Normalization& norm, int64_t limit,
                            const IntegerRunner& runner, bool float64,
                            const AgreementProgress& progress) {
  torch::NoGradGuard no_grad;
  const bool was_training = net.model->is_training();
  net.model->eval();
  const Dataset subset = limit > 0 ? data.head(limit) : data;
  BatchConfig bc;
  bc.batch_size = 100;
  bc.shuffle = false;
  Batcher batcher(subset, norm, bc);
  batcher.start_epoch(0);
  Agreement a;
  int64_t sim_hits = 0, int_hits = 0, same = 0;
  std::vector<int64_t> integer_classes;
  for (int64_t i = 0; i < batcher.num_batches(); ++i) {
    const Batch b = batcher.get(i);
    const auto sim = net.model->forward(to_channels_last(b.x)).argmax(1);
    const IntTensor input = integer_input(net, model, b.x);
    const IntTensor logits = runner ? runner(input) : run_reference(model, input).back();
    const auto classes = predicted_classes(model, logits);
    integer_classes.insert(integer_classes.end(), classes.begin(), classes.end());
    const auto labels = b.y.contiguous();
    for (int64_t n = 0; n < b.y.size(0); ++n) {
      const int64_t s = sim[n].item<int64_t>(), label = labels[n].item<int64_t>();
      sim_hits += s == label;
      int_hits += classes[n] == label;
      same += classes[n] == s;
    }
    a.images += b.y.size(0);
    if (progress && !progress(a.images, subset.size())) {
      net.model->train(was_training);
      throw Error("cancelled");
    }
  }
  if (float64) {
    const std::vector<int64_t> exact = float64_classes(net, batcher);
    if (exact.size() == integer_classes.size() && !exact.empty()) {
      a.float64_images = a.images;
      int64_t exact_same = 0;
      for (size_t i = 0; i < exact.size(); ++i) exact_same += exact[i] == integer_classes[i];
      a.float64_agreement = 100.0 * static_cast<double>(exact_same) / static_cast<double>(a.images);
      a.float64_disagreements = a.images - exact_same;
    }
  }
  net.model->train(was_training);
  if (a.images > 0) {
    const double n = static_cast<double>(a.images);
    a.simulated_top1 = 100.0 * static_cast<double>(sim_hits) / n;
    a.integer_top1 = 100.0 * static_cast<double>(int_hits) / n;
    a.agreement = 100.0 * static_cast<double>(same) / n;
    a.disagreements = a.images - same;
  }
  return a;
}

}  // namespace bitshift
