// TorchScript import: loads the archive, inlines forward() and walks it once, keeping for every
// TorchScript value what it stands for (a constant, a graph node, a list of them). Nodes whose
// inputs are all constants run through LibTorch; prim:: nodes are read in torchscript_prims.cpp;
// aten ops that compute from the image are mapped in torchscript_ops.cpp and
// torchscript_layout_ops.cpp.
#include "import/torchscript_import.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/ir/scope.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "deploy/host/sha256.h"
#include "import/imported_graph.h"
#include "import/torchscript_convert.h"
#include "import/zip_check.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift {
namespace torchscript {

namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

bool is_inplace(const JitNode* n) {
  const std::string s = n->kind().toUnqualString();
  return n->kind().is_aten() && s.size() > 1 && s.back() == '_' && s[s.size() - 2] != '_';
}

}  // namespace

Converter::Converter(std::string path, torch::jit::Module module, Shape input)
    : path_(std::move(path)), module_(std::move(module)) {
  const std::string stem = std::filesystem::path(path_).stem().string();
  graph_ = Graph(stem.empty() ? "imported" : stem, input, 1);
  names_.unique("input", "input");
}

Checkpoint Converter::run() {
  require(module_.find_method("forward").has_value(), where_model() + " has no forward()");
  jit_graph_ = module_.get_method("forward").graph()->copy();
  torch::jit::Inline(*jit_graph_);  // submodules' forward() become aten ops in one graph
  const auto inputs = jit_graph_->inputs();
  require(inputs.size() == 2, where_model() + ": forward() takes " +
                                  std::to_string(inputs.size() - 1) +
                                  " inputs; expected one image batch");
  set(inputs[0], TsValue::of_const(c10::IValue(module_._ivalue())));
  set_node(inputs[1], 0);
  run_block(jit_graph_->block());
  if (!unsupported_.empty()) throw Error(unsupported_message());
  const auto outputs = jit_graph_->outputs();
  require(outputs.size() == 1, where_model() + ": forward() must return one tensor (the logits)");
  return finish(outputs[0]);
}

const TsValue& Converter::value(const JitValue* v) const {
  auto it = values_.find(v);
  require(it != values_.end(),
          where_model() + ": value %" + v->debugName() + " is used before it is computed");
  return it->second;
}

std::string Converter::module_path(const JitNode* n) const {
  std::string path;
  if (auto cs = n->callstack())
    for (const auto& entry : (*cs)->vec())
      if (const auto& info = std::get<2>(entry))
        path += (path.empty() ? "" : ".") + info->instance_name();
  return path;
}

std::string Converter::describe(const JitNode* n) const {
  std::string s = n->kind().toQualString();
  const std::string module = module_path(n);
  if (!module.empty()) s += " in '" + module + "'";
  const auto origin = n->sourceRange().findSourceRangeThatGenerated();
  const auto range = origin ? *origin : n->sourceRange();
  if (const auto flc = range.file_line_col())
    s += " at " + std::get<0>(*flc) + ":" + std::to_string(std::get<1>(*flc));
  return s;
}

std::string Converter::layer_name(const JitNode* n, OpKind kind, const std::string& parameter) {
  const std::string op = op_name(kind);
  const size_t dot = parameter.rfind('.');
  if (dot != std::string::npos) return names_.unique(parameter.substr(0, dot), op);
  const std::string module = module_path(n);
  if (module.empty()) return names_.unique(op, op);
  return names_.unique(is_container(module) ? module + "." + op : module, op);
}

// Whether the submodule at `path` holds submodules (its forward() is more than one op).
bool Converter::is_container(const std::string& path) const {
  torch::jit::Module m = module_;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = std::min(path.find('.', start), path.size());
    const std::string part = path.substr(start, dot - start);
    if (!m.hasattr(part) || !m.attr(part).isModule()) return false;
    m = m.attr(part).toModule();
    start = dot + 1;
  }
  return m.children().size() > 0;
}

int Converter::emit(const std::string& name, OpKind kind, std::vector<int> inputs, Node attrs) {
  attrs.name = name;
  attrs.kind = kind;
  attrs.inputs = std::move(inputs);
  return graph_.add(std::move(attrs));
}

int Converter::node_of(const JitNode* n, size_t i) {
  TsValue& t = values_.at(n->input(i));
  if (t.pending_matmul()) {  // x @ W not followed by a bias: a linear without one
    Node a;
    a.out_channels = t.matmul_weight.size(0);
    const int idx = emit(t.matmul_name, OpKind::Linear, {t.node}, a);
    add_tensor(t.matmul_name + ".weight", t.matmul_weight);
    t = TsValue::of_node(idx);
  }
  return node_of(t);
}

