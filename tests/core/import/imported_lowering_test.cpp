// Imported CNNs lowered to integers, layer by layer: every integer layer that stands for a
// quantized tensor of the graph holds the simulation's codes of that tensor. Covers the integer
// forms the torchvision families need beyond plain CNNs: concat, channel split and shuffle
// (ShuffleNet V2), BatchNorm on concatenated codes (DenseNet), ceil-mode pools and a conv-ReLU-
// pool tail (SqueezeNet), tables and products (MobileNetV3, EfficientNet), and the windows,
// clips and uneven averages of a user's own CNN.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <iostream>

#include "../calibrated_network.h"
#include "../test_util.h"
#include "data/registry.h"
#include "fixtures.h"
#include "integer/int_op.h"
#include "integer/layer_agreement.h"
#include "integer/lowering.h"
#include "integer/reference_executor.h"
#include "quant/method.h"
#include "train/model_source.h"

namespace bitshift {
namespace {

// Share of a layer's values allowed to differ from round(simulated / scale), the layer fed the
// simulation's codes: the simulation rounds in float32 and the integers requantize with 23-bit
// multipliers, so a value within about 1e-6 of a rounding boundary may land on the other side.
constexpr double kMaxDiffering = 2e-3;  // DenseNet's 7x7 first conv: 0.1 %

void expect_layers_equal_simulation(const std::string& name, const std::string& method) {
  SCOPED_TRACE(name + " " + method);
  const DatasetPair fashion = open_dataset("fashion-mnist");
  LoadedModel lm = load_model(testing::fixture_dir() + "/" + name + ".onnx", fashion,
                              "fashion-mnist");
  auto net = attach_quantizers(lm.module, make_plan(lm.module->graph(), method, "w8a8",
                                                    EdgePolicy::EdgePolicyQuantized));
  calibrate(net, {to_channels_last(testing::first_images(lm.data.train, lm.normalization, 64))});
  net.model->eval();
  const IntegerModel im = lower(net);
  const auto x = testing::first_images(lm.data.test, lm.normalization, 8);
  int compared = 0;
  double worst = 0.0;
  for (const LayerAgreement& a : layer_agreement(net, im, x)) {
    EXPECT_LE(a.differing, kMaxDiffering) << "layer '" << a.name << "' (" << int_op_name(a.op) << ")";
    worst = std::max(worst, a.differing);
    ++compared;
  }
  EXPECT_GE(compared, 10);
  std::cout << name << " " << method << ": " << compared << " layers compared, worst "
            << worst * 100 << " % of values differ\n";
}

TEST(ImportedLowering, ShuffleNetSplitsConcatsAndShufflesAsSimulated) {
  expect_layers_equal_simulation("shufflenet_v2_x0_5", "minmax");
}

TEST(ImportedLowering, DenseNetNormalisesConcatenatedCodesAsSimulated) {
  expect_layers_equal_simulation("densenet121", "minmax");
}

TEST(ImportedLowering, SqueezeNetFiresAndCeilPoolsAsSimulated) {
  expect_layers_equal_simulation("squeezenet1_1", "minmax");
}

TEST(ImportedLowering, MobileNetV3TablesAndGatesAsSimulated) {
  expect_layers_equal_simulation("mobilenet_v3_small", "minmax");
  expect_layers_equal_simulation("mobilenet_v3_small", "lsq");
}

TEST(ImportedLowering, MobileNetV2ReLU6AndResidualsAsSimulated) {
  expect_layers_equal_simulation("mobilenet_v2", "minmax");
}

// A user's own CNN (make_fixtures.py's UserNet): a 3x5 conv, dilation 2, a ceil-mode max pool, an
// average pool leaving padding out of its divisor, clamp(-1, 1), a gate, a residual add.
TEST(ImportedLowering, UserNetWindowsClipsAndUnevenAveragesAsSimulated) {
  expect_layers_equal_simulation("usernet", "minmax");
}

TEST(ImportedLowering, EfficientNetSiluAndSigmoidGatesAsSimulated) {
  expect_layers_equal_simulation("efficientnet_b0", "minmax");
}

}  // namespace
}  // namespace bitshift
