#pragma once
// Op: everything the float side knows about one kind of graph node, in one place (one file per
// kind under ops/, listed once in op_list.h). Graph, GraphModule, cost, summaries, quantizer
// placement and the importers ask the op instead of switching on kinds.
#include <torch/nn/module.h>
#include <torch/types.h>
#include <nlohmann/json_fwd.hpp>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "graph/node.h"

namespace bitshift {

class ForwardHooks;
class Replicas;
class OnnxEmitter;

// How quantization treats an op's output.
enum class QuantRole {
  Computes,     // makes new values integers can carry wide (weight layers, batchnorm, add, ReLU,
                // clip): a grid is needed only where a quantized op reads them
  PassesCodes,  // keeps its input's codes on their grid (max pool, reshapes, sums of pools)
  JoinsGrids,   // lays several inputs side by side: they meet on one grid at its output
  LooksUp,      // a function of one value (sigmoid, hard-swish, SiLU, leaky ReLU): its integer
                // form is a table indexed by the input's code, so input and output sit on grids
  Multiplies,   // the product of two tensors (squeeze-excitation gates): both operands sit on
                // grids and the product is requantized
  Averages,     // a mean whose windows divide by different counts (an average pool that leaves
                // padding out of its divisor): each window's sum is requantized by its count,
                // so input and output sit on grids
};

// The sign of an op's output, for choosing a signed or unsigned activation grid.
enum class OutputSign {
  Signed,       // may be negative
  NonNegative,  // never negative (ReLU, sigmoid, ...)
  AsInputs,     // negative only if an input may be
};

// An interval of values.
struct ValueRange {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
};

// What a forward pass hands to one op.
struct OpRun {
  int index = 0;                        // the node's index in the graph
  torch::nn::Module* module = nullptr;  // what make_module() built for it, or null
  ForwardHooks* hooks = nullptr;        // quantization hooks, or null (FP32)
  Replicas* replicas = nullptr;         // data-parallel replicas (BatchNorm syncs), or null
  bool training = false;
};

class Op {
 public:
  virtual ~Op() = default;

  virtual const char* name() const = 0;
  // Number of inputs the op takes: exactly min_inputs() unless max_inputs() is larger (-1: any).
  virtual int min_inputs() const { return 1; }
  virtual int max_inputs() const { return min_inputs(); }
  virtual bool has_weights() const { return false; }
  virtual QuantRole quant_role(const Node&) const { return QuantRole::Computes; }
  virtual OutputSign output_sign(const Node& node) const { return OutputSign::Signed; }
  // Table ops: the inputs where the output still changes; beyond them it is constant, so a grid
  // on the input need not reach further (hard-swish: x >= -3). The whole line by default.
  virtual ValueRange live_inputs(const Node& node) const { return {}; }

  // The op's attributes in JSON (keys of its own only) and back; reading checks their values.
  virtual void write_attrs(const Node& node, nlohmann::json& j) const {}
  virtual void read_attrs(const nlohmann::json& j, Node& node) const {}

  // Output shape from node.in_shapes; throws Error starting with `where` when they do not fit.
  virtual Shape infer_shape(const Node& node, const std::string& where) const = 0;
  // Trainable parameters and multiply-accumulates per sample (weight layers only count MACs).
  virtual int64_t params(const Node& node) const { return 0; }
  virtual int64_t macs(const Node& node) const { return 0; }

  // The LibTorch module holding the node's parameters and buffers (null if it has none).
  virtual std::shared_ptr<torch::nn::Module> make_module(const Node& node) const { return nullptr; }
  virtual torch::Tensor forward(const Node& node, const std::vector<torch::Tensor>& inputs,
                                const OpRun& run) const = 0;
  // The op as standard ONNX nodes computing what forward() computes in evaluation mode
  // (graph/onnx_emitter.h): every interop writer (QDQ, QONNX) asks the op.
  virtual void write_onnx(const Node& node, OnnxEmitter& emitter) const = 0;
};

// The definition of an op kind.
const Op& op_of(OpKind kind);
inline const Op& op_of(const Node& node) { return op_of(node.kind); }

// Every op kind, in op_list.h's order.
const std::vector<OpKind>& all_op_kinds();

}  // namespace bitshift
