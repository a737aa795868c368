// Lowering: every quantizer's integer form reproduces its fake-quantized values, and whole
// networks lowered from calibrated plans agree with their simulation image by image.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>
#include <map>

#include "../calibrated_network.h"
#include "../test_util.h"
#include "data/batcher.h"
#include "data/registry.h"
#include "graph/builder.h"
#include "integer/agreement.h"
#include "integer/layer_agreement.h"
#include "integer/lowering.h"
#include "integer/reference_executor.h"
#include "integer/weight_table.h"
#include "models/zoo.h"
#include "quant/gradual_schedule.h"
#include "quant/method.h"
#include "quant/n2uq.h"
#include "train/model_source.h"
#include "train/quantized_checkpoint.h"

using namespace bitshift;
using bitshift::testing::calibrated;
using bitshift::testing::error_of;
using bitshift::testing::first_images;

namespace {

constexpr double kRelTolerance = 1e-5;  // float32 fake-quant vs float64 scale·code

// scale[c]·value(code) for every weight, shaped like w.
torch::Tensor dequantize(const IntegerWeights& iw, const torch::Tensor& w) {
  auto values = iw.codes.to(torch::kFloat64);
  if (!iw.table.empty()) {
    auto table = torch::tensor(iw.table, torch::kInt64).to(torch::kFloat64);
    values = table.index({iw.codes});
  }
  std::vector<int64_t> shape(w.dim(), 1);
  shape[0] = iw.scale.numel() == 1 ? 1 : w.size(0);
  return values * iw.scale.view(shape);
}

}  // namespace

class IntegerWeightsOf : public ::testing::TestWithParam<std::tuple<std::string, int, bool>> {};

