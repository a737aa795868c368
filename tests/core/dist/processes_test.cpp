// `bitshift-cli quantize --nproc 2` as a user runs it: two replica processes against one
// process on the same global batches, for NICE, LSQ and UNIQ; the checkpoints written are
// compared tensor by tensor.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "dist/gloo_replicas.h"
#include "train/checkpoint.h"

using namespace bitshift;

namespace {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs a shell command line, capturing exit code, stdout and stderr.
CliRun shell(const std::string& command) {
  const std::string err_path = std::string(BITSHIFT_TEST_TMP) + "/dist-stderr-" + std::to_string(::getpid());
  FILE* p = ::popen((command + " 2>" + err_path).c_str(), "r");
  CliRun r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_path);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  std::remove(err_path.c_str());
  return r;
}

CliRun cli(const std::string& args) { return shell(std::string(BITSHIFT_CLI) + " " + args); }

// Two replicas sum each step's gradients in another order than one process; over 8 steps of
// QAT a few weights then land on the other side of a rounding boundary. Seen on LeNet-5 w4a4,
// 1024 images: weights within 1.4e-4 (NICE), 4e-6 (UNIQ), 5e-7 (LSQ); clamps and steps within
// 4e-7; top-1 within 0.2 points.
constexpr double kQatWeightTolerance = 1e-3;
constexpr double kQuantizerTolerance = 1e-4;  // relative
constexpr double kTop1Points = 0.5;

std::string tmp(const std::string& name) { return std::string(BITSHIFT_TEST_TMP) + "/" + name; }

struct Difference {
  double weights = 0.0;     // max |a - b| over the model's float tensors
  double quantizers = 0.0;  // max relative difference of the quantizers' tensors (clamps, steps)
};

Difference compare(const Checkpoint& a, const Checkpoint& b) {
  Difference d;
  EXPECT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [name, ta] : a.tensors) {
    const auto it = b.tensors.find(name);
    if (it == b.tensors.end()) {
      ADD_FAILURE() << name << " missing";
      continue;
    }
    if (!ta.is_floating_point()) {
      EXPECT_TRUE(ta.equal(it->second)) << name;
      continue;
    }
    const auto x = ta.to(torch::kDouble), y = it->second.to(torch::kDouble);
    // Quantizer state is registered under the layer's name with an "_w"/"_a" module key.
    const bool quantizer = name.find("_w.") != std::string::npos || name.find("_a.") != std::string::npos;
    if (quantizer)
      d.quantizers = std::max(d.quantizers, ((x - y).abs() / y.abs().clamp_min(1e-12)).max().item<double>());
    else
      d.weights = std::max(d.weights, (x - y).abs().max().item<double>());
  }
  return d;
}

}  // namespace

class TwoProcesses : public ::testing::TestWithParam<std::string> {};

TEST_P(TwoProcesses, QuantizeAsOneProcessDoes) {
  const std::string m = GetParam();
  const std::string common = "quantize --model lenet5 --method " + m +
                             " --bits w4a4 --epochs 1 --train-limit 1024 --test-limit 1000 --json";
  const CliRun one = cli(common + " --threads 1 --out " + tmp("dp-one-" + m + ".bsck"));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const CliRun two = cli(common + " --nproc 2 --out " + tmp("dp-two-" + m + ".bsck"));
  ASSERT_EQ(two.exit_code, 0) << two.err;
  const auto a = nlohmann::json::parse(one.out), b = nlohmann::json::parse(two.out);
  EXPECT_EQ(b["config"]["world_size"], 2);
  EXPECT_FALSE(a["config"].contains("world_size"));
  const Difference d = compare(load_checkpoint(tmp("dp-two-" + m + ".bsck")), load_checkpoint(tmp("dp-one-" + m + ".bsck")));
  std::printf("%s: top-1 %.2f vs %.2f, weights %.3g, quantizers %.3g\n", m.c_str(),
              b["top1"].get<double>(), a["top1"].get<double>(), d.weights, d.quantizers);
  EXPECT_LT(d.weights, kQatWeightTolerance);
  EXPECT_LT(d.quantizers, kQuantizerTolerance);
  EXPECT_NEAR(b["top1"].get<double>(), a["top1"].get<double>(), kTop1Points);
  EXPECT_NEAR(b["history"][0]["train_loss"].get<double>(), a["history"][0]["train_loss"].get<double>(), 0.01);
  // Rank 0 alone speaks: one progress bar, one summary.
  EXPECT_EQ(two.err.find("checkpoint:"), two.err.rfind("checkpoint:")) << two.err;
}

INSTANTIATE_TEST_SUITE_P(Methods, TwoProcesses, ::testing::Values("nice", "lsq", "uniq"));