int Converter::node_of(const TsValue& t) {
  if (t.kind == TsValue::Kind::Const)
    throw Unsupported{"an input must be computed from the image, not a constant"};
  if (t.kind == TsValue::Kind::List) throw Unsupported{"a list where a tensor is expected"};
  if (t.shuffle_groups) throw Unsupported{"a 5-D view before it that is not a channel shuffle"};
  if (t.kind != TsValue::Kind::Node || t.pending_matmul())
    throw Unsupported{"an input of unknown form"};
  return t.node;
}

bool Converter::is_none(const JitNode* n, size_t i) const {
  return i >= n->inputs().size() || (in(n, i).is_const() && in(n, i).constant.isNone());
}

c10::IValue Converter::constant(const JitNode* n, size_t i, const std::string& role) const {
  if (i >= n->inputs().size() || !in(n, i).is_const())
    throw Unsupported{"its " + role + " must be a constant"};
  return in(n, i).constant;
}

int64_t Converter::int_arg(const JitNode* n, size_t i, const std::string& role) const {
  const c10::IValue v = constant(n, i, role);
  if (v.isInt()) return v.toInt();
  if (v.isBool()) return v.toBool();
  if (v.isTensor() && v.toTensor().numel() == 1 && !v.toTensor().is_floating_point())
    return v.toTensor().item<int64_t>();
  throw Unsupported{"its " + role + " must be an integer, got " + v.tagKind()};
}

double Converter::number_arg(const JitNode* n, size_t i, const std::string& role) const {
  const c10::IValue v = constant(n, i, role);
  if (v.isDouble()) return v.toDouble();
  if (v.isInt()) return static_cast<double>(v.toInt());
  if (v.isBool()) return v.toBool();
  if (v.isTensor() && v.toTensor().numel() == 1) return v.toTensor().item<double>();
  throw Unsupported{"its " + role + " must be a number, got " + v.tagKind()};
}

bool Converter::bool_arg(const JitNode* n, size_t i, const std::string& role) const {
  const c10::IValue v = constant(n, i, role);
  if (v.isBool()) return v.toBool();
  if (v.isInt()) return v.toInt() != 0;
  throw Unsupported{"its " + role + " must be a boolean, got " + v.tagKind()};
}

std::vector<int64_t> Converter::ints_arg(const JitNode* n, size_t i,
                                         const std::string& role) const {
  const c10::IValue v = constant(n, i, role);
  if (v.isIntList()) return v.toIntVector();
  if (v.isInt()) return {v.toInt()};
  if (v.isList()) {  // int?[] and the like: every element must be an int
    std::vector<int64_t> out;
    for (const auto& e : v.toListRef()) {
      if (!e.isInt()) throw Unsupported{"its " + role + " must be integers"};
      out.push_back(e.toInt());
    }
    return out;
  }
  throw Unsupported{"its " + role + " must be a list of integers, got " + v.tagKind()};
}

torch::Tensor Converter::tensor_arg(const JitNode* n, size_t i, const std::string& role) const {
  const c10::IValue v = constant(n, i, role);
  if (!v.isTensor()) throw Unsupported{"its " + role + " must be a tensor, got " + v.tagKind()};
  return v.toTensor().detach().to(torch::kCPU, torch::kFloat32).contiguous().clone();
}

void Converter::run_block(const torch::jit::Block* block) {
  for (const JitNode* n : block->nodes()) convert(n);
}

void Converter::mark_unsupported(const JitNode* n, const std::string& why) {
  unsupported_.push_back(describe(n) + (why.empty() ? "" : ": " + why));
  for (const JitValue* out : n->outputs()) set(out, TsValue{});
}

void Converter::convert(const JitNode* n) {
  bool all_const = true;
  for (const JitValue* v : n->inputs()) {
    const TsValue& t = value(v);
    if (t.kind == TsValue::Kind::Unsupported) {  // made by a node already listed
      for (const JitValue* out : n->outputs()) set(out, TsValue{});
      return;
    }
    all_const &= t.is_const();
  }
  if (convert_structural(n)) return;
  if (all_const) return fold(n);
  if (op_mappings().count(n->kind().toQualString())) return convert_runtime(n);
  mark_unsupported(n, "");
}

void Converter::convert_runtime(const JitNode* n) {
  try {
    op_mappings().at(n->kind().toQualString())(*this, n);
  } catch (const Unsupported& u) {
    return mark_unsupported(n, u.why);
  } catch (const Error& e) {
    throw Error(where_model() + ", " + describe(n) + ": " + e.what() + " (is the input shape " +
                graph_.input_shape().str() + " the model's?)");
  }
  // relu_, add_, ... change their first input: whoever reads it later reads the result.
  if (is_inplace(n) && n->outputs().size() == 1 && value(n->input(0)).kind == TsValue::Kind::Node)
    set(n->input(0), value(n->output()));
}

