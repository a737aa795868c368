#include "import/onnx_import.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "deploy/host/sha256.h"
#include "graph/op.h"
#include "import/imported_graph.h"
#include "import/onnx_attrs.h"
#include "import/onnx_converter.h"
#include "import/onnx_file.h"
#include "import/onnx_fold.h"
#include "import/quantized_import.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift {
namespace onnx_import {

const std::set<std::string>& supported_ops() {
  static const std::set<std::string> ops = {
      "Conv",       "Gemm",    "MatMul",      "BatchNormalization", "Relu",
      "LeakyRelu",  "Sigmoid", "HardSigmoid", "HardSwish",          "Clip",
      "Add",        "Mul",     "MaxPool",     "AveragePool",        "GlobalAveragePool",
      "ReduceMean", "Flatten", "Reshape",     "Transpose",          "Split",
      "Slice",      "Concat",  "Pad",         "Identity",           "Dropout",
      "Constant",   "Shape",   "Gather",      "Unsqueeze",          "Squeeze",
      "Cast",       "Sub",     "Div",         "ConstantOfShape",    "Floor",
      "Sqrt",       "Softmax", "LogSoftmax"};
  return ops;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Checkpoint OnnxConverter::run() {
  require(opset_ >= 7 && opset_ <= 18,
          where_model() + ": opset " + std::to_string(opset_) + " is outside the supported 7-18");
  for (const auto& t : model_.graph().initializer()) {
    Value v;
    v.is_const = true;
    v.constant = onnx_tensor(t, dir_, where_model());
    values_[t.name()] = v;
  }
  read_input();
  count_uses();
  find_fusions();
  for (const auto& n : model_.graph().node()) convert(n);
  if (!unsupported_.empty()) throw Error(unsupported_message());
  return finish();
}

void OnnxConverter::read_input() {
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const auto& in : model_.graph().input())
    if (!values_.count(in.name())) inputs.push_back(&in);
  require(inputs.size() == 1,
          where_model() + ": expected one image input, found " + std::to_string(inputs.size()));
  const auto& info = *inputs[0];
  require(info.type().has_tensor_type() && info.type().tensor_type().has_shape() &&
              info.type().tensor_type().shape().dim_size() == 4,
          where_model() + ": input '" + info.name() + "' must be a 4-D tensor [N, C, H, W]");
  const auto& dims = info.type().tensor_type().shape().dim();
  // A channels-last input [N, H, W, C] (tf2onnx, Keras, or a permute in forward) that goes only
  // into Transpose(perm 0,3,1,2) is read as the [N, C, H, W] after it.
  int consumers = 0, nhwc_transposes = 0;
  for (const auto& n : model_.graph().node())
    for (const auto& in : n.input())
      if (in == info.name()) {
        ++consumers;
        if (n.op_type() == "Transpose" && attr_ints(n, "perm") == std::vector<int64_t>{0, 3, 1, 2})
          ++nhwc_transposes;
      }
  input_nhwc_ = consumers > 0 && consumers == nhwc_transposes;
  int64_t chw[3];
  for (int k = 1; k < 4; ++k) {
    require(dims[k].has_dim_value(),
            where_model() + ": input '" + info.name() + "' dimension " + std::to_string(k) +
                " is not fixed; export with fixed C, H and W (only the batch may vary)");
    chw[input_nhwc_ ? k % 3 : k - 1] = dims[k].dim_value();  // NHWC: H->1, W->2, C->0
  }
  if (input_nhwc_) notes_.push_back("channels-last input: its Transpose to NCHW absorbed");
  input_name_ = info.name();
  require(chw[0] >= 1 && chw[0] <= kMaxInputChannels && chw[1] >= 1 && chw[1] <= kMaxInputSide &&
              chw[2] >= 1 && chw[2] <= kMaxInputSide,
          where_model() + ": input shape " + std::to_string(chw[0]) + "x" + std::to_string(chw[1]) +
              "x" + std::to_string(chw[2]) + " is outside 1.." + std::to_string(kMaxInputChannels) +
              " channels and 1.." + std::to_string(kMaxInputSide) + " pixels a side");
  const std::string stem = std::filesystem::path(path_).stem().string();
  graph_ = Graph(stem.empty() ? "imported" : stem, Shape{chw[0], chw[1], chw[2], false}, 1);
  names_.unique("input", "input");
  Value v;
  v.node = 0;
  values_[info.name()] = v;
}

void OnnxConverter::count_uses() {
  for (const auto& n : model_.graph().node())
    for (const auto& in : n.input()) ++uses_[in];
  for (const auto& out : model_.graph().output()) ++uses_[out.name()];
}

void OnnxConverter::find_fusions() {
  std::map<std::string, const onnx::NodeProto*> producer;
  for (const auto& n : model_.graph().node())
    for (const auto& out : n.output()) producer[out] = &n;
  for (const auto& n : model_.graph().node()) {
    if (n.op_type() == "Mul" && n.input_size() == 2) {
      for (int k = 0; k < 2; ++k) {
        auto it = producer.find(n.input(k));
        if (it == producer.end() || uses_[n.input(k)] != 1) continue;
        const onnx::NodeProto& g = *it->second;
        if (g.input_size() != 1 || g.input(0) != n.input(1 - k)) continue;
        const bool torch_hardsigmoid =
            g.op_type() == "HardSigmoid" &&
            static_cast<float>(attr_float(g, "alpha", 0.2)) == 1.0f / 6.0f &&
            attr_float(g, "beta", 0.5) == 0.5;
        if (g.op_type() != "Sigmoid" && !torch_hardsigmoid) continue;
        skipped_.insert(g.output(0));
        fused_mul_[n.output(0)] =
            Fusion{g.op_type() == "Sigmoid" ? OpKind::SiLU : OpKind::HardSwish, n.input(1 - k)};
        break;
      }
    }
    if (n.op_type() == "Add" && n.input_size() == 2) {
      for (int k = 0; k < 2; ++k) {
        auto it = producer.find(n.input(k));
        if (it == producer.end() || it->second->op_type() != "MatMul" || uses_[n.input(k)] != 1)
          continue;
        matmul_bias_[n.input(k)] = n.input(1 - k);
        add_alias_[n.output(0)] = n.input(k);
        break;
      }
    }
  }
}

const Value& OnnxConverter::value(const onnx::NodeProto& n, const std::string& name) {
  auto it = values_.find(name);
  require(it != values_.end(), where(n) + ": input '" + name +
                                   "' is not computed before it (the graph is not in "
                                   "topological order or has a cycle)");
  return it->second;
}

void OnnxConverter::convert(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (n.output_size() == 1 && skipped_.count(n.output(0))) return;
  if (n.output_size() == 1 && add_alias_.count(n.output(0))) {
    values_[n.output(0)] = value(n, add_alias_[n.output(0)]);
    return;
  }
  auto fused = fused_mul_.find(n.output_size() == 1 ? n.output(0) : "");
  if (fused != fused_mul_.end()) {
    const Value& src = value(n, fused->second.source);
    if (src.unsupported) {
      values_[n.output(0)].unsupported = true;
      return;
    }
    try {
      set_node(n.output(0), emit(layer_name(n, "", op_name(fused->second.kind)), fused->second.kind,
                                 {node_of(n, &src)}));
    } catch (const Unsupported& u) {
      unsupported_.push_back(op + " '" + n.name() + "': " + u.why);
      values_[n.output(0)].unsupported = true;
    }
    return;
  }
  const bool quant = is_quant_op(n);
  const bool known =
      quant || (supported_ops().count(op) > 0 && (n.domain().empty() || n.domain() == "ai.onnx"));
  bool any_unsupported = false, all_const = true;
  std::vector<const Value*> in;
  for (const auto& name : n.input()) {
    if (name.empty()) {
      in.push_back(nullptr);
      continue;
    }
    const Value& v = value(n, name);
    in.push_back(&v);
    any_unsupported |= v.unsupported;
    all_const &= v.is_const;
  }
  if (!known) {
    unsupported_.push_back(op + " '" + n.name() + "'" +
                           (n.domain().empty() ? "" : " (domain " + n.domain() + ")"));
  }
  if (!known || any_unsupported) {
    for (const auto& out : n.output()) values_[out].unsupported = true;
    return;
  }
  if (quant || (op == "Clip" && in[0] && (in[0]->codes || (in[0]->is_const &&
                                                          !in[0]->constant.is_floating_point())))) {
    try {
      convert_quant(n, in);
    } catch (const Unsupported& u) {
      unsupported_.push_back(op + " '" + n.name() + "': " + u.why);
      for (const auto& out : n.output()) values_[out].unsupported = true;
    }
    return;
  }
  if (all_const && is_foldable(op)) {
    std::vector<torch::Tensor> consts;
    for (const Value* v : in) consts.push_back(v ? v->constant : torch::Tensor());
    const auto outs = fold_onnx_node(n, opset_, consts, dir_, where(n));
    for (int k = 0; k < n.output_size() && k < static_cast<int>(outs.size()); ++k)
      set_const(n.output(k), outs[k]);
    return;
  }
  try {
    convert_runtime(n, in);
  } catch (const Unsupported& u) {
    unsupported_.push_back(op + " '" + n.name() + "': " + u.why);
    for (const auto& out : n.output()) values_[out].unsupported = true;
  }
}

std::string OnnxConverter::layer_name(const onnx::NodeProto& n, const std::string& parameter,
                                      const std::string& label) {
  std::string want = module_path_from_parameter(parameter);
  if (want.empty()) want = module_path_from_scope(n.name());
  if (!want.empty() && !names_.taken(want)) return names_.unique(want, "");
  const std::string op_part =
      label.empty() ? lower(n.name().substr(n.name().rfind('/') + 1)) : label;
  if (!want.empty()) return names_.unique(want + "." + op_part, lower(n.op_type()));
  return names_.unique(op_part, lower(n.op_type()));
}

std::string OnnxConverter::unsupported_message() const {
  std::string msg = where_model() + " (opset " + std::to_string(opset_) + ") has " +
                    std::to_string(unsupported_.size()) + " node(s) Bitshift cannot import:\n";
  for (const auto& u : unsupported_) msg += "  " + u + "\n";
  msg += "supported ONNX ops:";
  for (const auto& op : supported_ops()) msg += " " + op;
  return msg;
}

Checkpoint OnnxConverter::finish() {
  const onnx::GraphProto& g = model_.graph();
  require(g.output_size() == 1, where_model() + ": expected one output (the logits), found " +
                                    std::to_string(g.output_size()));
  const auto out = values_.find(g.output(0).name());
  require(out != values_.end(), where_model() + ": output '" + g.output(0).name() +
                                    "' is computed by no node (expected the logits)");
  const Value& v = out->second;
  require(!v.is_const && !v.padded && !v.shuffle_groups,
          where_model() + ": output '" + g.output(0).name() + "' is not computed from the image");
  const Node& last = graph_.node(v.node);
  require(last.out_shape.flat, where_model() + ": output '" + g.output(0).name() + "' is " +
                                   last.out_shape.str() +
                                   "; a classifier ends in a flat vector of logits");
  Checkpoint ck = imported_checkpoint(graph_, v.node, tensors_);
  ck.meta["origin"] = {{"file", path_},
                       {"format", "onnx"},
                       {"opset", opset_},
                       {"producer", model_.producer_name() + " " + model_.producer_version()},
                       {"ir_version", model_.ir_version()}};
  if (!notes_.empty()) ck.meta["origin"]["notes"] = notes_;
  write_quantized_meta(ck.meta);
  read_normalization(ck);
  return ck;
}

void OnnxConverter::read_normalization(Checkpoint& ck) const {
  // Bitshift's own exports record the normalisation their input expects.
  auto floats = [&](const std::string& key) {
    std::vector<float> out;
    for (const auto& p : model_.metadata_props())
      if (p.key() == key) {
        std::stringstream s(p.value());
        std::string part;
        while (std::getline(s, part, ',')) {
          try {
            out.push_back(std::stof(part));
          } catch (const std::exception&) {
            throw Error(where_model() + ": metadata '" + key + "' is not a list of numbers: '" +
                        p.value() + "'");
          }
        }
      }
    return out;
  };
  Normalization norm;
  norm.mean = floats("normalization_mean");
  norm.std = floats("normalization_std");
  const size_t c = static_cast<size_t>(graph_.input_shape().c);
  if (norm.mean.empty() && norm.std.empty()) return;
  require(norm.mean.size() == c && norm.std.size() == c &&
              std::all_of(norm.std.begin(), norm.std.end(), [](float v) { return v > 0; }),
          where_model() + ": metadata normalization_mean/std must give " + std::to_string(c) +
              " values each (std > 0)");
  ck.normalization = norm;
}

}  // namespace onnx_import

Checkpoint import_onnx(const std::string& path) {
  Checkpoint ck = onnx_import::OnnxConverter(path, read_onnx_model(path)).run();
  if (ck.meta.contains("quantized_file")) ck = fixed_grid_checkpoint(ck, path);
  ck.meta["origin"]["sha256"] = sha256_hex(read_file(path));
  return ck;
}

}  // namespace bitshift
