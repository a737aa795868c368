// Attaching a plan: activation sites, gradual stages, calibration, and a short real QAT run.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <map>

#include "data/registry.h"
#include "graph/builder.h"
#include "models/zoo.h"
#include "quant/gradual_schedule.h"
#include "quant/nice.h"
#include "quant/quantized_network.h"
#include "train/qat_session.h"
#include "train/quantized_checkpoint.h"

using namespace bitshift;

TEST(ActivationSites, ResNetSitesAreReluOutputsSharedByConvAndShortcut) {
  const Graph g = resnet20(Shape{1, 28, 28}, 10);
  const QuantPlan p = make_plan(g, "nice", "w4a4", EdgePolicy::EdgePolicyQuantized);
  const auto sites = activation_sites(g, p);
  const int stage2_in = g.find("layer1.2.relu2");
  bool found = false;
  for (const auto& s : sites) {
    if (s.node != stage2_in) continue;
    found = true;
    EXPECT_FALSE(s.is_signed);
    EXPECT_EQ(s.observed, g.find("layer1.2.add"));  // the ReLU's input: its pre-activation
    // layer2.0.conv1 and layer2.0.downsample.0 both read it.
    EXPECT_EQ(s.readers.size(), 2u);
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(sites.front().is_signed);  // the network input (conv1 reads the image)
  EXPECT_EQ(sites.front().node, 0);
}

namespace {

// A MobileNetV3-style block: hard-swish, a squeeze-excitation gate, a residual add and a leaky
// ReLU before the classifier.
Graph se_block() {
  GraphBuilder b("se", Shape{4, 5, 7}, 3);
  const int hs = b.add_node("hs", OpKind::HardSwish, {b.bn("bn", b.conv("c", b.input(), 6, 3, 1, 1))});
  Node keep;
  keep.keepdims = true;
  const int p = b.add_node("p", OpKind::GlobalAvgPool, {hs}, keep);
  const int f = b.conv("f", b.relu("r", b.conv("e", p, 3, 1)), 6, 1);
  Node hard;
  hard.alpha = 1.0 / 6.0, hard.beta = 0.5;
  const int gate = b.add_node("gate", OpKind::HardSigmoid, {f}, hard);
  const int scale = b.add_node("scale", OpKind::Mul, {hs, gate});
  const int res = b.add(("res"), b.bn("bnp", b.conv("proj", scale, 6, 1)), hs);
  Node slope;
  slope.alpha = 0.1;
  const int leak = b.add_node("leak", OpKind::LeakyReLU, {res}, slope);
  b.linear("fc", b.flatten("flat", b.global_avgpool("gap", leak)), 3);
  return b.build();
}

std::map<std::string, ActivationSite> sites_by_name(const Graph& g, const QuantPlan& p) {
  std::map<std::string, ActivationSite> out;
  for (const auto& s : activation_sites(g, p)) out[g.node(s.node).name] = s;
  return out;
}

std::vector<std::string> names(const Graph& g, const std::vector<int>& nodes) {
  std::vector<std::string> out;
  for (int n : nodes) out.push_back(g.node(n).name);
  return out;
}

}  // namespace

TEST(ActivationSites, TablesAndProductsSitBetweenGridsAddsStayWide) {
  const Graph g = se_block();
  const auto sites = sites_by_name(g, make_plan(g, "lsq", "w4a4", EdgePolicy::EdgePolicyQuantized));
  using V = std::vector<std::string>;
  V got;
  for (const auto& [name, s] : sites) got.push_back(name);
  // input: c reads it; bn: hard-swish's input; hs: e reads it (through p), and the product;
  // r: f reads it; f and gate: the hard-sigmoid's input and output; scale: proj reads it;
  // leak: fc reads it; res: the leaky ReLU's input. c, e, proj and bnp stay wide.
  EXPECT_EQ(got, (V{"bn", "f", "gate", "hs", "input", "leak", "r", "res", "scale"}));
  for (const auto& [name, s] : sites) EXPECT_EQ(s.bits, 4) << name;
  EXPECT_EQ(names(g, sites.at("input").readers), V{"c"});
  EXPECT_EQ(names(g, sites.at("hs").readers), V{"e"});
  EXPECT_EQ(names(g, sites.at("scale").readers), V{"proj"});
  EXPECT_EQ(names(g, sites.at("leak").readers), V{"fc"});
  EXPECT_TRUE(sites.at("gate").readers.empty());
  EXPECT_FALSE(sites.at("gate").is_signed);  // the gate is in [0, 1]
  EXPECT_FALSE(sites.at("r").is_signed);
  EXPECT_EQ(sites.at("r").observed, g.find("e"));
  EXPECT_TRUE(sites.at("hs").is_signed);  // hard-swish dips to -0.375
  EXPECT_TRUE(sites.at("f").is_signed);
  // What only a table reads matters where the table is not flat: hard-swish is 0 below -3,
  // hard-sigmoid (x/6 + 1/2) is flat outside [-3, 3]; leaky ReLU and the rest are never flat.
  EXPECT_EQ(sites.at("bn").live.lo, -3.0);
  EXPECT_TRUE(std::isinf(sites.at("bn").live.hi));
  EXPECT_DOUBLE_EQ(sites.at("f").live.lo, -3.0);
  EXPECT_DOUBLE_EQ(sites.at("f").live.hi, 3.0);
  for (const char* whole : {"res", "hs", "gate", "scale", "input"}) {
    EXPECT_TRUE(std::isinf(sites.at(whole).live.lo)) << whole;
    EXPECT_TRUE(std::isinf(sites.at(whole).live.hi)) << whole;
  }
}

TEST(ActivationSites, AProductOfNonNegativeValuesHasAnUnsignedGrid) {
  GraphBuilder b("gate", Shape{3, 6, 6}, 2);
  const int x = b.relu("r", b.conv("c", b.input(), 4, 3, 1, 1));
  Node keep;
  keep.keepdims = true;
  const int gate = b.add_node("gate", OpKind::Sigmoid,
                              {b.conv("e", b.add_node("p", OpKind::GlobalAvgPool, {x}, keep), 4, 1)});
  const int y = b.add_node("scale", OpKind::Mul, {x, gate});
  b.linear("fc", b.flatten("flat", b.global_avgpool("gap", b.conv("d", y, 4, 1))), 2);
  const Graph g = b.build();
  const auto sites = sites_by_name(g, make_plan(g, "lsq", "w4a4", EdgePolicy::EdgePolicyQuantized));
  EXPECT_FALSE(sites.at("scale").is_signed);  // ReLU features times a gate in [0, 1]
  EXPECT_FALSE(sites.at("r").is_signed);
  EXPECT_FALSE(sites.at("gate").is_signed);
  EXPECT_TRUE(sites.at("e").is_signed);  // the sigmoid's input
}

TEST(ActivationSites, ASharedSiteTakesTheMethodOfItsFirstReader) {
  const Graph g = resnet20(Shape{1, 28, 28}, 10);
  QuantPlan p = make_plan(g, "lsq", "w4a4", EdgePolicy::EdgePolicyQuantized);
  for (auto& l : p.layers)
    if (l.layer == "layer2.0.downsample.0") l.method = "minmax";  // after layer2.0.conv1
  const auto sites = sites_by_name(g, p);
  EXPECT_EQ(sites.at("layer1.2.relu2").method, "lsq");
}

TEST(GradualSchedule, ALayersOwnOutputReadByATableFollowsThatLayersStage) {
  GraphModule m(se_block());
  auto net = attach_quantizers(m, make_plan(m->graph(), "nice", "w4a4", EdgePolicy::EdgePolicyQuantized));
  GradualSchedule s(net, 1.0);
  const auto layers = net.hooks->quantized_layers();
  const int f = m->graph().find("f");
  ASSERT_EQ(layers[2], f);  // c, e, f, proj, fc
  const auto site = net.hooks->activation_quantizer(f);  // f's output, the hard-sigmoid's input
  s.apply(net, 2.5);  // f's stage: f noisy, and so its output
  EXPECT_EQ(net.hooks->weight_quantizer(f)->state(), QuantState::QuantStateNoisy);
  EXPECT_EQ(site->state(), QuantState::QuantStateNoisy);
  s.apply(net, 3.5);
  EXPECT_EQ(site->state(), QuantState::QuantStateQuantized);
}

TEST(QuantHooks, ATableInputsGridStopsWhereTheTableIsFlat) {
  torch::manual_seed(6);
  GraphModule m(se_block());
  auto net = attach_quantizers(m, make_plan(m->graph(), "minmax", "w8a8", EdgePolicy::EdgePolicyQuantized));
  calibrate(net, {50.0 * torch::randn({16, 4, 5, 7})});  // pre-activations far beyond +-3
  const Graph& g = m->graph();
  const ActivationGrid f = net.hooks->activation_quantizer(g.find("f"))->grid();
  // min/max of values clamped to [-3, 3]: the 8-bit grid spans at most [-3, 3] (one step slack).
  EXPECT_GE(f.scale * f.lo, -3.0 - f.scale);
  EXPECT_LE(f.scale * f.hi, 3.0 + f.scale);
  EXPECT_LE(f.scale, 3.0 / 127 * (1 + 1e-6));
  // ...although the values went beyond it (so the clamp, not the data, set it).
  quantize_all(net);
  m->eval();
  net.hooks->set_recording(true);
  m->forward(50.0 * torch::randn({16, 4, 5, 7}));
  net.hooks->set_recording(false);
  EXPECT_GT(net.hooks->recorded_errors().at(g.find("f")).abs().max().item<double>(), 1.0);
  const ActivationGrid res = net.hooks->activation_quantizer(g.find("res"))->grid();
  EXPECT_GT(res.scale * res.hi, 3.0);  // read by the leaky ReLU: the whole range
}

TEST(ActivationSites, TableAndProductSitesTakeTheBitsOfWhatReadsThem) {
  const Graph g = se_block();
  QuantPlan p = make_plan(g, "lsq", "w4a8", EdgePolicy::EdgePolicyQuantized);
  for (auto& l : p.layers)
    if (l.layer == "proj") l.a_bits = 6;
  const auto sites = sites_by_name(g, p);
  EXPECT_EQ(sites.at("scale").bits, 6);
  EXPECT_EQ(sites.at("gate").bits, 6);
  EXPECT_EQ(sites.at("f").bits, 6);
  EXPECT_EQ(sites.at("hs").bits, 8);  // e reads it at 8 bits, the product at 6: the larger
  EXPECT_EQ(sites.at("bn").bits, 8);
}

TEST(ActivationSites, ConcatInputsMeetOnTheConcatsGridThroughAShuffle) {
  GraphBuilder b("cat", Shape{2, 6, 6}, 3);
  const int a = b.relu("ra", b.conv("ca", b.input(), 3, 3, 1, 1));
  const int c = b.relu("rb", b.conv("cb", b.input(), 5, 1));
  const int cat = b.add_node("cat", OpKind::Concat, {a, c});
  Node shuffle;
  shuffle.groups = 2;
  const int mixed = b.add_node("shuffle", OpKind::ChannelShuffle, {cat}, shuffle);
  b.linear("fc", b.flatten("flat", b.global_avgpool("gap", b.conv("d", mixed, 4, 1))), 3);
  const Graph g = b.build();
  const auto sites = sites_by_name(g, make_plan(g, "minmax", "w8a8", EdgePolicy::EdgePolicyQuantized));
  std::vector<std::string> got;
  for (const auto& [name, s] : sites) got.push_back(name);
  // d reads the concat through the shuffle: one grid there, none on the branches' ReLUs.
  EXPECT_EQ(got, (std::vector<std::string>{"cat", "d", "input"}));
  EXPECT_FALSE(sites.at("cat").is_signed);  // both inputs are ReLUs
}

TEST(QuantHooks, EverySiteOfASqueezeExcitationBlockQuantizesAndCalibrates) {
  torch::manual_seed(5);
  GraphModule m(se_block());
  for (const std::string method : {"nice", "lsq", "minmax"}) {
    auto net = attach_quantizers(m, make_plan(m->graph(), method, "w4a4", EdgePolicy::EdgePolicyQuantized));
    calibrate(net, {torch::randn({8, 4, 5, 7})});
    quantize_all(net);
    m->eval();
    net.hooks->set_recording(true);
    const auto y = m->forward(torch::randn({8, 4, 5, 7}));
    net.hooks->set_recording(false);
    EXPECT_TRUE(torch::isfinite(y).all().item<bool>()) << method;
    std::vector<std::string> recorded;
    for (const auto& [node, err] : net.hooks->recorded_errors()) recorded.push_back(m->graph().node(node).name);
    EXPECT_EQ(recorded.size(), 9u) << method;
    // The gate's values are 4-bit unsigned levels in [0, 1]: at most 16 distinct values.
    const auto gate = net.hooks->activation_quantizer(m->graph().find("gate"));
    ASSERT_NE(gate, nullptr);
    const auto q = gate->forward(torch::linspace(-0.5, 1.5, 401));
    EXPECT_LE(std::get<0>(torch::_unique(q)).numel(), 16) << method;
    EXPECT_GE(q.min().item<float>(), 0.0f) << method;
  }
}

TEST(GradualSchedule, StagesMoveFromNoisyToQuantizedLayerByLayer) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  auto net = attach_quantizers(m, make_plan(m->graph(), "nice", "w4a4"));
  GradualSchedule s(net, 0.5);
  ASSERT_EQ(s.num_stages(), 4);  // conv2, fc1, fc2, fc3 (conv1 FP by NICE's policy)
  s.apply(net, 0.6);             // stage 1
  const auto layers = net.hooks->quantized_layers();
  EXPECT_EQ(net.hooks->weight_quantizer(layers[0])->state(), QuantState::QuantStateQuantized);
  EXPECT_EQ(net.hooks->weight_quantizer(layers[1])->state(), QuantState::QuantStateNoisy);
  EXPECT_EQ(net.hooks->weight_quantizer(layers[2])->state(), QuantState::QuantStateOff);
  s.apply(net, 2.0);  // all stages done
  for (int l : layers) EXPECT_EQ(net.hooks->weight_quantizer(l)->state(), QuantState::QuantStateQuantized);
}

