#include "import/onnx_fold.h"

#include <torch/torch.h>

#include <set>

#include "import/onnx_attrs.h"
#include "import/onnx_file.h"
#include "util/error.h"
#include "util/tensor_bounds.h"

namespace bitshift {

namespace {

std::vector<int64_t> ints_of(const torch::Tensor& t) {
  auto c = t.to(torch::kInt64).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

void require_no_batch(const torch::Tensor& t, const std::string& where) {
  if (t.scalar_type() == torch::kInt64 && t.numel() > 0)
    require(!(t == kBatchDim).any().item<bool>(),
            where +
                ": the batch size enters shape arithmetic; export the model with a fixed "
                "batch size or with x.flatten(1)");
}

int64_t axis_of(int64_t axis, int64_t rank, const std::string& where) {
  if (axis < 0) axis += rank;
  require(
      axis >= 0 && axis < std::max<int64_t>(rank, 1),
      where + ": axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return axis;
}

// Unsqueeze/Squeeze/ReduceX take their axes as an attribute before opset 13, as an input after.
std::vector<int64_t> axes_of(const onnx::NodeProto& n, const std::vector<torch::Tensor>& in) {
  if (in.size() > 1 && in[1].defined()) return ints_of(in[1]);
  return attr_ints(n, "axes");
}

torch::Tensor checked_empty(const std::vector<int64_t>& shape, const std::string& where) {
  checked_numel(shape, kMaxTensorElements, where + ": a constant of shape " + c10::str(c10::IntArrayRef(shape)));
  return torch::empty(shape);
}

}  // namespace

bool is_foldable(const std::string& op) {
  static const std::set<std::string> ops = {
      "Constant", "Identity",        "Gather",  "Unsqueeze", "Squeeze", "Concat",
      "Cast",     "Slice",           "Reshape", "Add",       "Sub",     "Mul",
      "Div",      "ConstantOfShape", "Shape",   "Floor",     "Sqrt"};
  return ops.count(op) > 0;
}

std::vector<torch::Tensor> fold_onnx_node(const onnx::NodeProto& n, int64_t opset,
                                          const std::vector<torch::Tensor>& in,
                                          const std::string& model_dir, const std::string& where) {
  const std::string& op = n.op_type();
  auto input = [&](size_t i) {
    require(i < in.size() && in[i].defined(),
            where + ": input " + std::to_string(i) + " is missing");
    return in[i];
  };
  if (op == "Constant") {
    if (const auto* a = onnx_attr(n, "value")) return {onnx_tensor(a->t(), model_dir, where)};
    if (const auto* a = onnx_attr(n, "value_float")) return {torch::tensor(a->f())};
    if (const auto* a = onnx_attr(n, "value_int")) return {torch::tensor(a->i())};
    if (const auto* a = onnx_attr(n, "value_ints"))
      return {torch::tensor(std::vector<int64_t>(a->ints().begin(), a->ints().end()))};
    if (const auto* a = onnx_attr(n, "value_floats"))
      return {torch::tensor(std::vector<float>(a->floats().begin(), a->floats().end()))};
    throw Error(where + ": a Constant without a value this importer reads");
  }
  if (op == "Identity") return {input(0)};
  if (op == "Shape") {  // of a constant
    auto dims = input(0).sizes().vec();
    return {torch::tensor(dims)};
  }
  if (op == "Gather") {
    const auto data = input(0), idx = input(1);
    const int64_t axis = axis_of(attr_int(n, "axis", 0), data.dim(), where);
    auto i = idx.to(torch::kInt64);
    i = torch::where(i < 0, i + data.size(axis), i);
    require((i >= 0).all().item<bool>() && (i < data.size(axis)).all().item<bool>(),
            where + ": Gather index out of range");
    auto picked = data.index_select(axis, i.flatten());
    auto shape = data.sizes().vec();
    shape.erase(shape.begin() + axis);
    shape.insert(shape.begin() + axis, i.sizes().begin(), i.sizes().end());
    return {picked.reshape(shape)};
  }
  if (op == "Unsqueeze") {
    auto x = input(0);
    auto axes = axes_of(n, in);
    const int64_t rank = x.dim() + static_cast<int64_t>(axes.size());
    for (auto& a : axes) a = axis_of(a, rank, where);
    std::sort(axes.begin(), axes.end());
    for (int64_t a : axes) x = x.unsqueeze(a);
    return {x};
  }
  if (op == "Squeeze") {
    auto x = input(0);
    auto axes = axes_of(n, in);
    if (axes.empty()) return {x.squeeze()};
    for (auto& a : axes) a = axis_of(a, x.dim(), where);
    std::sort(axes.rbegin(), axes.rend());
    for (int64_t a : axes) x = x.squeeze(a);
    return {x};
  }
  if (op == "Concat") {
    std::vector<torch::Tensor> parts;
    for (size_t i = 0; i < in.size(); ++i) parts.push_back(input(i).to(input(0).scalar_type()));
    const int64_t axis = axis_of(attr_int(n, "axis", 0), parts[0].dim(), where);
    return {torch::cat(parts, axis)};
  }
  if (op == "Cast") {
    const int64_t to = attr_int(n, "to", 1);
    const bool to_float = to == onnx::TensorProto_DataType_FLOAT ||
                          to == onnx::TensorProto_DataType_DOUBLE ||
                          to == onnx::TensorProto_DataType_FLOAT16;
    if (!to_float) require_no_batch(input(0), where);  // kBatchDim survives int casts unchanged
    return {to_float ? input(0).to(torch::kFloat32) : input(0).to(torch::kInt64)};
  }
  if (op == "Slice") {
    auto x = input(0);
    std::vector<int64_t> starts, ends, axes, steps;
    if (opset < 10) {
      starts = attr_ints(n, "starts"), ends = attr_ints(n, "ends"), axes = attr_ints(n, "axes");
    } else {
      starts = ints_of(input(1)), ends = ints_of(input(2));
      if (in.size() > 3 && in[3].defined()) axes = ints_of(in[3]);
      if (in.size() > 4 && in[4].defined()) steps = ints_of(in[4]);
    }
    for (size_t k = 0; k < starts.size(); ++k) {
      const int64_t axis =
          axis_of(axes.empty() ? static_cast<int64_t>(k) : axes[k], x.dim(), where);
      const int64_t step = steps.empty() ? 1 : steps[k];
      require(step > 0, where + ": only positive Slice steps are folded");
      const int64_t size = x.size(axis);
      auto clampi = [&](int64_t v) {
        if (v < 0) v += size;
        return std::min(std::max<int64_t>(v, 0), size);
      };
      x = x.slice(axis, clampi(starts[k]), clampi(ends[k]), step);
    }
    return {x};
  }
  if (op == "Reshape") {
    auto x = input(0);
    auto shape = ints_of(input(1));
    for (size_t k = 0; k < shape.size(); ++k)
      if (shape[k] == 0 && attr_int(n, "allowzero", 0) == 0)
        shape[k] = x.size(static_cast<int64_t>(k));
    return {x.reshape(shape)};
  }
  if (op == "ConstantOfShape") {
    const auto shape = ints_of(input(0));
    auto t = checked_empty(shape, where);
    if (const auto* a = onnx_attr(n, "value")) {
      auto v = onnx_tensor(a->t(), model_dir, where);
      return {t.to(v.scalar_type()).fill_(v.flatten()[0].item())};
    }
    return {t.fill_(0.0)};
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    const auto a = input(0), b = input(1);
    require_no_batch(a, where);
    require_no_batch(b, where);
    if (op == "Add") return {a + b};
    if (op == "Sub") return {a - b};
    if (op == "Mul") return {a * b};
    if (a.is_floating_point() || b.is_floating_point()) return {a / b};
    require((b != 0).all().item<bool>(), where + ": integer division by zero");
    return {torch::div(a, b, "trunc")};
  }
  if (op == "Floor") return {torch::floor(input(0))};
  if (op == "Sqrt") return {torch::sqrt(input(0))};
  throw Error(where + ": cannot fold " + op);
}

}  // namespace bitshift