TEST_P(IntegerWeightsOf, ReproduceTheFakeQuantizedWeights) {
  const auto [method, bits, per_channel] = GetParam();
  torch::manual_seed(3);
  const auto w = torch::randn({8, 4, 3, 3}) * 0.1;
  auto q = make_weight_quantizer(method, bits,
                                 per_channel ? Granularity::GranularityPerChannel
                                             : Granularity::GranularityPerTensor);
  q->init(w);
  torch::NoGradGuard no_grad;
  const auto expected = q->quantize(w).to(torch::kFloat64);
  const IntegerWeights iw = q->integer_weights(w);
  EXPECT_TRUE(iw.real_levels.empty()) << method << " has an exact integer form";
  const auto got = dequantize(iw, w);
  const double scale = expected.abs().max().item<double>();
  EXPECT_LT((got - expected).abs().max().item<double>(), kRelTolerance * scale)
      << method << " w" << bits;
  // Codes fit the bit-width: signed values, or indices into a table of at most 2^b entries.
  if (iw.table.empty()) {
    EXPECT_GE(iw.codes.min().item<int64_t>(), -(int64_t{1} << (bits - 1)));
    EXPECT_LE(iw.codes.max().item<int64_t>(), (int64_t{1} << (bits - 1)) - 1);
  } else {
    EXPECT_LE(iw.table.size(), size_t{1} << bits);
    EXPECT_GE(iw.codes.min().item<int64_t>(), 0);
    EXPECT_LT(iw.codes.max().item<int64_t>(), static_cast<int64_t>(iw.table.size()));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Methods, IntegerWeightsOf,
    ::testing::Values(std::make_tuple("nice", 4, false), std::make_tuple("nice", 2, false),
                      std::make_tuple("lsq", 4, true), std::make_tuple("lsq", 3, false),
                      std::make_tuple("pact", 4, true), std::make_tuple("minmax", 8, false),
                      std::make_tuple("dorefa", 4, false), std::make_tuple("dorefa", 1, false),
                      std::make_tuple("uniq-sym", 3, true), std::make_tuple("uniq-sym", 1, false),
                      std::make_tuple("n2uq", 4, true), std::make_tuple("pot-lut", 4, true)));

// UNIQ's quantiles are real numbers: the table rounds them onto the finest step the layer's
// accumulator allows (16-bit entries for small inputs, fewer for wide ones), each level within
// half a step of the simulated one.
TEST(IntegerWeights, UniqQuantilesRoundOntoTheFinestTableTheAccumulatorAllows) {
  torch::manual_seed(4);
  const auto w = torch::randn({16, 8, 3, 3}) * 0.05;
  auto q = make_weight_quantizer("uniq", 4, Granularity::GranularityPerTensor);
  q->init(w);
  torch::NoGradGuard no_grad;
  IntegerWeights iw = q->integer_weights(w);
  ASSERT_EQ(iw.real_levels.size(), 16u);
  const auto expected = q->quantize(w).to(torch::kFloat64);
  // 4-bit inputs (|x| <= 15), fan-in 72: 72 · 32767 · 15 < 2^30, so 16-bit entries.
  const RoundedLevels fine = round_weight_levels(iw.real_levels, iw.codes, 15);
  EXPECT_EQ(fine.bits, 16);
  EXPECT_LE(fine.worst_steps, 0.5);
  iw.table = fine.table;
  iw.scale = torch::full({1}, fine.step, torch::kFloat64);
  EXPECT_LE((dequantize(iw, w) - expected).abs().max().item<double>(), 0.5 * fine.step + 1e-12);
  // The step is 2^-15 of the largest level: ~1/256 of an 8-bit table's.
  EXPECT_LT(fine.step * 200, round_weight_levels(iw.real_levels, iw.codes, int64_t{1} << 30).step);
  // A channel of 72 weights all on the largest level: its bound is 72 · (2^(b−1) − 1) · max|x|.
  const std::vector<double> levels = {-1.0, -0.5, 0.25, 1.0};
  const auto all_top = torch::full({2, 72}, 3, torch::kInt64);
  // 2^12-wide inputs: 2^30 / (72 · 2^12) ≈ 3641 units: 12-bit entries (±2047) fit, 13 do not.
  EXPECT_EQ(round_weight_levels(levels, all_top, int64_t{1} << 12).bits, 12);
  // 2^20-wide inputs leave ≈ 14 units a weight: the 8-bit floor (the bound proof then decides).
  EXPECT_EQ(round_weight_levels(levels, all_top, int64_t{1} << 20).bits, 8);
}

class GridOf : public ::testing::TestWithParam<std::tuple<std::string, int, bool>> {};

TEST_P(GridOf, IsWhatTheQuantizerComputes) {
  const auto [method, bits, is_signed] = GetParam();
  torch::manual_seed(5);
  auto q = make_activation_quantizer(method, bits, is_signed);
  const auto calib = torch::randn({64, 4, 6, 6}) * 2.0;
  q->observe(calib);
  q->finish_calibration();
  const auto x = torch::randn({32, 4, 6, 6}) * 3.0;
  torch::NoGradGuard no_grad;
  const ActivationGrid g = q->grid();
  ASSERT_TRUE(g.affine);
  const auto expected = q->quantize(x).to(torch::kFloat64);
  const auto got =
      torch::clamp(torch::floor(x.to(torch::kFloat64) / g.scale + 0.5), g.lo, g.hi) * g.scale;
  // Float32 x/s may round the other way than float64 at exact ties: allow a few elements.
  const auto off = (got - expected).abs() > 1e-4 * g.scale;
  EXPECT_LE(off.sum().item<int64_t>(), 3) << method;
  EXPECT_EQ(g.lo, is_signed ? -((int64_t{1} << (bits - 1)) - (method == "lsq" || method == "pot-lut" ? 0 : 1)) : 0);
}

INSTANTIATE_TEST_SUITE_P(
    Methods, GridOf,
    ::testing::Values(std::make_tuple("nice", 4, false), std::make_tuple("nice", 8, true),
                      std::make_tuple("lsq", 4, false), std::make_tuple("lsq", 8, true),
                      std::make_tuple("pact", 3, false), std::make_tuple("minmax", 8, true),
                      std::make_tuple("pot-lut", 8, false), std::make_tuple("uniq-sym", 4, false),
                      std::make_tuple("dorefa", 4, false)));

// N2UQ's levels count learned thresholds: the grid's thresholds give exactly quantize(x).
TEST(GridOfN2uq, ThresholdsCountToTheQuantizersLevels) {
  for (const bool is_signed : {false, true}) {
    SCOPED_TRACE(is_signed ? "signed" : "unsigned");
    torch::manual_seed(6);
    auto q = std::dynamic_pointer_cast<N2uqActivationQuantizer>(
        make_activation_quantizer("n2uq", 4, is_signed));
    ASSERT_TRUE(q);
    q->observe(torch::randn({64, 4, 6, 6}) * 2.0);
    q->finish_calibration();
    torch::NoGradGuard no_grad;
    // Learned, uneven intervals and a start off the output grid.
    q->interval_parameter().mul_(torch::rand({q->intervals()}) + 0.5);
    q->start_parameter().add_(0.37 * q->output_step());
    const ActivationGrid g = q->grid();
    ASSERT_EQ(static_cast<int64_t>(g.thresholds.size()), q->intervals());
    EXPECT_EQ(g.hi - g.lo, q->intervals());
    const auto x = (torch::randn({32, 4, 6, 6}) * 3.0).to(torch::kFloat64);
    auto count = torch::zeros_like(x);
    for (double t : g.thresholds) count += (x >= t).to(torch::kFloat64);
    const auto got = (count + static_cast<double>(g.lo)) * g.scale;
    const auto expected = q->quantize(x.to(torch::kFloat32)).to(torch::kFloat64);
    // Float32 u = scale1·x may land on the other side of a threshold than float64: a few.
    EXPECT_LE(((got - expected).abs() > 1e-4 * g.scale).sum().item<int64_t>(), 3);
    // Zero is a level (zero padding is exact in integers) at signed sites too.
    EXPECT_TRUE(g.lo <= 0 && 0 <= g.hi) << g.lo << ".." << g.hi;
    if (is_signed) EXPECT_LT(g.lo, 0);
  }
}

TEST(Lowering, RefusesFullPrecisionLayersNamingTheLayerAndFlag) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  auto fp_first = attach_quantizers(m, make_plan(m->graph(), "nice", "w4a8"));  // conv1 FP
  EXPECT_CONTAINS(error_of([&] { lower(fp_first); }), "--layer conv1=8/8");
}

