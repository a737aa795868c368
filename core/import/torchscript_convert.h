#pragma once
// Inside the TorchScript importer: what a TorchScript value stands for while converting, and the
// converter that walks the inlined graph (torchscript_import.cpp: walking, folding, arguments;
// torchscript_prims.cpp: prim:: nodes and containers) with the helpers its op mappings use
// (torchscript_ops.cpp, torchscript_layout_ops.cpp).
#include <torch/csrc/jit/ir/ir.h>
#include <torch/script.h>

#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "import/layer_names.h"
#include "train/checkpoint.h"

namespace bitshift::torchscript {

// Stands for the batch size, unknown at import, in folded shape values (x.size(0)); the same
// marker as the ONNX importer's.
constexpr int64_t kBatchDim = -987654321;

using JitNode = torch::jit::Node;
using JitValue = torch::jit::Value;

// What a TorchScript value stands for.
struct TsValue {
  enum class Kind { Const, Node, List, Unsupported };
  Kind kind = Kind::Unsupported;
  c10::IValue constant;        // Const: a module, tensor, int, list, ...
  std::string path;            // Const: attribute path from the model ("layer1.0.conv1.weight")
  int node = -1;               // Node: the graph node computing it
  int64_t shuffle_groups = 0;  // Node viewed as [N, g, C/g, H, W] on the way to a shuffle
  bool shuffle_transposed = false;  // ... and transposed to [N, C/g, g, H, W]
  torch::Tensor matmul_weight;      // Node not yet emitted: x @ w (a linear; its bias may follow)
  std::string matmul_name;
  std::vector<TsValue> items;  // List: a list or tuple holding computed tensors

  static TsValue of_const(c10::IValue v, std::string path = "") {
    TsValue t;
    t.kind = Kind::Const;
    t.constant = std::move(v);
    t.path = std::move(path);
    return t;
  }
  static TsValue of_node(int node) {
    TsValue t;
    t.kind = Kind::Node;
    t.node = node;
    return t;
  }
  bool is_const() const { return kind == Kind::Const; }
  bool pending_matmul() const { return matmul_weight.defined(); }
};

// Thrown by an op mapping that cannot take this node; the reason goes into the error list.
struct Unsupported {
  std::string why;
};

class Converter;
using OpMapping = void (*)(Converter&, const JitNode*);

// The aten ops that compute from the image, by kind ("aten::relu"), with their mapping
// (torchscript_ops.cpp); the part that only moves values around (torchscript_layout_ops.cpp).
const std::map<std::string, OpMapping>& op_mappings();
std::map<std::string, OpMapping> layout_op_mappings();

class Converter {
 public:
  Converter(std::string path, torch::jit::Module module, Shape input);
  Checkpoint run();

  // ---- for the op mappings
  const TsValue& value(const JitValue* v) const;
  const TsValue& in(const JitNode* n, size_t i) const { return value(n->input(i)); }
  void set(const JitValue* v, TsValue t) { values_[v] = std::move(t); }
  void set_node(const JitValue* v, int node) { set(v, TsValue::of_node(node)); }

  // The graph node computing input i, which must come from the image (emits a pending linear).
  int node_of(const JitNode* n, size_t i);
  int node_of(const TsValue& v);
  const Shape& shape_of(int node) const { return graph_.node(node).out_shape; }
  int64_t rank_of(int node) const { return shape_of(node).flat ? 2 : 4; }

  // Input i as a constant of the given kind; throws Unsupported naming `role` otherwise.
  c10::IValue constant(const JitNode* n, size_t i, const std::string& role) const;
  int64_t int_arg(const JitNode* n, size_t i, const std::string& role) const;
  double number_arg(const JitNode* n, size_t i, const std::string& role) const;
  bool bool_arg(const JitNode* n, size_t i, const std::string& role) const;
  std::vector<int64_t> ints_arg(const JitNode* n, size_t i, const std::string& role) const;
  torch::Tensor tensor_arg(const JitNode* n, size_t i, const std::string& role) const;  // float32
  bool is_none(const JitNode* n, size_t i) const;

  // A unique layer name: the module path of `parameter` ("layer1.0.conv1.weight"), else the
  // module that ran the node (with the op's name after it when the module is a container, as
  // "layer1.0.add"), else the op's name.
  std::string layer_name(const JitNode* n, OpKind kind, const std::string& parameter = "");
  int emit(const std::string& name, OpKind kind, std::vector<int> inputs, Node attrs = {});
  // The same, named by layer_name(n, kind).
  int emit(const JitNode* n, OpKind kind, std::vector<int> inputs, Node attrs = {}) {
    return emit(layer_name(n, kind), kind, std::move(inputs), std::move(attrs));
  }
  void add_tensor(const std::string& name, const torch::Tensor& t) { tensors_[name] = t; }

 private:
  std::string where_model() const { return "TorchScript model '" + path_ + "'"; }
  std::string describe(const JitNode* n) const;
  std::string module_path(const JitNode* n) const;
  bool is_container(const std::string& module_path) const;

  void run_block(const torch::jit::Block* block);
  void convert(const JitNode* n);
  bool convert_structural(const JitNode* n);  // prim:: nodes, containers, shape queries
  void fold(const JitNode* n);
  void convert_runtime(const JitNode* n);
  void mark_unsupported(const JitNode* n, const std::string& why);
  std::string unsupported_message() const;
  Checkpoint finish(const JitValue* output);

  std::string path_;
  torch::jit::Module module_;
  std::shared_ptr<torch::jit::Graph> jit_graph_;
  Graph graph_;
  std::map<const JitValue*, TsValue> values_;
  std::map<std::string, torch::Tensor> tensors_;
  LayerNamer names_;
  std::vector<std::string> unsupported_;
};

inline int64_t normalized_dim(int64_t d, int64_t rank) { return d < 0 ? d + rank : d; }

// The node's output is its input 0 (dropout at inference, copies).
inline void identity(Converter& c, const JitNode* n) {
  c.node_of(n, 0);
  c.set(n->output(), c.in(n, 0));
}

// One new graph node of `kind` reading input 0.
inline void unary(Converter& c, const JitNode* n, OpKind kind, Node attrs = {}) {
  const int x = c.node_of(n, 0);
  c.set_node(n->output(), c.emit(n, kind, {x}, attrs));
}

}  // namespace bitshift::torchscript
