// The quantizer parameter group's learning rate follows the schedule at its own scale.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/zoo.h"
#include "train/optimizer.h"

using namespace bitshift;

TEST(Optimizer, ExtraGroupRunsAtItsScaleOfTheScheduledRate) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  TrainConfig c;
  c.lr = 0.05;
  const auto extra = torch::ones({3}, torch::requires_grad());
  auto opt = make_optimizer(m, c, {extra}, 0.1);
  ASSERT_EQ(opt->param_groups().size(), 2u);
  EXPECT_DOUBLE_EQ(opt->param_groups()[0].options().get_lr(), 0.05);
  EXPECT_DOUBLE_EQ(opt->param_groups()[1].options().get_lr(), 0.005);
  set_learning_rate(*opt, 0.02, 0.1);
  EXPECT_DOUBLE_EQ(opt->param_groups()[0].options().get_lr(), 0.02);
  EXPECT_DOUBLE_EQ(opt->param_groups()[1].options().get_lr(), 0.002);
}

TEST(Optimizer, ExtraGroupTakesTheGlobalWeightDecayOnlyWhenAsked) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  TrainConfig c;
  c.weight_decay = 4e-5;
  const auto extra = torch::ones({1}, torch::requires_grad());
  auto sgd = [](torch::optim::Optimizer& o, size_t g) {
    return static_cast<torch::optim::SGDOptions&>(o.param_groups()[g].options()).weight_decay();
  };
  auto without = make_optimizer(m, c, {extra}, 1.0, false);
  EXPECT_DOUBLE_EQ(sgd(*without, 1), 0.0);
  auto with = make_optimizer(m, c, {extra}, 1.0, true);
  EXPECT_DOUBLE_EQ(sgd(*with, 1), 4e-5);
  EXPECT_DOUBLE_EQ(sgd(*with, 0), 4e-5);
}