TEST(Lowering, RefusesAZeroOrNanClampNamingTheLayer) {
  // A diverged run's quantizers would lower to a model that agrees with nothing.
  for (const float bad : {0.0f, std::numeric_limits<float>::quiet_NaN()}) {
    torch::manual_seed(9);
    GraphModule m(lenet5(Shape{1, 28, 28}, 10));
    auto net = attach_quantizers(m, make_plan(m->graph(), "nice", "w4a4", EdgePolicy::EdgePolicyQuantized));
    calibrate(net, {torch::randn({16, 1, 28, 28})});
    net.model->eval();
    ASSERT_NO_THROW(lower(net));
    const int conv2 = m->graph().find("conv2");
    for (auto& p : net.hooks->weight_quantizer(conv2)->parameters()) p.detach().fill_(bad);
    for (auto& b : net.hooks->weight_quantizer(conv2)->buffers()) if (b.is_floating_point()) b.fill_(bad);
    const std::string e = error_of([&] { lower(net); });
    EXPECT_CONTAINS(e, "conv2");
    EXPECT_CONTAINS(e, "expected a positive finite number");
  }
}

namespace {

// A clip with a negative lower bound (usernet's clamp(-1, 1) after a BatchNorm) folds into the
// requantization's clamp on a signed grid: both bounds become codes, and the integers equal the
// simulated codes, the clamped ones included.
TEST(Lowering, SignedClipsFoldIntoTheRequantizationClampAsSimulated) {
  const DatasetPair data = open_dataset("fashion-mnist");
  const Normalization norm{{0.286f}, {0.353f}};
  GraphBuilder b("signed_clip", Shape{1, 28, 28}, 10);
  Node clip;
  clip.lo = -0.5, clip.hi = 0.25;
  int x = b.add_node("clip", OpKind::Clip, {b.conv("conv1", b.input(), 6, 3, 2, 1, 1, true)}, clip);
  x = b.relu("relu2", b.conv("conv2", x, 8, 3, 2, 1, 1, true));
  b.linear("fc", b.flatten("flat", x), 10);
  torch::manual_seed(9);
  GraphModule m(b.build());
  auto net = attach_quantizers(m, make_plan(m->graph(), "minmax", "w8a8", EdgePolicy::EdgePolicyQuantized));
  calibrate(net, {to_channels_last(first_images(data.train, norm, 64))});
  net.model->eval();
  const IntegerModel im = lower(net);
  const IntLayer& conv1 = im.layers[im.find("conv1")];
  const double s = conv1.scale[0];
  EXPECT_EQ(conv1.requant.lo, static_cast<int32_t>(std::floor(-0.5 / s + 0.5)));
  EXPECT_EQ(conv1.requant.hi, static_cast<int32_t>(std::floor(0.25 / s + 0.5)));
  const auto x_test = first_images(data.test, norm, 32);
  const IntTensor codes = run_reference(im, integer_input(net, im, x_test))[im.find("conv1")];
  int at_lo = 0, at_hi = 0;
  for (int32_t v : codes.values) at_lo += v == conv1.requant.lo, at_hi += v == conv1.requant.hi;
  EXPECT_GT(at_lo, 0) << "no value clamped from below: the test would not see a wrong lo";
  EXPECT_GT(at_hi, 0) << "no value clamped from above";
  for (const LayerAgreement& a : layer_agreement(net, im, x_test))
    EXPECT_LE(a.differing, 1e-3) << a.name;
}

}  // namespace

