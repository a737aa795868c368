// TorchScript import of models written by torch.jit.trace and torch.jit.script
// (make_fixtures.py), and of small modules scripted here in C++: every torchvision family and a
// hand-written CNN give PyTorch's logits; layer names are the source's module paths; files that
// are not TorchScript and ops Bitshift lacks are refused with a message naming them.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "../test_util.h"
#include "fixtures.h"
#include "graph/graph_module.h"
#include "import/torchscript_import.h"

namespace bitshift {
namespace {

using testing::error_of;
using testing::import_fixtures;
using testing::kLogitRelTol;
using testing::relative_error;
using testing::run_imported;

Shape sample_shape(const std::vector<int64_t>& batch_shape) {
  return Shape{batch_shape[1], batch_shape[2], batch_shape[3], false};
}

std::string tmp_path(const std::string& name) {
  return std::string(BITSHIFT_TEST_TMP) + "/torchscript-import-" + name;
}

void expect_matches(const std::string& path, const testing::ImportFixture& f) {
  SCOPED_TRACE(path);
  Checkpoint ck;
  try {
    ck = import_torchscript(path, sample_shape(f.input_shape));
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
    return;
  }
  EXPECT_EQ(ck.graph.num_classes(), f.classes);
  const auto y = run_imported(ck, f.input);
  ASSERT_EQ(y.sizes(), f.logits.sizes());
  const double err = relative_error(y, f.logits);
  std::cout << "[ rel err  ] " << std::filesystem::path(path).filename().string() << ": " << err
            << "\n";
  EXPECT_LE(err, kLogitRelTol);
}

TEST(TorchScriptImport, EveryFixtureMatchesPyTorchLogits) {
  const auto fixtures = import_fixtures();
  ASSERT_GE(fixtures.size(), 13u);
  int models = 0;
  for (const auto& f : fixtures) {
    for (const auto& path : {f.torchscript, f.torchscript_script}) {
      if (path.empty()) continue;  // ONNX-only opset variants
      expect_matches(path, f);
      ++models;
    }
  }
  EXPECT_GE(models, 12);  // 11 traced models and the scripted UserNet
}

TEST(TorchScriptImport, ResNet18KeepsTorchvisionLayerNames) {
  const Checkpoint ck =
      import_torchscript(testing::fixture_dir() + "/resnet18.pt", Shape{3, 64, 64, false});
  for (const char* name :
       {"conv1", "bn1", "layer1.0.conv1", "layer1.0.add", "layer2.0.downsample.0",
        "layer2.0.downsample.1", "layer4.1.conv2", "fc"})
    EXPECT_GE(ck.graph.find(name), 0) << name << "\n" << summary_table(ck.graph);
  for (const char* tensor : {"layer1.0.conv1.weight", "layer1.0.bn1.running_var",
                             "layer1.0.bn1.num_batches_tracked", "fc.weight", "fc.bias"})
    EXPECT_TRUE(ck.tensors.count(tensor)) << tensor;
  EXPECT_EQ(ck.meta["origin"]["format"], "torchscript");
  EXPECT_EQ(ck.meta["origin"]["file"], testing::fixture_dir() + "/resnet18.pt");
  EXPECT_EQ(ck.meta["origin"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_CONTAINS(ck.meta["origin"]["producer"].get<std::string>(), "torch.jit");
}

TEST(TorchScriptImport, UserNetOpsArriveAsTheirOwnKinds) {
  for (const char* file : {"/usernet.pt", "/usernet-script.pt"}) {
    SCOPED_TRACE(file);
    const Checkpoint ck =
        import_torchscript(testing::fixture_dir() + file, Shape{1, 28, 28, false});
    std::set<std::string> ops;
    for (const auto& n : ck.graph.nodes()) ops.insert(op_name(n.kind));
    for (const char* op :
         {"conv2d", "batchnorm2d", "concat", "mul", "sigmoid", "hardswish", "silu", "leaky_relu",
          "clip", "add", "maxpool", "avgpool", "gap", "flatten", "linear"})
      EXPECT_TRUE(ops.count(op)) << op << "\n" << summary_table(ck.graph);
    EXPECT_GE(ck.graph.find("conv_dilated"), 0) << summary_table(ck.graph);
  }
}

TEST(TorchScriptImport, InputShapeIsRequiredWhenTheFileDoesNotRecordIt) {
  const std::string msg =
      error_of([] { import_torchscript(testing::fixture_dir() + "/usernet.pt"); });
  EXPECT_CONTAINS(msg, "usernet.pt");
  EXPECT_CONTAINS(msg, "give the input shape");
}

TEST(TorchScriptImport, AWrongInputShapeNamesTheLayerItDoesNotFit) {
  const std::string msg = error_of([] {
    import_torchscript(testing::fixture_dir() + "/resnet18.pt", Shape{1, 28, 28, false});
  });
  EXPECT_CONTAINS(msg, "resnet18.pt");
  EXPECT_CONTAINS(msg, "input 1x28x28");
  EXPECT_CONTAINS(msg, "'conv1'");
}

TEST(TorchScriptImport, RefusesFilesThatAreNotTorchScript) {
  const std::string garbage = tmp_path("garbage.pt");
  {
    std::ofstream out(garbage, std::ios::binary);
    for (int k = 0; k < 4096; ++k) out.put(static_cast<char>((k * 37 + 11) & 0xff));
  }
  const std::string truncated = tmp_path("truncated.pt");
  {
    std::ifstream in(testing::fixture_dir() + "/usernet.pt", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(bytes.size(), 1000u);
    std::ofstream out(truncated, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  for (const auto& path : {garbage, truncated, tmp_path("missing.pt")}) {
    const std::string msg = error_of([&] { import_torchscript(path, Shape{1, 28, 28, false}); });
    EXPECT_CONTAINS(msg, path);
  }
}

// LibTorch's zip reader does not check CRCs and its source parser crashed on a damaged code
// entry (the torchscript fuzz harness): every entry is checked first, and named.
TEST(TorchScriptImport, AFlippedByteInAnyEntryIsRefusedNamingTheEntry) {
  std::ifstream in(testing::fixture_dir() + "/usernet-script.pt", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 3000u);
  for (const size_t at : {bytes.size() / 4, bytes.size() / 3, bytes.size() / 2}) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    const std::string path = tmp_path("flipped.pt");
    std::ofstream(path, std::ios::binary) << damaged;
    const std::string msg = error_of([&] { import_torchscript(path, Shape{1, 28, 28, false}); });
    EXPECT_CONTAINS(msg, "TorchScript model '" + path + "': entry '");
  }
}

// A compressed entry whose directory claims 512 MiB: refused before inflating (a zip bomb, or
// a damaged size), naming the entry.
TEST(TorchScriptImport, ACompressedEntryClaimingHundredsOfMegabytesIsRefused) {
  std::ifstream in(testing::fixture_dir() + "/usernet-script.pt", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t at = 0;
  while ((at = bytes.find(std::string("PK\x01\x02", 4), at)) != std::string::npos &&
         bytes[at + 10] != 8)  // the central directory's first deflated entry
    ++at;
  ASSERT_NE(at, std::string::npos) << "no compressed entry in the fixture";
  const uint32_t huge = 512u << 20;
  std::memcpy(&bytes[at + 24], &huge, 4);  // its uncompressed size
  const std::string path = tmp_path("zip-bomb.pt");
  std::ofstream(path, std::ios::binary) << bytes;
  EXPECT_CONTAINS(error_of([&] { import_torchscript(path, Shape{1, 28, 28, false}); }),
                  "': recorded size 536870912 is more than its data can inflate to");
}

// A module scripted here with ops Bitshift has no node for: every one is listed, with the
// supported ops.
TEST(TorchScriptImport, ListsEveryUnsupportedOp) {
  torch::jit::Module m("Unusual");
  m.register_parameter("weight", torch::randn({4, 1, 3, 3}), false);
  m.define(R"(
def forward(self, x):
    y = torch.conv2d(x, self.weight)
    a = torch.erf(y)
    b = torch.atan(y)
    return torch.flatten(a + b, 1)
)");
  const std::string path = tmp_path("unsupported.pt");
  m.save(path);
  const std::string msg = error_of([&] { import_torchscript(path, Shape{1, 8, 8, false}); });
  EXPECT_CONTAINS(msg, path);
  EXPECT_CONTAINS(msg, "2 node(s)");
  EXPECT_CONTAINS(msg, "aten::erf");
  EXPECT_CONTAINS(msg, "aten::atan");
  EXPECT_CONTAINS(msg, "aten::conv2d");  // in the supported list
}

// Patterns torchvision does not write but hand-written scripts do: x @ W + b, an in-place ReLU
// whose input is read afterwards, channel slices and chunks; checked against the module itself.
TEST(TorchScriptImport, HandWrittenScriptMatchesItsModule) {
  torch::manual_seed(7);
  torch::jit::Module m("HandWritten");
  m.register_parameter("conv_weight", torch::randn({8, 2, 3, 3}) * 0.3, false);
  m.register_parameter("w", torch::randn({8 * 4 * 4, 5}) * 0.1, false);
  m.register_parameter("b", torch::randn({5}), false);
  m.define(R"(
def forward(self, x):
    x = torch.conv2d(x, self.conv_weight, None, [2, 2], [1, 1])
    x.relu_()
    a, b = x.chunk(2, 1)
    y = torch.cat([b, a[:, 1:], x[:, :1]], 1)
    y = torch.max_pool2d(y, [2, 2])
    y = y.reshape(y.size(0), -1)
    return torch.matmul(y, self.w) + self.b
)");
  const std::string path = tmp_path("handwritten.pt");
  m.save(path);
  const Checkpoint ck = import_torchscript(path, Shape{2, 16, 16, false});
  const auto x = torch::randn({3, 2, 16, 16});
  torch::NoGradGuard no_grad;
  const auto want = m.forward({x}).toTensor();
  EXPECT_LE(relative_error(run_imported(ck, x), want), kLogitRelTol) << summary_table(ck.graph);
  EXPECT_EQ(ck.graph.node(ck.graph.output()).kind, OpKind::Linear);
  EXPECT_TRUE(ck.graph.node(ck.graph.output()).bias);
}

}  // namespace
}  // namespace bitshift
