// Resuming an interrupted run from its last epoch's checkpoint is the same computation as never
// stopping: NICE QAT (noise from LibTorch's generator, gradual stages) and FP32 training with
// Adam (optimizer state), compared bit for bit on real Fashion-MNIST.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "../test_util.h"
#include "data/registry.h"
#include "dist/data_parallel.h"
#include "models/zoo.h"
#include "quant/method.h"
#include "train/model_source.h"
#include "train/qat_session.h"
#include "train/resume.h"

using namespace bitshift;

namespace {

const DatasetPair& resume_data() {
  static const DatasetPair data = open_dataset("fashion-mnist");
  return data;
}

std::string resume_path(const std::string& name) { return std::string(BITSHIFT_TEST_TMP) + "/" + name; }

// Stops the run at the end of its first epoch (after that epoch's checkpoint is written).
template <class Snapshot>
bool stop_after_first_epoch(const Snapshot& s) {
  return !(s.epoch_end && s.epoch == 0);
}

// Two short epochs on LeNet-5, writing `checkpoint` after each; from `from` when set.
TrainConfig two_short_epochs(const std::string& checkpoint, std::shared_ptr<const ResumePoint> from) {
  TrainConfig c;
  c.epochs = 2;
  c.train_limit = 512;
  c.test_limit = 200;
  c.batch_size = 64;
  c.threads = 1;
  c.checkpoint_path = checkpoint;
  c.resume = std::move(from);
  return c;
}

}  // namespace

TEST(Resume, NiceQatGoesOnAsIfNeverStopped) {
  auto run = [&](const std::string& checkpoint, bool stop, std::shared_ptr<const ResumePoint> from) {
    DatasetPair data = resume_data();
    LoadedModel m = load_model("lenet5", data, "fashion-mnist");
    QatConfig c;
    c.plan = make_plan(m.module->graph(), "nice", "w4a4");
    c.epochs_per_stage = 0.35;  // the noisy stages reach into the second epoch
    c.train = two_short_epochs(checkpoint, std::move(from));
    c.train.lr = 0.01;
    auto r = run_qat(m.module, data, c, [&](const QatSnapshot& s) {
      return !stop || stop_after_first_epoch(s.train);
    });
    EXPECT_TRUE(r.ok()) << r.error();
    auto state = module_state(*r->net.model);
    for (const auto& t : module_state(*r->net.hooks)) state.push_back(t);
    return std::make_pair(state_fingerprint(state), r.ok() ? r->train.history.size() : 0);
  };
  const auto whole = run(resume_path("resume-whole.bsck"), false, nullptr);
  const auto stopped = run(resume_path("resume-cut.bsck"), true, nullptr);
  const auto from = std::make_shared<ResumePoint>(read_resume_point(resume_path("resume-cut.bsck")));
  EXPECT_EQ(from->epochs_done, 1);
  EXPECT_NE(stopped.first, whole.first);  // one epoch is not two
  const auto resumed = run(resume_path("resume-cut.bsck"), false, from);
  EXPECT_EQ(resumed.second, 2u);  // the history holds both epochs
  EXPECT_EQ(resumed.first, whole.first);
}

TEST(Resume, AdamTrainingGoesOnAsIfNeverStopped) {
  auto run = [&](const std::string& checkpoint, bool stop, std::shared_ptr<const ResumePoint> from) {
    GraphModule m(lenet5(Shape{1, 28, 28}, 10));
    TrainConfig c = two_short_epochs(checkpoint, std::move(from));
    c.optimizer = OptimizerKind::OptimizerAdam;
    c.lr = 1e-3;
    c.crop_padding = 2;
    auto r = train(m, resume_data(), c, [&](const TrainSnapshot& s) { return !stop || stop_after_first_epoch(s); });
    EXPECT_TRUE(r.ok()) << r.error();
    return state_fingerprint(module_state(*m));
  };
  const uint64_t whole = run(resume_path("resume-adam-whole.bsck"), false, nullptr);
  run(resume_path("resume-adam-cut.bsck"), true, nullptr);
  const uint64_t resumed =
      run(resume_path("resume-adam-cut.bsck"), false, std::make_shared<ResumePoint>(read_resume_point(resume_path("resume-adam-cut.bsck"))));
  EXPECT_EQ(resumed, whole);
}

TEST(Resume, ARunThatFinishedHasNothingLeft) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  TrainConfig c;
  c.epochs = 1;
  c.train_limit = 128;
  c.test_limit = 100;
  c.threads = 1;
  c.checkpoint_path = resume_path("resume-done.bsck");
  ASSERT_TRUE(train(m, resume_data(), c).ok());
  c.resume = std::make_shared<ResumePoint>(read_resume_point(c.checkpoint_path));
  auto again = train(m, resume_data(), c);
  ASSERT_FALSE(again.ok());
  EXPECT_CONTAINS(again.error(), "checkpoint '" + c.checkpoint_path + "' has finished 1 of the run's 1 epochs");
  // A baseline (no epochs, no generator state) cannot be resumed from, and says so.
  EXPECT_CONTAINS(bitshift::testing::error_of([] { read_resume_point(std::string(BITSHIFT_RESOURCE_DIR) + "/baselines/lenet5-fashion-mnist.bsck"); }),
                  "is not the checkpoint of an unfinished run's epoch");
}