TEST(Lowering, LeNet5W8A8AgreesWithItsSimulation) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  auto net = calibrated("lenet5", "w8a8", data, &norm);
  const IntegerModel im = lower(net);
  EXPECT_EQ(im.input().op, IntOp::IntInput);
  EXPECT_EQ(im.output().c, 10);
  const Agreement a = measure_agreement(net, im, data.test, norm, 1000);
  EXPECT_EQ(a.images, 1000);
  EXPECT_GE(a.agreement, 99.5);
  EXPECT_NEAR(a.integer_top1, a.simulated_top1, 0.5);
  EXPECT_GT(a.integer_top1, 85.0);  // the baseline is 91.5 %: 8-bit PTQ keeps it
  std::cout << "lenet5 w8a8: simulated " << a.simulated_top1 << " %, integer " << a.integer_top1
            << " %, agreement " << a.agreement << " %\n";
}

TEST(PixelCodes, LookingUpRawPixelsGivesTheSimulationsInputIntegers) {
  const DatasetPair data = open_dataset("fashion-mnist");
  for (const char* method : {"minmax", "nice", "lsq"}) {
    SCOPED_TRACE(method);
    Normalization norm;
    auto net = calibrated("lenet5", "w4a4", data, &norm, method);
    const IntegerModel im = lower(net);
    const PixelCodes px = pixel_codes(net, im, norm);
    ASSERT_EQ(px.codes.size(), 1u);  // Fashion-MNIST: one channel
    ASSERT_EQ(px.codes[0].size(), 256u);
    EXPECT_DOUBLE_EQ(px.mean[0], norm.mean[0]);
    // The export's path: real test images through the batcher and the input quantizer.
    const Dataset images = data.test.head(32);
    const IntTensor input = integer_input(net, im, first_images(data.test, norm, 32));
    const auto pixels = images.images.flatten().to(torch::kLong);
    ASSERT_EQ(static_cast<int64_t>(input.values.size()), pixels.numel());
    int64_t differing = 0;
    for (int64_t i = 0; i < pixels.numel(); ++i)
      differing += input.values[i] != px.codes[0][pixels[i].item<int64_t>()];
    EXPECT_EQ(differing, 0);
    // Independently, in double precision: clamp(floor(x / scale + 0.5), lo, hi) wherever x / scale
    // is not within float rounding of a tie.
    const IntLayer& in = im.input();
    for (int p = 0; p < 256; ++p) {
      const double u = ((p / 255.0 - norm.mean[0]) / norm.std[0]) / in.scale[0];
      if (std::abs(u - std::floor(u) - 0.5) < 1e-4) continue;
      const double code = std::clamp(std::floor(u + 0.5), static_cast<double>(in.min_value),
                                     static_cast<double>(in.max_value));
      EXPECT_EQ(px.codes[0][p], static_cast<int32_t>(code)) << "pixel " << p;
    }
  }
}

