#pragma once
// The ONNX importer's working state (private to core/import): what each ONNX tensor name stands
// for while the graph is built, the patterns found before converting, and the nodes that could
// not be imported. onnx_import.cpp drives it; onnx_ops.cpp maps each runtime node to graph ops.
#include <onnx/onnx_pb.h>
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "import/layer_names.h"
#include "import/onnx_file.h"
#include "train/checkpoint.h"

namespace bitshift {
namespace onnx_import {

constexpr int64_t kMaxInputChannels = 4096, kMaxInputSide = 8192;
constexpr float kNoUpperBound = std::numeric_limits<float>::max();  // clip without a max

// Quantized files (QDQ, QONNX; onnx_quant_ops.cpp). A constant that is dequantized weights:
// its values are scale·v with v integers, one scale or one per index of `axis`.
struct ConstGrid {
  torch::Tensor scale;  // float32, [1] or [C]
  int64_t axis = -1;    // -1: one scale
  int bits = 0;         // as the file states it (QONNX's bitwidth), 0 where it does not
  bool bipolar = false;  // ±1 (BipolarQuant)
};

// A runtime value as integer codes, between QuantizeLinear and DequantizeLinear.
struct Codes {
  double scale = 1.0;
  int64_t zero_point = 0, lo = 0, hi = 255;
  double shift = 0.0;  // codes of x + shift (odd levels: an Add each side of the codes)
};

// An activation grid the file puts on a graph node's output: scale·v, v in [lo, hi].
struct FileSite {
  double scale = 1.0;
  int64_t lo = 0, hi = 0;
  int bits = 0;
  int64_t stride = 1;  // 2: odd levels lo, lo + 2, ..., hi (UniQ's, DoReFa's signed inputs)
  std::vector<double> thresholds;  // level lo + #{t <= x} instead (MultiThreshold, N2UQ)
};

// What an ONNX tensor name stands for while converting.
struct Value {
  bool is_const = false;
  torch::Tensor constant;  // when is_const
  int node = -1;           // else: the graph node that computes it
  Window pad;              // a zero Pad not yet merged into the conv or pool that reads it
  bool padded = false;
  int64_t shuffle_groups = 0;       // viewed as [N, g, C/g, H, W] on the way to a channel shuffle
  bool shuffle_transposed = false;  // ... and transposed to [N, C/g, g, H, W]
  bool unsupported = false;         // made by a node that cannot be imported
  std::shared_ptr<const ConstGrid> grid;  // a constant: dequantized weights
  std::shared_ptr<const Codes> codes;     // a runtime value: its integer codes
  // A runtime value plus a constant on its way into codes (`shift`), or dequantized codes that
  // still carry it (`unshift`: the next Add takes it off); see convert_shift_add.
  double shift = 0.0, unshift = 0.0;
  bool shifted = false, unshifting = false;
};

// A node that a pattern takes over: it is skipped, and its output stands for another value.
struct Fusion {
  OpKind kind = OpKind::Input;  // the op that replaces Mul (silu, hardswish)
  std::string source;           // the tensor the fused op reads
};

class OnnxConverter {
 public:
  OnnxConverter(std::string path, onnx::ModelProto model)
      : path_(std::move(path)),
        dir_(std::filesystem::path(path_).parent_path().string()),
        model_(std::move(model)),
        opset_(onnx_opset(model_)) {}

  Checkpoint run();

 private:
  std::string where_model() const { return "ONNX model '" + path_ + "'"; }
  std::string where(const onnx::NodeProto& n) const {
    return where_model() + ", node '" + n.name() + "' (" + n.op_type() + ")";
  }

  void read_input();

  void count_uses();

  // Sigmoid(x)·x -> silu(x), HardSigmoid(x)·x -> hardswish(x) (how opset 13 writes HardSwish),
  // MatMul + Add(constant) -> one linear with its bias.
  void find_fusions();

  const Value& value(const onnx::NodeProto& n, const std::string& name);

  void convert(const onnx::NodeProto& n);

  struct Unsupported {
    std::string why;
  };

  void set_const(const std::string& name, const torch::Tensor& t) {
    Value v;
    v.is_const = true;
    v.constant = t;
    values_[name] = v;
  }
  void set_node(const std::string& name, int node) {
    Value v;
    v.node = node;
    values_[name] = v;
  }

