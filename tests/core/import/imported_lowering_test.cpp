// Imported CNNs lowered to integers, layer by layer: every integer layer that stands for a
// quantized tensor of the graph holds the simulation's codes of that tensor. Covers the integer
// forms the torchvision families need beyond plain CNNs: concat, channel split and shuffle
// (ShuffleNet V2), BatchNorm on concatenated codes (DenseNet), ceil-mode pools and a conv-ReLU-
// pool tail (SqueezeNet), tables and products (MobileNetV3, EfficientNet).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <iostream>

#include "../test_util.h"
#include "data/batcher.h"
#include "data/registry.h"
#include "fixtures.h"
#include "integer/int_op.h"
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

torch::Tensor first_batch(const Dataset& data, const Normalization& norm, int64_t n) {
  BatchConfig bc;
  bc.batch_size = n;
  bc.shuffle = false;
  Batcher b(data.head(n), norm, bc);
  b.start_epoch(0);
  return b.get(0).x;
}

// The graph tensor an integer layer's output stands for: a conv or add is named after its own
// node, but its requantization folds the BatchNorm and ReLU that follow it.
int simulated_node(const Graph& g, int node) {
  for (;;) {
    const std::vector<int> next = g.consumers(node);
    if (next.size() != 1) return node;
    const OpKind k = g.node(next[0]).kind;
    if (k != OpKind::BatchNorm2d && k != OpKind::ReLU && k != OpKind::ReLU6 && k != OpKind::Clip)
      return node;
    node = next[0];
  }
}

void expect_layers_equal_simulation(const std::string& name, const std::string& method) {
  SCOPED_TRACE(name + " " + method);
  const DatasetPair fashion = open_dataset("fashion-mnist");
  LoadedModel lm = load_model(testing::fixture_dir() + "/" + name + ".onnx", fashion,
                              "fashion-mnist");
  auto net = attach_quantizers(lm.module, make_plan(lm.module->graph(), method, "w8a8",
                                                    EdgePolicy::EdgePolicyQuantized));
  calibrate(net, {to_channels_last(first_batch(lm.data.train, lm.normalization, 64))});
  net.model->eval();
  const IntegerModel im = lower(net);
  const auto x = first_batch(lm.data.test, lm.normalization, 8);
  torch::NoGradGuard no_grad;
  const auto sim = net.model->forward_all(to_channels_last(x));
  const Graph& g = net.model->graph();
  // Layer by layer: each integer layer runs on the simulation's codes of its inputs (where they
  // stand for a graph tensor; else on what this loop computed), so a flip in one layer does not
  // move the layers after it.
  std::vector<IntTensor> feed(im.layers.size());
  feed[0] = integer_input(net, im, x);
  int compared = 0;
  double worst = 0.0;
  for (size_t l = 1; l < im.layers.size(); ++l) {
    const IntLayer& L = im.layers[l];
    IntValues in;
    for (int i : L.inputs) in.push_back(&feed[static_cast<size_t>(i)]);
    feed[l].n = x.size(0);
    feed[l].values.assign(static_cast<size_t>(x.size(0) * L.numel()), 0);
    int_op_def(L.op).reference(L, int_inputs(im, L), in, feed[l], 0, x.size(0));
    const int node = g.find(L.name) < 0 ? -1 : simulated_node(g, g.find(L.name));
    // Layers on one scale whose values are codes of a graph tensor (not wide accumulators).
    if (node < 0 || L.scale.size() != 1 || !(L.requantized_output() || L.op == IntOp::IntLookup ||
                                             L.op == IntOp::IntSumPool))
      continue;
    const auto expected =
        torch::round(sim[node].contiguous().to(torch::kFloat64) / L.scale[0]).flatten();
    const auto got =
        torch::tensor(std::vector<int64_t>(feed[l].values.begin(), feed[l].values.end()))
            .to(torch::kFloat64);
    ASSERT_EQ(got.numel(), expected.numel()) << L.name;
    const double differing = (got != expected).to(torch::kFloat64).mean().item<double>();
    EXPECT_LE(differing, kMaxDiffering) << "layer '" << L.name << "' (" << int_op_name(L.op) << ")";
    worst = std::max(worst, differing);
    ++compared;
    const auto codes = expected.to(torch::kInt64);
    feed[l].values.assign(codes.data_ptr<int64_t>(), codes.data_ptr<int64_t>() + codes.numel());
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

TEST(ImportedLowering, EfficientNetSiluAndSigmoidGatesAsSimulated) {
  expect_layers_equal_simulation("efficientnet_b0", "minmax");
}

}  // namespace
}  // namespace bitshift
