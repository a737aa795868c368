// batchnorm2d: per-channel batch normalisation with learned scale and shift and running
// statistics (folded into the preceding convolution when lowered to integers).
#include <torch/nn/modules/batchnorm.h>
#include <nlohmann/json.hpp>

#include "dist/sync_batchnorm.h"
#include "graph/onnx_emitter.h"
#include "graph/op.h"
#include "util/error.h"

namespace bitshift {
namespace {
constexpr double kDefaultEps = 1e-5;  // PyTorch's; EfficientNet and MobileNetV3 use 1e-3

struct BatchNorm2dOp final : Op {
  const char* name() const override { return "batchnorm2d"; }

  void write_attrs(const Node& n, nlohmann::json& j) const override {
    if (n.eps != kDefaultEps) j["eps"] = n.eps;
  }
  void read_attrs(const nlohmann::json& j, Node& n) const override {
    n.eps = j.value("eps", kDefaultEps);
  }
  Shape infer_shape(const Node& n, const std::string& where) const override {
    require(!n.in_shape.flat, where + ": needs a CxHxW input");
    require(n.eps > 0 && n.eps < 1,
            where + ": eps must be in (0, 1), got " + std::to_string(n.eps));
    return n.in_shape;
  }
  int64_t params(const Node& n) const override {
    return 2 * n.in_shape.c;  // gamma and beta; running statistics are buffers
  }
  std::shared_ptr<torch::nn::Module> make_module(const Node& n) const override {
    return std::make_shared<torch::nn::BatchNorm2dImpl>(
        torch::nn::BatchNormOptions(n.in_shape.c).eps(n.eps));
  }
  // Inference form: the running statistics.
  void write_onnx(const Node& n, OnnxEmitter& e) const override {
    e.node("BatchNormalization",
           {e.input(0), e.constant("weight", e.parameter("weight")),
            e.constant("bias", e.parameter("bias")),
            e.constant("running_mean", e.parameter("running_mean")),
            e.constant("running_var", e.parameter("running_var"))},
           {e.output()}, {OnnxAttr::of("epsilon", static_cast<float>(n.eps))});
  }
  torch::Tensor forward(const Node&, const std::vector<torch::Tensor>& in,
                        const OpRun& run) const override {
    auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(run.module);
    // Data-parallel training normalises over the global batch, as one process would.
    if (run.training && run.replicas != nullptr && run.replicas->size() > 1)
      return sync_batch_norm(in[0], *bn, *run.replicas);
    return bn->forward(in[0]);
  }
};
}  // namespace
const Op& op_batchnorm2d() {
  static const BatchNorm2dOp op;
  return op;
}
}  // namespace bitshift
