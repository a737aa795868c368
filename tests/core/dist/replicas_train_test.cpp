// Replicas (threads joined over 127.0.0.1) against one process on the same global batches:
// quantizer initialisations and FP32 training of LeNet-5 (BatchNorm included) on real
// Fashion-MNIST. QAT, whose noise draws from LibTorch's process-wide generator, runs as real
// processes (processes_test.cpp).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>

#include "data/batcher.h"
#include "data/registry.h"
#include "dist/data_parallel.h"
#include "models/zoo.h"
#include "quant/method.h"
#include "quant/quantized_network.h"
#include "replica_threads.h"
#include "train/model_source.h"
#include "train/qat_session.h"
#include "train/trainer.h"

using namespace bitshift;
using bitshift::testing::with_replicas;

namespace {

// Initialisations from the same images summed in another order (the batch split changes how
// convolutions block their sums).
constexpr double kInitTolerance = 1e-5;
// A rows-only calibration misses half the batch: its statistics move by far more than this.
constexpr double kUnsyncedAtLeast = 1e-3;

const DatasetPair& fashion() {
  static const DatasetPair data = open_dataset("fashion-mnist");
  return data;
}

// Every quantizer's trace values (clamps, steps, ...) in a fixed order.
std::vector<double> trace_values(const QuantizedNetwork& net) {
  std::vector<double> out;
  for (int layer : net.hooks->quantized_layers())
    for (const auto& [name, v] : net.hooks->weight_quantizer(layer)->trace()) out.push_back(v);
  for (const auto& s : net.hooks->sites())
    for (const auto& [name, v] : net.hooks->activation_quantizer(s.node)->trace()) out.push_back(v);
  return out;
}

double max_relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0.0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(std::abs(b[i]), 1e-12));
  return worst;
}

// Rows [rank's share] of the first 4 batches of 64 training images (all rows when world = 1).
std::vector<torch::Tensor> calibration_rows(int rank, int world) {
  BatchConfig bc;
  bc.batch_size = 64;
  bc.shuffle = false;
  bc.shard_rank = rank;
  bc.shard_count = world;
  Batcher b(fashion().train.head(256), fashion().normalization, bc);
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < b.num_batches(); ++i) out.push_back(to_channels_last(b.get(i).x));
  return out;
}

QuantizedNetwork lenet5_with(const std::string& method) {
  DatasetPair data = fashion();
  LoadedModel m = load_model("lenet5", data, "fashion-mnist");
  return attach_quantizers(m.module, make_plan(m.module->graph(), method, "w4a4"));
}

}  // namespace

class ReplicaCalibration : public ::testing::TestWithParam<std::string> {};

TEST_P(ReplicaCalibration, EveryReplicaStartsFromTheWholeBatchsStatistics) {
  torch::set_num_threads(1);
  QuantizedNetwork one = lenet5_with(GetParam());
  calibrate(one, calibration_rows(0, 1));
  const auto expected = trace_values(one);

  std::vector<std::vector<double>> synced(2), unsynced(2);
  with_replicas(2, [&](Replicas& r) {
    QuantizedNetwork net = lenet5_with(GetParam());
    net.hooks->set_replicas(&r);
    calibrate(net, calibration_rows(r.rank(), 2));
    synced[r.rank()] = trace_values(net);
    QuantizedNetwork alone = lenet5_with(GetParam());  // what a replica would do on its own
    calibrate(alone, calibration_rows(r.rank(), 2));
    unsynced[r.rank()] = trace_values(alone);
  });
  for (int r = 0; r < 2; ++r) {
    EXPECT_LT(max_relative_difference(synced[r], expected), kInitTolerance) << "rank " << r;
    // The test can fail: without the gather, the initialisations follow each replica's rows.
    EXPECT_GT(max_relative_difference(unsynced[r], expected), kUnsyncedAtLeast) << "rank " << r;
  }
}