TEST(GradualSchedule, UniqFreezesFinishedStagesWeightsBiasAndBatchNorm) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  auto net = attach_quantizers(m, make_plan(m->graph(), "uniq", "w4a4"));
  GradualSchedule s(net, 1.0, /*freeze_done_stages=*/true);
  const Graph& g = m->graph();
  const int conv2 = g.find("conv2"), fc1 = g.find("fc1");
  const auto bn2 = m->batchnorm(g.find("bn2"));
  m->weight(conv2).mutable_grad() = torch::ones_like(m->weight(conv2));
  s.apply(net, 0.5);  // stage 0 (conv2) noisy: nothing frozen yet
  EXPECT_TRUE(m->weight(conv2).requires_grad());
  s.apply(net, 1.5);  // stage 1: conv2 done and frozen, with its BatchNorm
  EXPECT_FALSE(m->weight(conv2).requires_grad());
  EXPECT_FALSE(m->weight(conv2).grad().defined());  // no stale gradient for momentum or decay
  EXPECT_FALSE(bn2->weight.requires_grad());
  EXPECT_TRUE(m->weight(fc1).requires_grad());
  quantize_all(net);  // evaluation and export: everything trainable again
  EXPECT_TRUE(m->weight(conv2).requires_grad());
  EXPECT_TRUE(bn2->weight.requires_grad());
}

