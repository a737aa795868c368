#include "train/evaluate.h"

#include <torch/torch.h>

#include <chrono>

#include "data/batcher.h"
#include "train/device.h"

namespace bitshift {

TopK count_correct(const torch::Tensor& logits, const torch::Tensor& labels) {
  const int64_t k = std::min<int64_t>(5, logits.size(1));
  auto topk = std::get<1>(logits.topk(k, 1));             // [B, k]
  auto hits = topk.eq(labels.unsqueeze(1));               // [B, k]
  TopK out;
  out.top1 = hits.select(1, 0).sum().item<int64_t>();
  out.top5 = hits.any(1).sum().item<int64_t>();
  return out;
}

EvalResult evaluate(GraphModule& model, const Dataset& data, const Normalization& norm,
                    int64_t batch_size, Replicas* replicas) {
  const auto start = std::chrono::steady_clock::now();
  const bool was_training = model->is_training();
  model->eval();
  torch::NoGradGuard no_grad;
  BatchConfig bc;
  bc.batch_size = batch_size;
  bc.shuffle = false;
  if (replicas != nullptr) {
    bc.shard_rank = replicas->rank();
    bc.shard_count = replicas->size();
  }
  Batcher batcher(data, norm, bc);
  batcher.start_epoch(0);
  const torch::Device device = device_of(*model);
  EvalResult r;
  double loss_sum = 0.0;
  int64_t top1 = 0, top5 = 0;
  for (int64_t i = 0; i < batcher.num_batches(); ++i) {
    Batch b = batcher.get(i);
    if (b.y.size(0) == 0) continue;  // a replica's share of a last batch smaller than the world
    b.x = b.x.to(device);
    b.y = b.y.to(device);
    auto logits = model->forward(to_channels_last(b.x));
    loss_sum += torch::cross_entropy_loss(logits, b.y, {}, at::Reduction::Sum).item<double>();
    const TopK c = count_correct(logits, b.y);
    top1 += c.top1;
    top5 += c.top5;
    r.images += b.y.size(0);
  }
  model->train(was_training);
  if (replicas != nullptr && replicas->size() > 1) {
    std::vector<torch::Tensor> totals = {torch::tensor(
        {loss_sum, static_cast<double>(top1), static_cast<double>(top5), static_cast<double>(r.images)},
        torch::kDouble)};
    replicas->all_reduce_sum(totals, "evaluation all-reduce");
    const auto t = totals[0];
    loss_sum = t[0].item<double>();
    top1 = static_cast<int64_t>(t[1].item<double>());
    top5 = static_cast<int64_t>(t[2].item<double>());
    r.images = static_cast<int64_t>(t[3].item<double>());
  }
  if (r.images > 0) {
    r.top1 = 100.0 * static_cast<double>(top1) / static_cast<double>(r.images);
    r.top5 = 100.0 * static_cast<double>(top5) / static_cast<double>(r.images);
    r.loss = loss_sum / static_cast<double>(r.images);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace bitshift
