// BatchNorm over replicas' rows against one BatchNorm holding the whole batch: outputs, running
// statistics, and gradients (input, γ, β) once the replicas' gradients are averaged.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "dist/data_parallel.h"
#include "dist/sync_batchnorm.h"
#include "replica_threads.h"

using namespace bitshift;
using bitshift::testing::with_replicas;

namespace {

constexpr double kFloatTolerance = 1e-5;  // float32 sums taken in another order

struct BnRun {
  torch::Tensor y, dx, dgamma, dbeta, running_mean, running_var;
};

// The objective: mean over rows i of sum(y_i · R_i), R fixed.
torch::Tensor objective(const torch::Tensor& y, const torch::Tensor& r) {
  return (y * r).sum({1, 2, 3}).mean();
}

torch::nn::BatchNorm2d make_bn() {
  torch::nn::BatchNorm2d bn(torch::nn::BatchNorm2dOptions(3));
  torch::NoGradGuard g;
  bn->weight.copy_(torch::tensor({0.5, 1.5, -2.0}));
  bn->bias.copy_(torch::tensor({0.1, -0.2, 0.3}));
  return bn;
}

}  // namespace

TEST(SyncBatchNorm, ReplicasNormaliseAndLearnAsOneProcessWithTheWholeBatch) {
  torch::manual_seed(3);
  const auto x = torch::randn({7, 3, 4, 5}) * 2.0 + 1.0;  // 7 rows: replicas get 3 and 4
  const auto r = torch::randn({7, 3, 4, 5});

  BnRun one;
  {
    auto bn = make_bn();
    bn->train();
    auto xi = x.clone().requires_grad_();
    auto y = bn->forward(xi);
    objective(y, r).backward();
    one = {y.detach(), xi.grad(), bn->weight.grad(), bn->bias.grad(), bn->running_mean.clone(),
           bn->running_var.clone()};
  }
  std::vector<BnRun> parts(2);
  with_replicas(2, [&](Replicas& rep) {
    const RowRange rows = rows_of(7, rep.rank(), 2);
    auto bn = make_bn();
    bn->train();
    auto xi = x.slice(0, rows.begin, rows.end).clone().requires_grad_();
    auto y = sync_batch_norm(xi, *bn, rep);
    objective(y, r.slice(0, rows.begin, rows.end)).backward();
    const double share = static_cast<double>(rows.end - rows.begin) / 7.0;
    average_gradients(rep, bn->parameters(), share);
    // The replica's input gradient is the whole objective's divided by its share.
    parts[rep.rank()] = {y.detach(), xi.grad() * share, bn->weight.grad(), bn->bias.grad(),
                         bn->running_mean.clone(), bn->running_var.clone()};
  });
  EXPECT_TRUE(torch::allclose(torch::cat({parts[0].y, parts[1].y}), one.y, kFloatTolerance, kFloatTolerance));
  EXPECT_TRUE(torch::allclose(torch::cat({parts[0].dx, parts[1].dx}), one.dx, kFloatTolerance, kFloatTolerance));
  for (const auto& p : parts) {
    EXPECT_TRUE(torch::allclose(p.dgamma, one.dgamma, kFloatTolerance, kFloatTolerance)) << p.dgamma << one.dgamma;
    EXPECT_TRUE(torch::allclose(p.dbeta, one.dbeta, kFloatTolerance, kFloatTolerance));
    EXPECT_TRUE(torch::allclose(p.running_mean, one.running_mean, kFloatTolerance, kFloatTolerance));
    EXPECT_TRUE(torch::allclose(p.running_var, one.running_var, kFloatTolerance, kFloatTolerance));
  }
  // Without the sync each replica normalises its own rows: visibly different.
  auto alone = make_bn();
  alone->train();
  EXPECT_FALSE(torch::allclose(alone->forward(x.slice(0, 0, 3)), one.y.slice(0, 0, 3), 1e-3, 1e-3));
}