TEST(QatSession, NiceW4A4OnLeNetSubsetStaysNearFp32AndReportsTraces) {
  const DatasetPair data = open_dataset("fashion-mnist");
  GraphModule m(lenet5(Shape{1, 28, 28}, 10), 5);
  TrainConfig fp;
  fp.epochs = 2;
  fp.train_limit = 8192;
  fp.test_limit = 1000;
  fp.optimizer = OptimizerKind::OptimizerAdam;
  fp.lr = 2e-3;
  fp.weight_decay = 0;
  ASSERT_TRUE(train(m, data, fp).ok());

  QatConfig c;
  c.train = fp;
  c.train.epochs = 1;
  c.train.lr = 2e-4;
  c.plan = make_plan(m->graph(), "nice", "w4a4");
  int snapshots = 0, traced = 0;
  auto r = run_qat(m, data, c, [&](const QatSnapshot& s) {
    ++snapshots;
    if (!s.traces.empty()) {
      ++traced;
      EXPECT_FALSE(s.histograms.empty());
    }
    return true;
  });
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->num_stages, 4);
  // w4a4 fine-tuned for one epoch keeps within 3 points of FP32 on these 1000 images.
  constexpr double kMaxDropPoints = 3.0;
  EXPECT_GT(r->quantized.top1, r->fp32.top1 - kMaxDropPoints);
  EXPECT_GT(traced, 1);
  // Weights of quantized layers are on their grid after the session.
  const int conv2 = m->graph().find("conv2");
  auto q = std::dynamic_pointer_cast<NiceWeightQuantizer>(r->net.hooks->weight_quantizer(conv2));
  ASSERT_TRUE(q);
  auto codes = q->quantize(m->weight(conv2)).detach() / q->step();
  EXPECT_LT((codes - codes.round()).abs().max().item<double>(), 1e-3);
  EXPECT_LE(codes.abs().max().item<double>(), 7.0 + 1e-3);
}

