// Checkpoints: round trip, atomic write, wrong architecture and damaged files.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <torch/torch.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "models/zoo.h"
#include "train/checkpoint.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "../test_util.h"

using namespace bitshift;
using bitshift::testing::error_of;
namespace fs = std::filesystem;

namespace {

std::string tmp(const std::string& name) { return std::string(BITSHIFT_TEST_TMP) + "/" + name; }

Normalization norm() { return Normalization{{0.28f}, {0.35f}}; }

}  // namespace

TEST(Checkpoint, RoundTripRestoresEveryParameterAndBuffer) {
  torch::manual_seed(3);
  GraphModule a(resnet20(Shape{1, 28, 28}, 10));
  a->forward(torch::randn({4, 1, 28, 28}));  // moves BN running statistics off their init
  Checkpoint ck = make_checkpoint(a, norm(), "fashion-mnist", {{"epoch", 3}});
  ck.optimizer_state = std::string("\0\1\2opt", 6);
  const std::string path = tmp("roundtrip.bsck");
  save_checkpoint(path, ck);
  const Checkpoint back = load_checkpoint(path);
  EXPECT_EQ(back.dataset, "fashion-mnist");
  EXPECT_EQ(back.meta.at("epoch"), 3);
  EXPECT_EQ(back.optimizer_state, ck.optimizer_state);
  EXPECT_EQ(back.normalization.mean, norm().mean);
  GraphModule b = module_from_checkpoint(back);
  auto pa = a->named_parameters(), pb = b->named_parameters();
  for (const auto& p : pa) EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
  auto ba = a->named_buffers(), bb = b->named_buffers();
  for (const auto& p : ba) EXPECT_TRUE(torch::equal(p.value(), bb[p.key()])) << p.key();
  // No temporary of this checkpoint left (other tests' may be in flight beside it).
  for (const auto& f : fs::directory_iterator(BITSHIFT_TEST_TMP))
    EXPECT_NE(f.path().filename().string().rfind("roundtrip.bsck.tmp.", 0), 0u)
        << "left behind: " << f.path();
}

