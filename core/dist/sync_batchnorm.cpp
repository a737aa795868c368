#include "dist/sync_batchnorm.h"

#include <torch/torch.h>

namespace bitshift {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

torch::Tensor per_channel(const torch::Tensor& v) { return v.view({1, -1, 1, 1}); }

// y = (x − mean)·invstd·γ + β with mean and variance over all replicas' rows. Gradients: the
// replicas' losses are combined as Σ share_r·L_r (share_r = rows_r / rows), which is what the
// gradient averaging does (dist/data_parallel.h); dx is the global objective's divided by this
// replica's share, so that the averaging's multiplication by it comes out right.
struct SyncBatchNormFn : torch::autograd::Function<SyncBatchNormFn> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor weight,
                               torch::Tensor bias, Replicas* replicas,
                               torch::nn::BatchNorm2dImpl* bn) {
    const double local = static_cast<double>(x.numel() / x.size(1));  // n·H·W
    std::vector<torch::Tensor> stats = {
        torch::cat({x.sum({0, 2, 3}).to(torch::kDouble), x.square().sum({0, 2, 3}).to(torch::kDouble),
                    torch::full({1}, local, torch::kDouble)})};
    replicas->all_reduce_sum(stats, "BatchNorm statistics all-reduce");
    const int64_t c = x.size(1);
    const double count = stats[0][2 * c].item<double>();
    const auto mean = stats[0].slice(0, 0, c) / count;
    const auto var = (stats[0].slice(0, c, 2 * c) / count - mean.square()).clamp_min(0.0);
    const auto invstd = (var + bn->options.eps()).rsqrt();
    {
      torch::NoGradGuard no_grad;
      bn->num_batches_tracked.add_(1);
      const double m = bn->options.momentum().has_value()
                           ? *bn->options.momentum()
                           : 1.0 / bn->num_batches_tracked.item<double>();  // cumulative average
      const auto unbiased = var * (count / std::max(count - 1.0, 1.0));
      bn->running_mean.mul_(1 - m).add_(mean.to(bn->running_mean.dtype()), m);
      bn->running_var.mul_(1 - m).add_(unbiased.to(bn->running_var.dtype()), m);
    }
    const auto mean_f = mean.to(x.scalar_type()), invstd_f = invstd.to(x.scalar_type());
    const auto xhat = (x - per_channel(mean_f)) * per_channel(invstd_f);
    ctx->save_for_backward({xhat, weight, invstd_f});
    ctx->saved_data["share"] = local / count;
    ctx->saved_data["local"] = local;
    ctx->saved_data["replicas"] = reinterpret_cast<int64_t>(replicas);  // outlives the step
    return xhat * per_channel(weight) + per_channel(bias);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &xhat = saved[0], &weight = saved[1], &invstd = saved[2];
    auto* replicas = reinterpret_cast<Replicas*>(ctx->saved_data["replicas"].toInt());
    const double share = ctx->saved_data["share"].toDouble(), local = ctx->saved_data["local"].toDouble();
    const auto dy = grads[0];
    const auto sum_dy = dy.sum({0, 2, 3}), sum_dy_xhat = (dy * xhat).sum({0, 2, 3});
    std::vector<torch::Tensor> global = {torch::cat({sum_dy, sum_dy_xhat}).to(torch::kDouble) * share};
    replicas->all_reduce_sum(global, "BatchNorm gradient all-reduce");
    const int64_t c = xhat.size(1);
    const auto g = (global[0] / local).to(dy.scalar_type());
    const auto dx = (dy - per_channel(g.slice(0, 0, c)) - xhat * per_channel(g.slice(0, c, 2 * c))) *
                    per_channel(weight * invstd);
    return {dx, sum_dy_xhat, sum_dy, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor sync_batch_norm(const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn, Replicas& replicas) {
  return SyncBatchNormFn::apply(x, bn.weight, bn.bias, &replicas, &bn);
}

}  // namespace bitshift
