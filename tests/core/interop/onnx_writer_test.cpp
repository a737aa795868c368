// The float graph as ONNX: every op spells itself (Op::write_onnx), checked by running the
// written file in ONNX Runtime on the import fixtures' batches against PyTorch's own logits —
// a round trip torch.onnx.export -> Bitshift's graph -> Bitshift's ONNX -> ONNX Runtime.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <set>

#include "../import/fixtures.h"
#include "graph/op.h"
#include "import/onnx_import.h"
#include "interop/onnx_writer.h"
#include "models/zoo.h"
#include "peer_runner.h"

using namespace bitshift;
using namespace bitshift::testing;

TEST(OnnxWriter, EveryOpRunsInOnnxRuntimeAsPyTorchComputedIt) {
  std::set<OpKind> seen;
  std::filesystem::create_directories(interop_tmp());
  for (const ImportFixture& f : import_fixtures()) {
    if (f.onnx.empty()) continue;
    SCOPED_TRACE(f.name);
    GraphModule m = module_from_checkpoint(import_onnx(f.onnx));
    m->eval();
    for (const Node& n : m->graph().nodes()) seen.insert(n.kind);
    const std::string path = interop_tmp() + "/" + f.name + ".fp32.onnx";
    save_onnx(OnnxWriter(m, 13).write(), path);
    const torch::Tensor y = run_onnx_runtime(path, f.input);
    ASSERT_TRUE(y.defined());
    EXPECT_LE(relative_error(y, f.logits), kLogitRelTol);
  }
  // The zoo's own graphs (dropout appears only there: the importers drop it), freshly
  // initialized, against their forward pass.
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({4, 1, 28, 28});
  for (const ZooEntry& z : zoo_models()) {
    SCOPED_TRACE(z.name);
    GraphModule m(build_model(z.name, Shape{1, 28, 28}, 10));
    m->eval();
    for (const Node& n : m->graph().nodes()) seen.insert(n.kind);
    const std::string path = interop_tmp() + "/" + z.name + ".fp32.onnx";
    save_onnx(OnnxWriter(m, 13).write(), path);
    const torch::Tensor y = run_onnx_runtime(path, x);
    ASSERT_TRUE(y.defined());
    torch::NoGradGuard no_grad;
    EXPECT_LE(relative_error(y, m->forward(x)), kLogitRelTol);
  }
  for (OpKind k : all_op_kinds())
    EXPECT_TRUE(seen.count(k)) << "no fixture has a '" << op_name(k)
                               << "' node: its ONNX form goes untested";
}