INSTANTIATE_TEST_SUITE_P(Methods, ReplicaCalibration, ::testing::Values("nice", "lsq", "uniq", "minmax"));

namespace {

// After 8 steps from a random start the weights of the replicas and of one process differ
// only by float summation order, amplified by training (seen: 7e-5 on weights of order 0.1-1).
constexpr double kFp32WeightTolerance = 5e-4;

TrainConfig short_run() {
  TrainConfig c;
  c.epochs = 1;
  c.train_limit = 512;
  c.test_limit = 500;
  c.batch_size = 64;
  c.lr = 0.02;
  c.threads = 1;
  c.crop_padding = 2;
  c.horizontal_flip = true;
  return c;
}

double max_abs_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0.0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    worst = std::max(worst, (a[i].to(torch::kDouble) - b[i].to(torch::kDouble)).abs().max().item<double>());
  return worst;
}

std::vector<torch::Tensor> snapshot(const torch::nn::Module& m) {
  std::vector<torch::Tensor> out;
  for (const auto& t : module_state(m)) out.push_back(t.detach().clone());
  return out;
}

}  // namespace

TEST(ReplicaTraining, TwoReplicasTrainLeNet5AsOneProcess) {
  GraphModule one(lenet5(Shape{1, 28, 28}, 10));
  auto single = train(one, fashion(), short_run());
  ASSERT_TRUE(single.ok()) << single.error();
  const auto expected = snapshot(*one);

  std::vector<std::vector<torch::Tensor>> got(2);
  std::vector<double> top1(2);
  // Made here, not in the threads: initialisation draws from LibTorch's one global generator.
  std::vector<GraphModule> models = {GraphModule(lenet5(Shape{1, 28, 28}, 10)),
                                     GraphModule(lenet5(Shape{1, 28, 28}, 10))};
  with_replicas(2, [&](Replicas& r) {
    GraphModule& m = models[r.rank()];
    TrainConfig c = short_run();
    c.replicas = std::shared_ptr<Replicas>(&r, [](Replicas*) {});
    auto run = train(m, fashion(), c);
    if (!run.ok()) throw Error(run.error());
    got[r.rank()] = snapshot(*m);
    top1[r.rank()] = run->history.back().test_top1;
  });
  std::printf("fp32 weights: max |replica - one| = %.3g\n", max_abs_difference(got[0], expected));
  EXPECT_LT(max_abs_difference(got[0], expected), kFp32WeightTolerance);
  EXPECT_EQ(state_fingerprint(got[0]), state_fingerprint(got[1]));  // replicas: bit-identical
  EXPECT_NEAR(top1[0], single->history.back().test_top1, 0.2);
}

TEST(ReplicaTraining, LocalBatchNormKeepsReplicasIdenticalWithoutPerLayerCollectives) {
  auto run_replicas = [](bool sync) {
    std::vector<std::vector<torch::Tensor>> got(2);
    std::vector<double> top1(2);
    std::vector<GraphModule> models = {GraphModule(lenet5(Shape{1, 28, 28}, 10)),
                                       GraphModule(lenet5(Shape{1, 28, 28}, 10))};
    with_replicas(2, [&](Replicas& r) {
      TrainConfig c = short_run();
      c.replicas = std::shared_ptr<Replicas>(&r, [](Replicas*) {});
      c.sync_batchnorm = sync;
      auto run = train(models[r.rank()], fashion(), c);
      if (!run.ok()) throw Error(run.error());
      got[r.rank()] = snapshot(*models[r.rank()]);
      top1[r.rank()] = run->history.back().test_top1;
    });
    EXPECT_EQ(state_fingerprint(got[0]), state_fingerprint(got[1]));  // running statistics averaged
    EXPECT_EQ(top1[0], top1[1]);
    return got[0];
  };
  const auto local = run_replicas(false), synced = run_replicas(true);
  // Another computation than one process's (each replica normalises its own 32 rows).
  EXPECT_GT(max_abs_difference(local, synced), 10 * kFp32WeightTolerance);
}