TEST(Checkpoint, LoadingIntoAnotherArchitectureNamesBothModels) {
  GraphModule lenet(lenet5(Shape{1, 28, 28}, 10));
  const std::string path = tmp("lenet.bsck");
  save_checkpoint(path, make_checkpoint(lenet, norm(), "fashion-mnist"));
  GraphModule resnet(resnet20(Shape{1, 28, 28}, 10));
  const std::string msg = error_of([&] { load_weights(resnet, load_checkpoint(path), path); });
  EXPECT_NE(msg.find("lenet5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("resnet20"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
}

TEST(Checkpoint, TruncatedFileIsRejectedNamingTheFile) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  const std::string path = tmp("truncated.bsck");
  save_checkpoint(path, make_checkpoint(m, norm(), "fashion-mnist"));
  std::string bytes = read_file(path);
  write_file_atomic(path, bytes.substr(0, bytes.size() - 100));
  const std::string msg = error_of([&] { load_checkpoint(path); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST(Checkpoint, ForeignFileIsRejectedByItsMagic) {
  const std::string path = tmp("not-a-checkpoint.bsck");
  write_file_atomic(path, "PK\3\4 this is a zip, not a checkpoint");
  const std::string msg = error_of([&] { load_checkpoint(path); });
  EXPECT_NE(msg.find("BSCKPT01"), std::string::npos) << msg;
}

TEST(Checkpoint, MissingFileIsNamed) {
  const std::string msg = error_of([&] { load_checkpoint(tmp("absent.bsck")); });
  EXPECT_NE(msg.find("absent.bsck"), std::string::npos) << msg;
}

TEST(Checkpoint, AFlippedByteInTheTensorDataIsFoundNamingTheFile) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  const std::string path = tmp("flipped.bsck");
  save_checkpoint(path, make_checkpoint(m, norm(), "fashion-mnist"));
  std::string bytes = read_file(path);
  bytes[bytes.size() - 1000] ^= 0x10;  // one bit of one weight
  write_file_atomic(path, bytes);
  const std::string msg = error_of([&] { load_checkpoint(path); });
  EXPECT_CONTAINS(msg, "checkpoint '" + path + "': its tensor data is damaged");
}

// Saves LeNet-5 to `name`, lets `edit` change its JSON header, writes it back; returns the path.
std::string checkpoint_with_header(const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  const std::string path = tmp(name);
  save_checkpoint(path, make_checkpoint(m, norm(), "fashion-mnist"));
  const std::string bytes = read_file(path);
  uint64_t hlen = 0;
  std::memcpy(&hlen, bytes.data() + 8, 8);  // little-endian on every machine this runs on
  auto header = nlohmann::json::parse(bytes.substr(16, hlen));
  edit(header);
  const std::string h = header.dump();
  std::string out = bytes.substr(0, 8);
  const uint64_t n = h.size();
  out.append(reinterpret_cast<const char*>(&n), 8);
  write_file_atomic(path, out + h + bytes.substr(16 + hlen));
  return path;
}

TEST(Checkpoint, AnAbsurdDeclaredShapeIsRefusedBeforeAllocating) {
  std::string first;
  const std::string path = checkpoint_with_header("absurd-shape.bsck", [&](nlohmann::json& header) {
    header["tensors"][0]["shape"] = {int64_t{1} << 31, int64_t{1} << 31};  // 2^62 floats
    first = header["tensors"][0]["name"].get<std::string>();
  });
  const std::string msg = error_of([&] { load_checkpoint(path); });
  EXPECT_CONTAINS(msg, "checkpoint '" + path + "': tensor '" + first + "' declares shape [2147483648, 2147483648]");
}

TEST(Checkpoint, AnEmptyTensorWithHugeOtherDimensionsIsRefusedBeforeAllocating) {
  // Zero bytes, so no byte count bounds it; LibTorch would still compute (and overflow) the
  // strides of [0, 2^62, 2^62] and crash.
  std::string first;
  const std::string path = checkpoint_with_header("empty-huge.bsck", [&](nlohmann::json& header) {
    header["tensors"][0]["shape"] = {0, int64_t{1} << 62, int64_t{1} << 62};
    header["tensors"][0]["nbytes"] = 0;
    first = header["tensors"][0]["name"].get<std::string>();
  });
  EXPECT_CONTAINS(error_of([&] { load_checkpoint(path); }),
                  "checkpoint '" + path + "': tensor '" + first + "' declares shape [0, 4611686018427387904, "
                  "4611686018427387904]: dims would need more than");
}

TEST(Checkpoint, AFieldOfTheWrongTypeIsNamedWithItsPlaceInTheHeader) {
  const std::string path = checkpoint_with_header("wrong-type.bsck", [](nlohmann::json& header) {
    header["tensors"][1]["name"] = 7;
  });
  EXPECT_CONTAINS(error_of([&] { load_checkpoint(path); }),
                  "checkpoint '" + path + "': malformed header: field 'tensors[1].name': type must be string, but is number");
  const std::string in_graph = checkpoint_with_header("wrong-type-graph.bsck", [](nlohmann::json& header) {
    header["graph"]["nodes"][2]["op"] = true;
  });
  EXPECT_CONTAINS(error_of([&] { load_checkpoint(in_graph); }),
                  "field 'graph.nodes[2].op': type must be string, but is boolean");
}

TEST(Checkpoint, TemporariesOfDeadWritersAreCleanedOnTheNextWrite) {
  // A writer killed mid-write (kill -9) leaves "<file>.tmp.<pid>.<n>"; the next write of the
  // file removes those of processes that no longer exist, and leaves a live writer's alone.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // a pid that is gone
  const std::string path = tmp("stale.bsck");
  const std::string dead = path + ".tmp." + std::to_string(child) + ".0";
  const std::string live = path + ".tmp." + std::to_string(::getpid()) + ".999";
  write_file_atomic(dead, "half a checkpoint");
  write_file_atomic(live, "another writer's, still running");
  GraphModule m(lenet5(Shape{1, 28, 28}, 10));
  save_checkpoint(path, make_checkpoint(m, norm(), "fashion-mnist"));
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));
  fs::remove(live);
}