namespace {

// Every tensor of two checkpoints equal bit for bit.
void expect_same_bits(const Checkpoint& a, const Checkpoint& b) {
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [name, t] : a.tensors) EXPECT_TRUE(t.equal(b.tensors.at(name))) << name;
}

}  // namespace

TEST(TwoProcessesFault, AKilledReplicaStopsTheRunAndResumeFinishesIt) {
  const std::string run = "quantize --model lenet5 --method nice --bits w4a4 --epochs 3 --train-limit 4096 "
                          "--test-limit 500 --nproc 2 --dist-timeout 20 --json";
  const std::string whole = tmp("dp-whole.bsck"), cut = tmp("dp-cut.bsck");
  std::remove(cut.c_str());
  std::remove((cut + ".json").c_str());
  const CliRun uninterrupted = cli(run + " --out " + whole);
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.err;

  // Rank 1 is killed as soon as the first epoch's checkpoint exists.
  const std::string killer = "(while [ ! -f " + cut + " ]; do sleep 0.05; done; pkill -9 -f -- '--out " + cut +
                             ".*--rank 1') &";
  ASSERT_EQ(std::system(killer.c_str()), 0);
  const auto start = std::chrono::steady_clock::now();
  const CliRun killed = cli(run + " --out " + cut);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(killed.exit_code, 0);
  EXPECT_NE(killed.err.find("replica rank 1 of 2"), std::string::npos) << killed.err;
  EXPECT_NE(killed.err.find("killed by signal 9"), std::string::npos) << killed.err;
  EXPECT_NE(killed.err.find("rank 0 of 2"), std::string::npos) << killed.err;  // the survivor says why it stopped
  EXPECT_LT(seconds, 60.0);
  // The record says the run failed and why; the last complete epoch's checkpoint stays valid.
  const auto record = nlohmann::json::parse(std::ifstream(cut + ".json"));
  EXPECT_TRUE(record["failed"].get<bool>());
  EXPECT_NE(record["error"].get<std::string>().find("rank 0 of 2: "), std::string::npos) << record["error"];
  EXPECT_NE(record["error"].get<std::string>().find("rank 1 stopped answering"), std::string::npos) << record["error"];
  const Checkpoint last = load_checkpoint(cut);
  const int done = last.meta.at("epoch").get<int>();
  EXPECT_GE(done, 1);
  EXPECT_LT(done, 3);

  const CliRun resumed = cli(run + " --out " + cut + " --resume " + cut);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto j = nlohmann::json::parse(resumed.out);
  EXPECT_EQ(j["history"].size(), 3u);
  EXPECT_EQ(j["config"]["resumed_from"], cut);
  // Going on from an epoch's checkpoint (weights, quantizers, optimizer, generator) is the same
  // computation as never stopping.
  expect_same_bits(load_checkpoint(cut), load_checkpoint(whole));
  EXPECT_EQ(j["top1"], nlohmann::json::parse(uninterrupted.out)["top1"]);
}

TEST(TwoProcessesFault, AFinishedRunHasNothingToResume) {
  const std::string out = tmp("dp-finished.bsck");
  const std::string run = "quantize --model lenet5 --method lsq --bits w4a4 --epochs 1 --train-limit 256 "
                          "--test-limit 100 --out " + out;
  ASSERT_EQ(cli(run).exit_code, 0);
  const CliRun r = cli(run + " --resume " + out);  // its final checkpoint: the run is over
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("checkpoint '" + out + "' is not the checkpoint of an unfinished run's epoch"),
            std::string::npos) << r.err;
}

TEST(TwoHosts, ExplicitRanksFromTorchrunsEnvironmentMatchNproc) {
  // Two "hosts" over 127.0.0.1: each process started by hand with its rank, as torchrun would
  // (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK), rank 1 in the background.
  const std::string run = std::string(BITSHIFT_CLI) +
                          " quantize --model lenet5 --method lsq --bits w4a4 --epochs 1 --train-limit 1024 "
                          "--test-limit 1000 --json";
  const std::string env = "MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(free_local_port()) + " WORLD_SIZE=2 ";
  const std::string out = " --threads 1 --out " + tmp("dp-hosts.bsck");
  ASSERT_EQ(std::system((env + "RANK=1 " + run + out + " >/dev/null 2>&1 &").c_str()), 0);
  const CliRun rank0 = shell(env + "RANK=0 " + run + out);
  ASSERT_EQ(rank0.exit_code, 0) << rank0.err;
  EXPECT_EQ(nlohmann::json::parse(rank0.out)["config"]["world_size"], 2);
  // The same two replicas started by `--nproc 2` (one thread each) compute the same bits.
  const CliRun nproc = shell(run + " --nproc 2 --out " + tmp("dp-nproc.bsck"));
  ASSERT_EQ(nproc.exit_code, 0) << nproc.err;
  expect_same_bits(load_checkpoint(tmp("dp-hosts.bsck")), load_checkpoint(tmp("dp-nproc.bsck")));
}
