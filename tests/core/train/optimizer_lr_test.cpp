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