// A 4-bit min/max network input splits its 16 codes unevenly around zero so that Fashion-MNIST's
// background (pixel 0, the most common input value) is exactly its lowest level: no background
// pixel carries a quantization error into conv1.
TEST(PixelCodes, AFourBitInputPutsTheBackgroundExactlyOnItsLowestLevel) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  auto net = calibrated("lenet5", "w4a4", data, &norm);
  const IntegerModel im = lower(net);
  const IntLayer& in = im.input();
  EXPECT_EQ(in.max_value - in.min_value, 15);  // all 16 codes
  EXPECT_LT(in.min_value, 0);
  EXPECT_NE(in.min_value, -in.max_value);  // split unevenly around zero
  EXPECT_EQ(pixel_codes(net, im, norm).codes.at(0).at(0), in.min_value);
  const double background = (0.0 - norm.mean[0]) / norm.std[0];
  EXPECT_NEAR(static_cast<double>(in.min_value) * in.scale[0], background, 1e-6);
  // The simulation's own quantizer maps the background onto that level with no error.
  const auto q = net.hooks->activation_quantizer(0)->quantize(torch::full({1}, background));
  EXPECT_NEAR(q.item<double>(), background, 1e-6);
}

// Checkpoints saved before the split hold the input's range as one value: they load as the
// symmetric grid they were trained with.
TEST(PixelCodes, CheckpointsWithASymmetricInputRangeKeepTheirGrid) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  auto net = calibrated("lenet5", "w4a4", data, &norm);
  Checkpoint ck = make_quantized_checkpoint(net, norm, "fashion-mnist");
  std::string key;
  for (const auto& [name, t] : ck.tensors)
    if (name.rfind("quant.", 0) == 0 && name.find("input") != std::string::npos &&
        name.size() >= 5 && name.substr(name.size() - 5) == "range")
      key = name;
  ASSERT_FALSE(key.empty());
  ASSERT_EQ(ck.tensors.at(key).numel(), 2);
  ck.tensors[key] = torch::full({1}, 2.0f);  // as saved before: max|x|
  const QuantizedNetwork old = load_quantized(ck, "old.bsck");
  const ActivationGrid g = old.hooks->activation_quantizer(0)->grid();
  EXPECT_EQ(g.lo, -7);
  EXPECT_EQ(g.hi, 7);
  EXPECT_NEAR(g.scale, 2.0 / 7, 1e-7);
}