// Runs a node whose inputs are all constants with LibTorch's own implementation of it.
void Converter::fold(const JitNode* n) {
  if (!n->blocks().empty()) return mark_unsupported(n, "a control-flow node");
  const c10::FunctionSchema* schema = n->maybeSchema();
  if (schema && schema->is_vararg()) return mark_unsupported(n, "a variadic op");
  std::string path;
  int tensors_with_path = 0;
  torch::jit::Stack stack;
  for (const JitValue* v : n->inputs()) {
    const TsValue& t = value(v);
    if (t.constant.isObject()) return mark_unsupported(n, "an op on a module object");
    if (t.constant.isTensor() && !t.path.empty()) path = t.path, ++tensors_with_path;
    stack.push_back(t.constant);
  }
  if (schema && schema->is_mutable() && tensors_with_path > 0)
    return mark_unsupported(n, "it would change the model's tensors in place");
  try {
    n->getOperation()(stack);
  } catch (const std::exception& e) {
    return mark_unsupported(n, "cannot be evaluated on constants: " + first_line(e.what()));
  }
  if (stack.size() != n->outputs().size())
    return mark_unsupported(n, "gave " + std::to_string(stack.size()) + " values");
  // t(), to(), contiguous() of a weight keep its name, for the layer that reads it.
  for (size_t k = 0; k < stack.size(); ++k)
    set(n->output(k), TsValue::of_const(stack[k], tensors_with_path == 1 ? path : ""));
}

std::string Converter::unsupported_message() const {
  std::string msg = where_model() + " (input " + graph_.input_shape().str() + ") has " +
                    std::to_string(unsupported_.size()) + " node(s) Bitshift cannot import:\n";
  for (const auto& u : unsupported_) msg += "  " + u + "\n";
  msg +=
      "supported ops (and their in-place forms; constants, module attributes and shape "
      "arithmetic are evaluated):";
  for (const auto& [kind, mapping] : op_mappings())
    if (kind.back() != '_') msg += " " + kind;
  return msg;
}

Checkpoint Converter::finish(const JitValue* output) {
  const TsValue& v = value(output);
  require(v.kind == TsValue::Kind::Node && !v.shuffle_groups,
          where_model() + ": forward() does not return one tensor computed from the image");
  const int last_index = node_of(v);
  const Node& last = graph_.node(last_index);
  require(last.out_shape.flat, where_model() + ": the output is " + last.out_shape.str() +
                                   "; a classifier ends in a flat vector of logits");
  Checkpoint ck = imported_checkpoint(graph_, last_index, tensors_);
  ck.meta["origin"] = {
      {"file", path_},
      {"format", "torchscript"},
      {"module", module_.type()->name() ? module_.type()->name()->qualifiedName() : std::string()}};
  return ck;
}

namespace {

// One sample's C×H×W from the graph's input type, when the file records it completely.
std::optional<Shape> recorded_input_shape(torch::jit::Module& module) {
  if (!module.find_method("forward")) return std::nullopt;
  const auto graph = module.get_method("forward").graph();
  if (graph->inputs().size() != 2) return std::nullopt;
  const auto type = graph->inputs()[1]->type()->cast<c10::TensorType>();
  if (!type) return std::nullopt;
  const auto sizes = type->sizes().concrete_sizes();
  if (!sizes || sizes->size() != 4) return std::nullopt;
  return Shape{(*sizes)[1], (*sizes)[2], (*sizes)[3], false};
}

std::string producer_of(const std::string& path) {
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    return "torch.jit, archive format version " + std::to_string(reader.version());
  } catch (const std::exception&) {
    return "torch.jit";
  }
}

}  // namespace
}  // namespace torchscript

Checkpoint import_torchscript(const std::string& path, std::optional<Shape> input) {
  const std::string where = "TorchScript model '" + path + "'";
  require(std::filesystem::is_regular_file(path), where + ": no such file");
  check_zip_entries(path, where);  // damaged entries crash LibTorch's loader
  torch::jit::Module module;
  try {
    module = torch::jit::load(path, torch::kCPU);
    module.eval();
    if (!input) input = torchscript::recorded_input_shape(module);
  } catch (const c10::Error& e) {
    throw Error(where + " cannot be read as a TorchScript archive (torch.jit.save): " +
                torchscript::first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw Error(where + " cannot be read as a TorchScript archive (torch.jit.save): " +
                torchscript::first_line(e.what()));
  }
  require(input.has_value(), where + ": give the input shape C×H×W (the file does not record it)");
  require(!input->flat && input->c >= 1 && input->h >= 1 && input->w >= 1,
          where + ": input shape " + input->str() + " must be a positive C×H×W");
  Checkpoint ck = torchscript::Converter(path, std::move(module), *input).run();
  ck.meta["origin"]["producer"] = torchscript::producer_of(path);
  ck.meta["origin"]["sha256"] = sha256_hex(read_file(path));
  return ck;
}

}  // namespace bitshift