  // The node computing `v`, which must be a plain runtime value.
  int node_of(const onnx::NodeProto& n, const Value* v, const char* role = "input") const {
    if (!v || v->is_const)
      throw Unsupported{std::string("its ") + role +
                        " must be computed from the image, not a constant"};
    if (v->codes)
      throw Unsupported{"it reads integer codes (QuantizeLinear's output), not their values"};
    if (v->shifted || v->unshifting)
      throw Unsupported{"it reads a tensor plus a constant; Bitshift reads an Add of a constant "
                        "only around a QuantizeLinear/DequantizeLinear pair (odd levels)"};
    if (v->padded) throw Unsupported{"a Pad before it (Pad merges into Conv and AveragePool only)"};
    if (v->shuffle_groups)
      throw Unsupported{"a 5-D reshape before it that is not a channel shuffle"};
    return v->node;
  }
  const Shape& shape_of(int node) const { return graph_.node(node).out_shape; }

  torch::Tensor constant(const onnx::NodeProto& n, const Value* v, const char* role) const {
    if (!v || !v->is_const) throw Unsupported{std::string("its ") + role + " must be a constant"};
    return v->constant;
  }

  // A name for a new layer: the module path in the exporter's scope, else the node's own name.
  // `label` names an op without a module scope (a fused silu), else the node's own name does.
  std::string layer_name(const onnx::NodeProto& n, const std::string& parameter = "",
                         const std::string& label = "");

  int emit(const std::string& name, OpKind kind, std::vector<int> inputs, Node attrs = {}) {
    attrs.name = name;
    attrs.kind = kind;
    attrs.inputs = std::move(inputs);
    return graph_.add(std::move(attrs));
  }

  void convert_runtime(const onnx::NodeProto& n, const std::vector<const Value*>& in);

  // QuantizeLinear, DequantizeLinear, Clip on codes, QONNX's Quant and BipolarQuant: weights
  // fold to their dequantized values (the grid kept for the layer that reads them), activation
  // codes pass through to the node they quantize, which records the grid as a FileSite.
  static bool is_quant_op(const onnx::NodeProto& n);
  void convert_quant(const onnx::NodeProto& n, const std::vector<const Value*>& in);
  void record_site(const onnx::NodeProto& n, int node, const FileSite& site);
  // n's output is `node`'s output on the grid `site` (of x + `shift` when shift != 0: odd levels).
  void site_output(const onnx::NodeProto& n, int node, FileSite site, double shift);
  // Add(x, c) with c one constant: the shift before a QuantizeLinear of odd levels, or the
  // unshift after its DequantizeLinear. False: not such an Add.
  bool convert_shift_add(const onnx::NodeProto& n, const std::vector<const Value*>& in);
  // The weight layer `layer` reads `w`: keep its grid, per output channel along `out_axis`.
  void take_weight_grid(const Value* w, const std::string& layer, int64_t out_axis,
                        int64_t out_channels);
  // The ONNX element type of an initializer or Constant output (0 when not found).
  int32_t element_type(const std::string& name) const;
  void write_quantized_meta(nlohmann::json& meta) const;
  // metadata normalization_mean/std (Bitshift's exports) as the checkpoint's normalisation.
  void read_normalization(Checkpoint& ck) const;

  Window conv_window(const onnx::NodeProto& n, const Shape& in, int64_t kh, int64_t kw) const;
  std::string unsupported_message() const;
  Checkpoint finish();

  std::string path_, dir_;
  onnx::ModelProto model_;
  int64_t opset_;
  Graph graph_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> uses_;
  std::set<std::string> skipped_;
  std::map<std::string, Fusion> fused_mul_;
  std::map<std::string, std::string> matmul_bias_, add_alias_;
  std::map<std::string, torch::Tensor> tensors_;
  LayerNamer names_;
  std::vector<std::string> unsupported_;
  std::string input_name_;
  bool input_nhwc_ = false;         // channels-last input read through a leading Transpose
  std::vector<std::string> notes_;  // what the import changed, for the origin record
  std::map<std::string, ConstGrid> layer_grids_;  // by layer name
  std::map<int, FileSite> sites_;                 // by graph node
  std::string quant_format_;                      // "qdq" or "qonnx" once a quant node is seen
};

}  // namespace onnx_import
}  // namespace bitshift