// The float64 reference keeps the float32 weight codes: inside it every quantized layer's
// effective weights are exactly its float32 quantized weights, in float64; afterwards the model
// is float32 again and quantizes its weights itself.
TEST(Float64Simulation, KeepsTheFloat32WeightCodesAndRestoresTheModel) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  auto net = calibrated("lenet5", "w4a4", data, &norm);
  std::map<int, torch::Tensor> w32;
  for (int node : net.hooks->quantized_layers())
    w32[node] = net.hooks->weight(node, net.model->weight(node)).detach().clone();
  ASSERT_FALSE(w32.empty());
  {
    const Float64Simulation f64(net);
    for (const auto& [node, w] : w32) {
      const auto inside = net.hooks->weight(node, net.model->weight(node));
      EXPECT_EQ(inside.scalar_type(), torch::kFloat64);
      EXPECT_TRUE(torch::equal(inside, w.to(torch::kFloat64))) << node;
    }
    const auto x = first_images(data.test, norm, 4).to(torch::kFloat64);
    EXPECT_EQ(net.model->forward(to_channels_last(x)).scalar_type(), torch::kFloat64);
  }
  for (const auto& [node, w] : w32) {
    const auto after = net.hooks->weight(node, net.model->weight(node) * 0.5);  // not frozen
    EXPECT_EQ(after.scalar_type(), torch::kFloat32);
    EXPECT_FALSE(torch::equal(after, w)) << node;
  }
}

TEST(Lowering, ResNet20W8A8HasResidualAddsAndAgrees) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  auto net = calibrated("resnet20", "w8a8", data, &norm);
  const IntegerModel im = lower(net);
  int adds = 0, sums = 0;
  for (const auto& L : im.layers) {
    adds += L.op == IntOp::IntAdd;
    sums += L.op == IntOp::IntSumPool;
  }
  EXPECT_EQ(adds, 9);  // three stages of three basic blocks
  EXPECT_EQ(sums, 1);  // the global average pool, summed
  const Agreement a = measure_agreement(net, im, data.test, norm, 200);
  std::cout << "resnet20 w8a8: simulated " << a.simulated_top1 << " %, integer "
            << a.integer_top1 << " %, agreement " << a.agreement << " %\n";
  EXPECT_GE(a.agreement, 99.5);
  EXPECT_GT(a.integer_top1, 85.0);  // the baseline is 94.8 %
}

TEST(Lowering, LeNet5W4A4AgreesWithItsSimulation) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  auto net = calibrated("lenet5", "w4a4", data, &norm);
  const Agreement a = measure_agreement(net, lower(net), data.test, norm, 1000);
  std::cout << "lenet5 w4a4 (min/max, no training): simulated " << a.simulated_top1
            << " %, integer " << a.integer_top1 << " %, agreement " << a.agreement << " %\n";
  EXPECT_GE(a.agreement, 99.5);
}

// Integer layer -> the graph node whose simulated output it stands for.
using LayerPairs = std::vector<std::pair<std::string, std::string>>;
const LayerPairs kLeNetRequantized = {
    {"conv1", "relu1"}, {"pool1", "pool1"}, {"conv2", "relu2"}, {"fc1", "relu3"}, {"fc2", "relu4"}};

// Every requantized LeNet-5 layer of the integer model against the simulation's codes.
void expect_layers_equal_simulation(QuantizedNetwork& net, const DatasetPair& data,
                                    const Normalization& norm,
                                    const LayerPairs& pairs = kLeNetRequantized) {
  const IntegerModel im = lower(net);
  const auto x = first_images(data.test, norm, 100);
  torch::NoGradGuard no_grad;
  const auto sim = net.model->forward_all(to_channels_last(x));
  const auto ints = run_reference(im, integer_input(net, im, x));
  const Graph& g = net.model->graph();
  for (const auto& [layer, node] : pairs) {
    const int l = im.find(layer);
    ASSERT_GE(l, 0) << layer;
    const auto expected = torch::round(sim[g.find(node)].contiguous().to(torch::kFloat64) /
                                       im.layers[l].scale[0]).flatten();
    const auto got = torch::tensor(std::vector<int64_t>(ints[l].values.begin(), ints[l].values.end()))
                         .to(torch::kFloat64);
    ASSERT_EQ(got.numel(), expected.numel()) << layer;
    // Only float32 rounding in the simulation can move a value across a rounding boundary.
    const double differing = (got != expected).to(torch::kFloat64).mean().item<double>();
    EXPECT_LE(differing, 1e-4) << layer;
  }
}

