// Quantized checkpoints: what is saved is what loads, to the last bit of every logit.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "models/zoo.h"
#include "quant/gradual_schedule.h"
#include "train/quantized_checkpoint.h"
#include "util/error.h"

using namespace bitshift;

namespace {
std::string tmp_file(const std::string& name) { return std::string(BITSHIFT_TEST_TMP) + "/" + name; }

void round_trip(const std::string& method, const std::string& bits, Granularity g) {
  torch::manual_seed(9);
  GraphModule m(lenet5(Shape{1, 28, 28}, 10), 4);
  QuantPlan plan = make_plan(m->graph(), method, bits, EdgePolicy::EdgePolicyQuantized);
  for (auto& l : plan.layers) l.granularity = g;
  auto net = attach_quantizers(m, plan);
  calibrate(net, {torch::randn({16, 1, 28, 28})});
  quantize_all(net);
  m->eval();
  const auto x = torch::randn({5, 1, 28, 28});
  const auto before = m->forward(x);
  const std::string path = tmp_file("q-" + method + ".bsck");
  save_checkpoint(path, make_quantized_checkpoint(net, Normalization{{0.3f}, {0.3f}}, "fashion-mnist"));
  const Checkpoint ck = load_checkpoint(path);
  ASSERT_TRUE(is_quantized(ck));
  QuantizedNetwork back = load_quantized(ck, path);
  back.model->eval();
  EXPECT_EQ(back.plan, plan);
  EXPECT_TRUE(torch::equal(back.model->forward(x), before)) << method;
}
}  // namespace

TEST(QuantizedCheckpoint, NiceRoundTripGivesIdenticalLogits) {
  round_trip("nice", "w4a4", Granularity::GranularityPerTensor);
}

TEST(QuantizedCheckpoint, PerChannelLsqStepsKeepTheirShape) {
  round_trip("lsq", "w3a3", Granularity::GranularityPerChannel);
}

TEST(QuantizedCheckpoint, PotLutTablesAndExponentsComeBack) {
  round_trip("pot-lut", "w4a8", Granularity::GranularityPerChannel);
}

TEST(QuantizedCheckpoint, FloatCheckpointIsNotTakenForAQuantizedOne) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  const Checkpoint ck = make_checkpoint(m, Normalization{{0.3f}, {0.3f}}, "fashion-mnist");
  EXPECT_FALSE(is_quantized(ck));
  EXPECT_THROW(load_quantized(ck, "fp.bsck"), Error);
}

TEST(QuantizedCheckpoint, ANanClampIsRefusedAtLoadNamingTheTensorAndTheFile) {
  torch::manual_seed(9);
  GraphModule m(lenet5(Shape{1, 28, 28}, 10), 4);
  auto net = attach_quantizers(m, make_plan(m->graph(), "nice", "w4a4", EdgePolicy::EdgePolicyQuantized));
  calibrate(net, {torch::randn({16, 1, 28, 28})});
  Checkpoint ck = make_quantized_checkpoint(net, Normalization{{0.3f}, {0.3f}}, "fashion-mnist");
  std::string damaged;
  for (auto& [name, t] : ck.tensors)
    if (name.rfind("quant.", 0) == 0 && t.is_floating_point()) {
      t.fill_(std::numeric_limits<float>::quiet_NaN());
      damaged = name;
      break;
    }
  ASSERT_FALSE(damaged.empty());
  const std::string path = tmp_file("q-nan.bsck");
  save_checkpoint(path, ck);
  try {
    load_quantized(load_checkpoint(path), path);
    ADD_FAILURE() << "a NaN quantizer tensor was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint '" + path + "': quantizer tensor '" + damaged +
                                         "' holds NaN or infinite values"),
              std::string::npos)
        << e.what();
  }
}
