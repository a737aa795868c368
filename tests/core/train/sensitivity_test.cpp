// Measured per-layer sensitivity: one layer quantized at a time, scored on calibration images.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <vector>

#include "data/registry.h"
#include "train/evaluate.h"
#include "train/model_source.h"
#include "train/sensitivity.h"

using namespace bitshift;

namespace {

// 256 images: one image is 0.39 points of top-1.
constexpr int64_t kCalibrationImages = 256;
// At 8 bits a single layer is nearly lossless: within a few images of FP32.
constexpr double kEightBitMaxDrop = 1.6;  // points (4 images)

// The fast estimate must order the entries as the measurement does, roughly (0.81 measured on
// LeNet-5 with LSQ; tests/bench/sensitivity.sh).
constexpr double kMinRankCorrelation = 0.7;

// Spearman's rank correlation (no ties expected among float loss increases).
double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  auto ranks = [](const std::vector<double>& v) {
    std::vector<size_t> order(v.size());
    for (size_t i = 0; i < v.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return v[x] < v[y]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < order.size(); ++i) r[order[i]] = static_cast<double>(i);
    return r;
  };
  const auto ra = ranks(a), rb = ranks(b);
  const double n = static_cast<double>(a.size());
  double d2 = 0;
  for (size_t i = 0; i < a.size(); ++i) d2 += (ra[i] - rb[i]) * (ra[i] - rb[i]);
  return 1.0 - 6.0 * d2 / (n * (n * n - 1.0));
}

}  // namespace

TEST(Sensitivity, HessianEstimateOrdersWeightEntriesAsTheMeasurementDoes) {
  const DatasetPair data = open_dataset("fashion-mnist");
  LoadedModel lm = load_model("lenet5", data, "fashion-mnist");
  const Dataset calib = data.train.random_subset(kCalibrationImages, 1);
  SensitivityConfig c;
  c.method = "lsq";
  c.weight_bits = {2, 3, 4, 6, 8};
  c.activation_bits = {};
  const Sensitivity measured = measure_sensitivity(lm.module, calib, lm.normalization, c);
  c.mode = "hessian";
  const Sensitivity estimated = measure_sensitivity(lm.module, calib, lm.normalization, c);
  ASSERT_EQ(measured.entries.size(), 25u);
  ASSERT_EQ(estimated.entries.size(), 25u);
  std::vector<double> a, b;
  for (size_t i = 0; i < 25; ++i) {
    const auto& m = measured.entries[i];
    const auto& e = estimated.entries[i];
    ASSERT_EQ(m.layer, e.layer);
    ASSERT_EQ(m.bits, e.bits);
    EXPECT_TRUE(e.estimated);
    EXPECT_GT(e.loss_increase, 0.0) << e.layer << " w" << e.bits;  // positive curvature here
    a.push_back(m.loss_increase);
    b.push_back(e.loss_increase);
  }
  const double rho = spearman(a, b);
  std::cout << "lenet5 lsq: Spearman hessian vs measured " << rho << "\n";
  EXPECT_GE(rho, kMinRankCorrelation);
}

TEST(Sensitivity, OneLayerAtATimeFromLosslessEightBitsToCostlyTwoBits) {
  const DatasetPair data = open_dataset("fashion-mnist");
  LoadedModel lm = load_model("lenet5", data, "fashion-mnist");
  const Dataset calib = data.train.random_subset(kCalibrationImages, 1);
  ASSERT_EQ(calib.size(), kCalibrationImages);
  SensitivityConfig c;
  c.method = "nice";  // NICE cannot do 1-bit weights: that column is skipped
  c.weight_bits = {1, 2, 8};
  c.activation_bits = {2, 8};
  int calls = 0;
  const Sensitivity s =
      measure_sensitivity(lm.module, calib, lm.normalization, c, [&](int done, int total) {
        ++calls;
        EXPECT_EQ(done, calls);
        EXPECT_EQ(total, 5 * 4);
        return true;
      });
  EXPECT_EQ(calls, 20);
  ASSERT_EQ(s.entries.size(), 20u);  // 5 layers x (w2, w8, a2, a8)
  EXPECT_EQ(s.images, kCalibrationImages);
  EXPECT_GT(s.fp_top1, 85.0);

  std::map<std::string, double> w2, a2;
  double worst_w2 = 0;
  for (const SensitivityEntry& e : s.entries) {
    EXPECT_NE(e.bits, 1) << e.layer;
    EXPECT_NEAR(e.top1_drop, s.fp_top1 - e.top1, 1e-9);
    if (e.bits == 8) EXPECT_LE(e.top1_drop, kEightBitMaxDrop) << e.layer << " " << e.operand;
    if (e.bits == 2 && e.operand == "w") w2[e.layer] = e.loss_increase;
    if (e.bits == 2 && e.operand == "a") a2[e.layer] = e.loss_increase;
    if (e.bits == 2 && e.operand == "w") worst_w2 = std::max(worst_w2, e.top1_drop);
  }
  // Two-bit weights cost something somewhere, and the layers differ: that is what the
  // allocator needs to see.
  EXPECT_GT(worst_w2, 5.0);
  EXPECT_GT(w2.at("conv1"), 5 * w2.at("fc2")) << "the first conv should suffer far more";

  // The model comes back without quantizers: it computes FP32 again.
  const EvalResult after = evaluate(lm.module, calib, lm.normalization);
  EXPECT_DOUBLE_EQ(after.top1, s.fp_top1);
  EXPECT_NEAR(after.loss, s.fp_loss, 1e-6);
}

TEST(Sensitivity, RandomSubsetIsFixedBySeedAndCoversTheClasses) {
  const DatasetPair data = open_dataset("fashion-mnist");
  const Dataset a = data.train.random_subset(300, 7), b = data.train.random_subset(300, 7);
  const Dataset c = data.train.random_subset(300, 8);
  EXPECT_TRUE(torch::equal(a.labels, b.labels));
  EXPECT_TRUE(torch::equal(a.images, b.images));
  EXPECT_FALSE(torch::equal(a.images, c.images));
  EXPECT_EQ(std::get<0>(torch::_unique(a.labels)).numel(), 10);
}