TEST(Lowering, EveryRequantizedLayerEqualsTheSimulatedCodes) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  auto net = calibrated("lenet5", "w4a4", data, &norm);
  expect_layers_equal_simulation(net, data, norm);
}

// NICE puts biases on a 16-bit accumulator grid in the simulation: the integers must use that
// bias, not the FP32 one.
TEST(Lowering, NiceQuantizedBiasesLowerAsSimulated) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  auto net = calibrated("lenet5", "w4a4", data, &norm, "nice");
  quantize_all(net);
  net.model->eval();
  expect_layers_equal_simulation(net, data, norm);
}

// N2UQ (learned, uneven thresholds; a signed input whose start is off the output grid): every
// activation becomes a multi-threshold layer on the accumulator, equal to the simulated codes.
TEST(Lowering, N2uqThresholdsLowerToMultiThresholdLayersAsSimulated) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  auto net = calibrated("lenet5", "w4a4", data, &norm, "n2uq");
  torch::manual_seed(7);
  {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < net.model->graph().size(); ++i)
      if (auto q = std::dynamic_pointer_cast<N2uqActivationQuantizer>(
              net.hooks->activation_quantizer(i))) {
        q->interval_parameter().mul_(torch::rand({q->intervals()}) + 0.5);
        q->start_parameter().add_(0.37 * q->output_step());
      }
  }
  const IntegerModel im = lower(net);
  for (const char* name : {"relu1", "relu2", "relu3", "relu4"}) {
    ASSERT_GE(im.find(name), 0) << name;
    EXPECT_EQ(im.layers[im.find(name)].op, IntOp::IntThreshold) << name;
  }
  expect_layers_equal_simulation(
      net, data, norm,
      {{"relu1", "relu1"}, {"pool1", "pool1"}, {"relu2", "relu2"}, {"relu3", "relu3"},
       {"relu4", "relu4"}});
  const Agreement a = measure_agreement(net, im, data.test, norm, 1000);
  std::cout << "lenet5 n2uq w4a4: simulated " << a.simulated_top1 << " %, integer "
            << a.integer_top1 << " %, agreement " << a.agreement << " %\n";
  EXPECT_GE(a.agreement, 99.5);
}

// N2UQ after residual adds (ResNet-20): each add is requantized onto a fine grid (2^30 units for
// its largest value), then thresholded; every threshold layer equals the simulated codes but
// for the multipliers' rounding, far below a threshold's spacing. (Calibrated without training,
// N2UQ's mean|w| weight scales leave ResNet-20 near chance: the layers are the check here.)
TEST(Lowering, N2uqAfterResidualAddsThresholdsTheSumAsSimulated) {
  const DatasetPair data = open_dataset("fashion-mnist");
  Normalization norm;
  auto net = calibrated("resnet20", "w8a8", data, &norm, "n2uq");
  const IntegerModel im = lower(net);
  int thresholds_after_adds = 0;
  for (const IntLayer& L : im.layers)
    thresholds_after_adds +=
        L.op == IntOp::IntThreshold && im.layers[L.inputs[0]].op == IntOp::IntAdd;
  EXPECT_EQ(thresholds_after_adds, 9);  // every basic block's output
  for (const LayerAgreement& l : layer_agreement(net, im, first_images(data.test, norm, 20))) {
    if (l.op != IntOp::IntThreshold) continue;
    EXPECT_LE(l.differing, 1e-3) << l.name;
    EXPECT_LE(l.max_diff, 1) << l.name;
  }
  const Agreement a = measure_agreement(net, im, data.test, norm, 200);
  std::cout << "resnet20 n2uq w8a8 (calibrated): simulated " << a.simulated_top1
            << " %, integer " << a.integer_top1 << " %, agreement " << a.agreement << " %\n";
  EXPECT_GE(a.agreement, 99.0);
}

