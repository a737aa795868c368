// FP32 training on real Fashion-MNIST subsets: learning, determinism, cancel, schedules.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "data/registry.h"
#include "models/zoo.h"
#include "train/evaluate.h"
#include "train/trainer.h"

using namespace bitshift;

namespace {

const DatasetPair& fashion() {
  static const DatasetPair data = open_dataset("fashion-mnist");
  return data;
}

TrainConfig small_config() {
  TrainConfig c;
  c.epochs = 1;
  c.train_limit = 1024;
  c.test_limit = 500;
  c.batch_size = 64;
  c.optimizer = OptimizerKind::OptimizerAdam;
  c.lr = 2e-3;
  c.weight_decay = 0.0;
  c.threads = 2;
  return c;
}

}  // namespace

TEST(Train, LeNet5LearnsFashionMnistFarAboveChance) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  TrainConfig c = small_config();
  c.epochs = 2;
  c.train_limit = 4096;
  auto r = train(m, fashion(), c);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->history.size(), 2u);
  // Chance is 10 %; two epochs on 4k images reach well above 65 % on the first 500 test images.
  EXPECT_GT(r->history.back().test_top1, 65.0);
  EXPECT_LT(r->history.back().train_loss, r->history.front().train_loss);
}

TEST(Train, SameSeedGivesBitIdenticalWeights) {
  auto run = [](uint64_t seed) {
    GraphModule m(lenet5(Shape{1, 28, 28}, 10), seed);
    TrainConfig c = small_config();
    c.seed = seed;
    c.crop_padding = 2;
    c.horizontal_flip = true;
    EXPECT_TRUE(train(m, fashion(), c).ok());
    return m->weight(m->graph().find("conv2")).clone();
  };
  const auto a = run(7), b = run(7), other = run(8);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, other));
}

TEST(Train, CancelFromProgressStopsBeforeTheEpochEnds) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  int calls = 0;
  auto r = train(m, fashion(), small_config(), [&](const TrainSnapshot&) { return ++calls < 2; });
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r->cancelled);
  EXPECT_TRUE(r->history.empty());
  EXPECT_EQ(calls, 2);
}

TEST(Train, SnapshotsCountStepsAndEndEachEpoch) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  TrainConfig c = small_config();
  c.epochs = 2;
  int64_t last_step = 0, steps_total = 0;
  int epoch_ends = 0;
  auto r = train(m, fashion(), c, [&](const TrainSnapshot& s) {
    EXPECT_GE(s.step, last_step);
    last_step = s.step;
    steps_total = s.steps_total;
    epoch_ends += s.epoch_end ? 1 : 0;
    return true;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(steps_total, 2 * (1024 / 64));
  EXPECT_EQ(last_step, steps_total);
  EXPECT_EQ(epoch_ends, 2);
}

TEST(Train, BadConfigIsRejectedNamingTheField) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  TrainConfig c = small_config();
  c.lr = -1.0;
  auto r = train(m, fashion(), c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("learning rate"), std::string::npos) << r.error();
}

TEST(Schedule, CosineStartsAtLrHalvesMidwayEndsAtZero) {
  TrainConfig c;
  c.lr = 0.1;
  c.epochs = 10;
  c.schedule = LrSchedule::LrCosine;
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 0.0), 0.1);
  EXPECT_NEAR(learning_rate_at(c, 5.0), 0.05, 1e-15);
  EXPECT_NEAR(learning_rate_at(c, 10.0), 0.0, 1e-15);
}

TEST(Schedule, StepDecaysEveryStepSizeEpochs) {
  TrainConfig c;
  c.lr = 0.1;
  c.schedule = LrSchedule::LrStep;
  c.step_size = 3;
  c.gamma = 0.5;
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 2.9), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 3.0), 0.05);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 6.5), 0.025);
}

TEST(Evaluate, CountsTopOneAndTopFiveByHand) {
  // Row 0: label 0 is the arg-max. Row 1: label 5 is ranked 2nd. Row 2: label 6 is last.
  auto logits = torch::tensor({{9.f, 1.f, 2.f, 3.f, 4.f, 5.f, 0.f},
                               {1.f, 2.f, 3.f, 4.f, 9.f, 8.f, 0.f},
                               {7.f, 6.f, 5.f, 4.f, 3.f, 2.f, 1.f}});
  auto labels = torch::tensor({0, 5, 6}, torch::kLong);
  const TopK c = count_correct(logits, labels);
  EXPECT_EQ(c.top1, 1);
  EXPECT_EQ(c.top5, 2);
}

TEST(Train, ADivergingRunStopsNamingTheStepAndSavesNothing) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  TrainConfig c = small_config();
  c.optimizer = OptimizerKind::OptimizerSgd;
  c.lr = 1e12;  // the first steps throw the weights to infinity
  c.checkpoint_path = std::string(BITSHIFT_TEST_TMP) + "/diverged.bsck";
  std::remove(c.checkpoint_path.c_str());
  auto r = train(m, fashion(), c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("training diverged: the loss became"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("of epoch 1"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("lower the learning rate (--lr)"), std::string::npos) << r.error();
  EXPECT_FALSE(std::ifstream(c.checkpoint_path).good());
}
