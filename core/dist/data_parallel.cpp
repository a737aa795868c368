#include "dist/data_parallel.h"

#include <torch/torch.h>

#include <unordered_set>

#include "util/error.h"

namespace bitshift {

std::vector<torch::Tensor> module_state(const torch::nn::Module& module) {
  std::vector<torch::Tensor> out;
  std::unordered_set<const void*> seen;
  for (const auto& t : module.parameters())
    if (seen.insert(t.unsafeGetTensorImpl()).second) out.push_back(t);
  for (const auto& t : module.buffers())
    if (t.defined() && seen.insert(t.unsafeGetTensorImpl()).second) out.push_back(t);
  return out;
}

void average_gradients(Replicas& replicas, const std::vector<torch::Tensor>& parameters,
                       double share, int64_t bucket_bytes) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> bucket;
  int64_t bytes = 0;
  auto flush = [&] {
    if (bucket.empty()) return;
    replicas.all_reduce_sum(bucket, "gradient all-reduce");
    bucket.clear();
    bytes = 0;
  };
  std::unordered_set<const void*> seen;
  for (const auto& p : parameters) {
    if (!seen.insert(p.unsafeGetTensorImpl()).second) continue;
    auto g = p.grad();
    if (!g.defined()) continue;
    g.mul_(share);
    const int64_t b = g.numel() * static_cast<int64_t>(g.element_size());
    if (bytes + b > bucket_bytes) flush();
    bucket.push_back(g);
    bytes += b;
  }
  flush();
}

void average_float_buffers(Replicas& replicas, const torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> buffers;
  for (const auto& b : module.buffers())
    if (b.defined() && b.is_floating_point()) buffers.push_back(b);
  replicas.all_reduce_sum(buffers, "running statistics all-reduce");
  for (auto& b : buffers) b.div_(replicas.size());
}

void broadcast_state(Replicas& replicas, const std::vector<torch::Tensor>& tensors,
                     const std::string& what) {
  // One collective per dtype (float parameters, int64 step counters, ...).
  std::vector<c10::ScalarType> types;
  for (const auto& t : tensors)
    if (std::find(types.begin(), types.end(), t.scalar_type()) == types.end()) types.push_back(t.scalar_type());
  for (auto type : types) {
    std::vector<torch::Tensor> group;
    for (const auto& t : tensors)
      if (t.scalar_type() == type) group.push_back(t);
    replicas.broadcast(group, 0, what);
  }
}

uint64_t state_fingerprint(const std::vector<torch::Tensor>& state) {
  uint64_t h = 1469598103934665603ULL;
  for (const auto& t : state) {
    const auto c = t.detach().contiguous();
    const auto* p = static_cast<const unsigned char*>(c.data_ptr());
    const size_t n = static_cast<size_t>(c.numel()) * c.element_size();
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  }
  return h;
}

void check_replicas_agree(Replicas& replicas, const std::vector<torch::Tensor>& state,
                          const std::string& when) {
  const uint64_t mine = state_fingerprint(state);
  auto t = torch::tensor({static_cast<int64_t>(mine)}, torch::kInt64);
  const auto all = replicas.all_gather(t, "state check");
  const int64_t* v = all.data_ptr<int64_t>();
  for (int r = 1; r < replicas.size(); ++r)
    require(v[r] == v[0], "replica " + std::to_string(r) + "'s parameters differ from rank 0's " + when +
                              " (data-parallel replicas must stay bit-identical)");
}

}  // namespace bitshift