namespace {

// conv(pad 1)-ReLU, a 3x3 average pool with padding 1 (stride `stride`), linear: the pool's
// padded zeros count in the divisor unless `include_pad` is false.
QuantizedNetwork padded_avgpool_net(int64_t stride, bool include_pad) {
  GraphBuilder b("padded_avgpool", Shape{1, 28, 28}, 10);
  int x = b.relu("relu1", b.conv("conv1", b.input(), 6, 3, 1, 1, 1, true));
  Node attrs;
  attrs.window = Window::square(3, stride, 1);
  attrs.window.count_include_pad = include_pad;
  x = b.add_node("pool", OpKind::AvgPool, {x}, attrs);
  b.linear("fc", b.flatten("flat", x), 10);
  torch::manual_seed(8);
  GraphModule m(b.build());
  return attach_quantizers(m, make_plan(m->graph(), "minmax", "w8a8", EdgePolicy::EdgePolicyQuantized));
}

}  // namespace

TEST(Lowering, PaddedAveragePoolsSumWithZerosAndDivideByTheWholeWindow) {
  const DatasetPair data = open_dataset("fashion-mnist");
  const Normalization norm{{0.286f}, {0.353f}};  // Fashion-MNIST's
  for (const int64_t stride : {1, 2}) {
    SCOPED_TRACE("stride " + std::to_string(stride));
    auto net = padded_avgpool_net(stride, true);
    const auto x = first_images(data.train, norm, 64);
    calibrate(net, {to_channels_last(x)});
    net.model->eval();
    const IntegerModel im = lower(net);
    const IntLayer& pool = im.layers[im.find("pool")];
    EXPECT_EQ(pool.op, IntOp::IntSumPool);
    EXPECT_TRUE(pool.window == IntWindow::square(3, stride, 1));
    // The logits in real units (the pool's 1/9 is in fc's scale) against the simulation's.
    const auto logits = run_reference(im, integer_input(net, im, x)).back();
    torch::NoGradGuard no_grad;
    const auto sim = net.model->forward(to_channels_last(x)).to(torch::kFloat64);
    const auto got = torch::tensor(std::vector<int64_t>(logits.values.begin(), logits.values.end()))
                         .to(torch::kFloat64).view(sim.sizes()) * im.output().scale[0];
    EXPECT_LE((got - sim).abs().max().item<double>(), 1e-3 * sim.abs().max().item<double>());
  }
}

// count_include_pad=False (Keras' SAME average pools): border windows divide by fewer values,
// so the pool's output sits on a grid and each window's sum is requantized by the multiplier
// of its count; the integers equal the simulated codes.
TEST(Lowering, AveragePoolsLeavingPaddingOutRequantizeEachWindowByItsCount) {
  const DatasetPair data = open_dataset("fashion-mnist");
  const Normalization norm{{0.286f}, {0.353f}};
  for (const int64_t stride : {1, 2}) {
    SCOPED_TRACE("stride " + std::to_string(stride));
    auto net = padded_avgpool_net(stride, false);
    calibrate(net, {to_channels_last(first_images(data.train, norm, 64))});
    net.model->eval();
    const IntegerModel im = lower(net);
    const IntLayer& pool = im.layers[im.find("pool")];
    ASSERT_EQ(pool.op, IntOp::IntAvgPool);
    ASSERT_EQ(pool.table.size(), 9u);
    // Windows of 4 (corners), 6 (edges) and 9 positions: multipliers in ratio 1/4 : 1/6 : 1/9.
    EXPECT_NEAR(static_cast<double>(pool.table[3]) / pool.table[8], 9.0 / 4.0, 1e-6);
    EXPECT_NEAR(static_cast<double>(pool.table[5]) / pool.table[8], 9.0 / 6.0, 1e-6);
    const auto x = first_images(data.test, norm, 32);
    int compared = 0;
    for (const LayerAgreement& a : layer_agreement(net, im, x)) {
      EXPECT_LE(a.differing, 1e-3) << a.name;
      compared += a.name == "pool";
    }
    EXPECT_EQ(compared, 1);
  }
}
