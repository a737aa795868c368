#include "interop/onnx_writer.h"

#include <torch/torch.h>

#include "graph/op.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift {

namespace {

onnx::TypeProto tensor_type(int32_t elem, const std::vector<int64_t>& dims, int64_t batch) {
  onnx::TypeProto t;
  auto* tt = t.mutable_tensor_type();
  tt->set_elem_type(elem);
  auto* shape = tt->mutable_shape();
  for (size_t i = 0; i < dims.size(); ++i) {
    auto* d = shape->add_dim();
    if (i == 0 && batch <= 0)
      d->set_dim_param("N");  // any batch
    else if (i == 0)
      d->set_dim_value(batch);
    else
      d->set_dim_value(dims[i]);
  }
  return t;
}

void set_attr(onnx::AttributeProto& p, const OnnxAttr& a) {
  p.set_name(a.name);
  switch (a.kind) {
    case OnnxAttr::Kind::Int:
      p.set_type(onnx::AttributeProto::INT);
      p.set_i(a.i);
      break;
    case OnnxAttr::Kind::Ints:
      p.set_type(onnx::AttributeProto::INTS);
      for (int64_t v : a.ints) p.add_ints(v);
      break;
    case OnnxAttr::Kind::Float:
      p.set_type(onnx::AttributeProto::FLOAT);
      p.set_f(a.f);
      break;
    case OnnxAttr::Kind::String:
      p.set_type(onnx::AttributeProto::STRING);
      p.set_s(a.s);
      break;
  }
}

}  // namespace

int32_t onnx_element_type(const torch::Tensor& t) {
  switch (t.scalar_type()) {
    case torch::kFloat32:
      return onnx::TensorProto::FLOAT;
    case torch::kFloat64:
      return onnx::TensorProto::DOUBLE;
    case torch::kInt8:
      return onnx::TensorProto::INT8;
    case torch::kUInt8:
      return onnx::TensorProto::UINT8;
    case torch::kInt32:
      return onnx::TensorProto::INT32;
    case torch::kInt64:
      return onnx::TensorProto::INT64;
    default:
      throw Error(std::string("no ONNX element type for ") + c10::toString(t.scalar_type()));
  }
}

onnx::TensorProto tensor_proto(const std::string& name, const torch::Tensor& t) {
  onnx::TensorProto p;
  p.set_name(name);
  p.set_data_type(onnx_element_type(t));
  for (int64_t d : t.sizes()) p.add_dims(d);
  const torch::Tensor c = t.detach().cpu().contiguous();
  p.set_raw_data(std::string(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size()));
  return p;
}

void save_onnx(const onnx::ModelProto& model, const std::string& path) {
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    throw Error("'" + path + "': the ONNX model does not serialize (over 2 GB?)");
  write_file_atomic(path, bytes);
}

OnnxWriter::OnnxWriter(GraphModule model, int64_t opset)
    : model_(std::move(model)), opset_(opset) {}

onnx::ModelProto OnnxWriter::write(int64_t batch) {
  proto_ = onnx::ModelProto();
  proto_.set_ir_version(opset_ <= 11 ? 6 : 7);  // what ONNX 1.6 / 1.8 wrote for these opsets
  proto_.set_producer_name("bitshift");
  proto_.set_producer_version(BITSHIFT_VERSION);
  auto* op = proto_.add_opset_import();
  op->set_domain("");
  op->set_version(opset_);
  for (const auto& [domain, version] : extra_domains()) {
    auto* d = proto_.add_opset_import();
    d->set_domain(domain);
    d->set_version(version);
  }
  const Graph& g = graph();
  graph_ = proto_.mutable_graph();
  graph_->set_name(g.name());
  names_.assign(g.size(), "");
  used_.clear();

  const Shape in = g.input_shape();
  auto* x = graph_->add_input();
  x->set_name(unique("input"));
  *x->mutable_type() = tensor_type(onnx::TensorProto::FLOAT, {1, in.c, in.h, in.w}, batch);
  for (int i = 0; i < g.size(); ++i) {
    current_ = i;
    const Node& n = g.node(i);
    if (i == 0) {
      names_[0] = after_output(0, "input");
      continue;
    }
    const std::string out = output();  // the node's name; "logits" for the last
    used_.insert(out);
    op_of(n).write_onnx(n, *this);
    names_[i] = after_output(i, out);
  }
  const Shape o = g.node(g.size() - 1).out_shape;
  auto* y = graph_->add_output();
  y->set_name(names_.back());
  *y->mutable_type() = tensor_type(onnx::TensorProto::FLOAT, {1, o.c}, batch);
  graph_ = nullptr;
  return proto_;
}

std::string OnnxWriter::input(size_t i) const {
  const Node& n = graph().node(current_);
  if (i >= n.inputs.size()) throw Error("node '" + n.name + "' has no input " + std::to_string(i));
  return names_[n.inputs[i]];
}

std::string OnnxWriter::output() const {
  return current_ == graph().size() - 1 ? "logits" : graph().node(current_).name;
}

std::string OnnxWriter::weight() { return write_weight(current_, model_->weight(current_)); }

std::string OnnxWriter::bias() {
  const torch::Tensor b = model_->bias(current_);
  return b.defined() ? write_bias(current_, b) : "";
}

torch::Tensor OnnxWriter::parameter(const std::string& name) const {
  const std::string key = graph().node(current_).name + "." + name;
  // named_parameters()/named_buffers() return new dictionaries: keep each alive while its
  // element is read (ASan found the use after free).
  const auto params = model_->named_parameters();
  if (const auto* p = params.find(key)) return *p;
  const auto buffers = model_->named_buffers();
  if (const auto* b = buffers.find(key)) return *b;
  throw Error("node '" + graph().node(current_).name + "' has no parameter '" + name + "'");
}

std::string OnnxWriter::constant(const std::string& suffix, const torch::Tensor& t) {
  return initializer(graph().node(current_).name + "." + suffix, t);
}

std::string OnnxWriter::intermediate(const std::string& suffix) {
  return unique(graph().node(current_).name + "." + suffix);
}

void OnnxWriter::node(const std::string& op_type, std::vector<std::string> inputs,
                      std::vector<std::string> outputs, std::vector<OnnxAttr> attrs) {
  auto* n = graph_->add_node();
  n->set_op_type(op_type);
  n->set_name(unique("/" + graph().node(current_).name + "/" + op_type));  // PyTorch's scope form
  for (const auto& s : inputs) n->add_input(s);
  for (const auto& s : outputs) n->add_output(s);
  for (const auto& a : attrs) set_attr(*n->add_attribute(), a);
}

std::string OnnxWriter::write_weight(int node, const torch::Tensor& w) {
  return initializer(graph().node(node).name + ".weight", w.to(torch::kFloat32));
}

std::string OnnxWriter::write_bias(int node, const torch::Tensor& b) {
  return initializer(graph().node(node).name + ".bias", b.to(torch::kFloat32));
}

std::string OnnxWriter::initializer(const std::string& name, const torch::Tensor& t) {
  const std::string unique_name = unique(name);
  *graph_->add_initializer() = tensor_proto(unique_name, t);
  return unique_name;
}

void OnnxWriter::fail(int node, const std::string& why) const {
  throw Error("layer '" + graph().node(node).name + "': " + why);
}

std::string OnnxWriter::unique(const std::string& name) {
  std::string s = name;
  for (int k = 2; used_.count(s); ++k) s = name + "_" + std::to_string(k);
  used_.insert(s);
  return s;
}

}  // namespace bitshift