TEST(QuantHooks, QuantizerStandsInForTheReluWithIdenticalOutput) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10), 2);
  auto net = attach_quantizers(m, make_plan(m->graph(), "nice", "w4a4"));
  torch::manual_seed(1);
  calibrate(net, {torch::randn({8, 1, 28, 28})});
  quantize_all(net);
  m->eval();
  const int relu = m->graph().find("relu3");  // fc1 -> relu3 -> fc2: a site fc2 reads
  ASSERT_TRUE(net.hooks->replaces(relu));
  auto outs = m->forward_all(torch::randn({4, 1, 28, 28}));
  const auto expected = net.hooks->activation_quantizer(relu)->quantize(
      torch::relu(outs[m->graph().node(relu).inputs[0]]));
  EXPECT_TRUE(torch::equal(outs[relu], expected));
  EXPECT_GE(outs[relu].min().item<float>(), 0.0f);
}

TEST(QatSession, CancelDuringEpochKeepsLastQuantizedCheckpoint) {
  const DatasetPair data = open_dataset("fashion-mnist");
  GraphModule m(lenet5(Shape{1, 28, 28}, 10), 6);
  QatConfig c;
  c.train.epochs = 2;
  c.train.train_limit = 1024;
  c.train.test_limit = 200;
  c.train.batch_size = 64;
  c.train.lr = 1e-3;
  c.train.checkpoint_path = std::string(BITSHIFT_TEST_TMP) + "/cancelled-qat.bsck";
  std::remove(c.train.checkpoint_path.c_str());
  c.plan = make_plan(m->graph(), "lsq", "w4a4");
  auto r = run_qat(m, data, c, [](const QatSnapshot& s) {
    return !(s.train.epoch == 1 && !s.train.epoch_end);  // cancel inside the second epoch
  });
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r->train.cancelled);
  const Checkpoint ck = load_checkpoint(c.train.checkpoint_path);
  EXPECT_EQ(ck.meta.at("epoch"), 1);
  ASSERT_TRUE(is_quantized(ck));
  EXPECT_EQ(load_quantized(ck, c.train.checkpoint_path).plan, c.plan);
}

