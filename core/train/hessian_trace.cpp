#include "train/hessian_trace.h"

#include <torch/torch.h>

#include <vector>

#include "data/batcher.h"

namespace bitshift {

std::map<int, double> hessian_traces(GraphModule model, const Dataset& data,
                                     const Normalization& norm, int samples, uint64_t seed) {
  const Graph& g = model->graph();
  const std::vector<int> layers = g.weight_layers();
  std::vector<torch::Tensor> weights;
  for (int l : layers) weights.push_back(model->weight(l));
  const bool was_training = model->is_training();
  model->eval();  // BatchNorm on its running statistics, as the quantized network is scored

  BatchConfig bc;
  bc.batch_size = 128;
  bc.shuffle = false;
  Batcher b(data, norm, bc);
  b.start_epoch(0);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<double> sum(layers.size(), 0.0);
  for (int64_t i = 0; i < b.num_batches(); ++i) {
    const Batch batch = b.get(i);
    const double share = static_cast<double>(batch.y.size(0)) / static_cast<double>(data.size());
    const torch::Tensor loss =
        torch::nn::functional::cross_entropy(model->forward(to_channels_last(batch.x)), batch.y);
    const auto grads = torch::autograd::grad({loss}, weights, {}, /*retain_graph=*/true,
                                             /*create_graph=*/true);
    for (int s = 0; s < samples; ++s) {
      std::vector<torch::Tensor> v;
      for (const auto& w : weights)
        v.push_back(torch::randint(0, 2, w.sizes(), gen, w.options()).mul_(2).sub_(1));
      torch::Tensor gv = torch::zeros({}, loss.options());
      for (size_t k = 0; k < weights.size(); ++k) gv = gv + (grads[k] * v[k]).sum();
      const auto hv = torch::autograd::grad({gv}, weights, {}, /*retain_graph=*/true);
      for (size_t k = 0; k < weights.size(); ++k)
        sum[k] += share * (hv[k] * v[k]).sum().item<double>() / samples;
    }
  }
  model->train(was_training);
  std::map<int, double> out;
  for (size_t k = 0; k < layers.size(); ++k) out[layers[k]] = sum[k];
  return out;
}

}  // namespace bitshift