TEST(QuantHooks, NiceLayersSeeTheirBiasOnTheirOwnAccumulatorGrid) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10), 3);
  auto net = attach_quantizers(m, make_plan(m->graph(), "nice", "w4a4", EdgePolicy::EdgePolicyQuantized));
  torch::manual_seed(2);
  calibrate(net, {torch::randn({16, 1, 28, 28})});
  quantize_all(net);
  const int fc2 = m->graph().find("fc2");
  auto w = std::dynamic_pointer_cast<NiceWeightQuantizer>(net.hooks->weight_quantizer(fc2));
  ASSERT_TRUE(w);
  const ActivationSite* site = nullptr;
  for (const auto& s : net.hooks->sites())
    for (int r : s.readers)
      if (r == fc2) site = &s;
  ASSERT_NE(site, nullptr);
  const double delta_b = w->step() * net.hooks->activation_quantizer(site->node)->grid().scale;
  const auto b = m->bias(fc2).detach();
  const auto q = net.hooks->bias(fc2, b);
  const auto codes = q.to(torch::kFloat64) / delta_b;
  constexpr double kGridTolerance = 1e-3;  // float32 bias over a float64 step
  EXPECT_LT((codes - codes.round()).abs().max().item<double>(), kGridTolerance);
  EXPECT_LE((q - b).abs().max().item<double>(), delta_b / 2 * (1 + 1e-4));
  // While calibrating the FP32 bias passes unchanged.
  net.hooks->set_calibrating(true);
  EXPECT_TRUE(torch::equal(net.hooks->bias(fc2, b), b));
  net.hooks->set_calibrating(false);
}

TEST(QatSession, AnErrorHistogramOfOverflowedValuesNamesTheLayerInsteadOfCrashing) {
  const auto e = torch::tensor({0.5f, std::numeric_limits<float>::quiet_NaN(), -0.25f});
  try {
    error_histogram("features.1.block.1.scale_activation", "activation", e, 8);
    FAIL() << "no error";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find(
                  "the activation quantization error of 'features.1.block.1.scale_activation' is NaN"),
              std::string::npos)
        << err.what();
  }
  const ErrorHistogram h = error_histogram("conv1", "weight", torch::tensor({0.5f, -0.25f}), 4);
  EXPECT_EQ(h.counts, (std::vector<int64_t>{0, 1, 0, 1}));  // [-0.5, 0.5] in 4 bins
}
