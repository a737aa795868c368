// ONNX nodes that compute on the image, mapped to graph ops (Conv -> conv2d, Gemm -> linear,
// ...); constant ones are folded before they get here (onnx_fold.cpp).
#include <torch/torch.h>

#include <algorithm>

#include "graph/op.h"
#include "import/onnx_attrs.h"
#include "import/onnx_converter.h"
#include "import/onnx_fold.h"
#include "util/error.h"

namespace bitshift {
namespace onnx_import {

Window OnnxConverter::conv_window(const onnx::NodeProto& n, const Shape& in, int64_t kh,
                                  int64_t kw) const {
  const auto k = attr_ints(n, "kernel_shape", {kh, kw});
  const auto s = attr_ints(n, "strides", {1, 1});
  const auto d = attr_ints(n, "dilations", {1, 1});
  auto p = attr_ints(n, "pads", {0, 0, 0, 0});
  if (k.size() != 2 || s.size() != 2 || d.size() != 2 || p.size() != 4)
    throw Unsupported{"only 2-D windows are supported"};
  Window w;
  w.kh = k[0], w.kw = k[1], w.sh = s[0], w.sw = s[1], w.dh = d[0], w.dw = d[1];
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    // Output = ceil(input / stride); the odd pad goes at the end (UPPER) or the start (LOWER).
    auto total = [](int64_t size, int64_t k, int64_t s, int64_t d) {
      const int64_t out = (size + s - 1) / s;
      return std::max<int64_t>((out - 1) * s + d * (k - 1) + 1 - size, 0);
    };
    const int64_t th = total(in.h, w.kh, w.sh, w.dh), tw = total(in.w, w.kw, w.sw, w.dw);
    const bool upper = auto_pad == "SAME_UPPER";
    p = {upper ? th / 2 : th - th / 2, upper ? tw / 2 : tw - tw / 2, upper ? th - th / 2 : th / 2,
         upper ? tw - tw / 2 : tw / 2};
  } else if (auto_pad == "VALID") {
    p = {0, 0, 0, 0};
  }
  w.pad_top = p[0], w.pad_left = p[1], w.pad_bottom = p[2], w.pad_right = p[3];
  w.ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
  return w;
}

void OnnxConverter::convert_runtime(const onnx::NodeProto& n, const std::vector<const Value*>& in) {
  const std::string& op = n.op_type();
  const std::string out = n.output_size() > 0 ? n.output(0) : "";
  auto input = [&](size_t i) -> const Value* { return i < in.size() ? in[i] : nullptr; };
  auto unary = [&](OpKind kind, Node attrs = {}) {
    const int x = node_of(n, input(0));
    set_node(out, emit(layer_name(n), kind, {x}, attrs));
  };
  auto merge_pad = [&](Window& w, const Value* v) {
    if (!v->padded) return;
    w.pad_top += v->pad.pad_top, w.pad_left += v->pad.pad_left;
    w.pad_bottom += v->pad.pad_bottom, w.pad_right += v->pad.pad_right;
  };

  if (op == "Identity" || op == "Dropout") {
    values_[out] = *input(0);
    return;
  }
  if (op == "Shape") {
    const Value* v = input(0);
    const Shape s = shape_of(v->node);
    std::vector<int64_t> dims = s.flat ? std::vector<int64_t>{kBatchDim, s.c}
                                       : std::vector<int64_t>{kBatchDim, s.c, s.h, s.w};
    auto t = torch::tensor(dims);
    const int64_t rank = static_cast<int64_t>(dims.size());
    int64_t start = attr_int(n, "start", 0), end = attr_int(n, "end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    set_const(out,
              t.slice(0, std::clamp<int64_t>(start, 0, rank), std::clamp<int64_t>(end, 0, rank)));
    return;
  }
  if (op == "Conv") {
    const Value* xv = input(0);
    if (!xv || xv->is_const) throw Unsupported{"its input must be computed from the image"};
    const int x = xv->node;
    const auto w = constant(n, input(1), "weight");
    if (w.dim() != 4) throw Unsupported{"only 2-D convolutions are supported"};
    Node a;
    a.out_channels = w.size(0);
    a.groups = attr_int(n, "group", 1);
    a.window = conv_window(n, shape_of(x), w.size(2), w.size(3));
    merge_pad(a.window, xv);
    const Value* b = input(2);
    a.bias = b != nullptr;
    const std::string name = layer_name(n, n.input(1));
    const int idx = emit(name, OpKind::Conv2d, {x}, a);
    const Node& made = graph_.node(idx);
    if (w.size(1) * a.groups != made.in_shape.c)
      throw Unsupported{"weight " + c10::str(w.sizes()) + " does not fit " +
                        std::to_string(made.in_shape.c) + " input channels"};
    tensors_[name + ".weight"] = w.to(torch::kFloat32);
    take_weight_grid(input(1), name, 0, a.out_channels);
    if (b) tensors_[name + ".bias"] = constant(n, b, "bias").to(torch::kFloat32).flatten();
    set_node(out, idx);
    return;
  }
  if (op == "Gemm" || op == "MatMul") {
    const int x = node_of(n, input(0));
    if (!shape_of(x).flat) throw Unsupported{"its input must be flat (Flatten before it)"};
    auto w = constant(n, input(1), "weight").to(torch::kFloat32);
    if (w.dim() != 2) throw Unsupported{"the weight must be 2-D"};
    torch::Tensor bias;
    if (op == "Gemm") {
      if (attr_int(n, "transA", 0) != 0) throw Unsupported{"transA=1 is not supported"};
      if (attr_int(n, "transB", 0) == 0) w = w.t();
      w = w * attr_float(n, "alpha", 1.0);
      if (input(2))
        bias = constant(n, input(2), "bias").to(torch::kFloat32) * attr_float(n, "beta", 1.0);
    } else {
      w = w.t();
      auto it = matmul_bias_.find(out);
      if (it != matmul_bias_.end())
        bias = constant(n, &value(n, it->second), "bias").to(torch::kFloat32);
    }
    const int64_t out_features = w.size(0);
    if (bias.defined()) {
      if (bias.numel() == 1) bias = bias.flatten().expand({out_features});
      if (bias.numel() != out_features) throw Unsupported{"its bias does not broadcast per output"};
    }
    Node a;
    a.out_channels = out_features;
    a.bias = bias.defined();
    const std::string name = layer_name(n, n.input(1));
    const int idx = emit(name, OpKind::Linear, {x}, a);
    if (w.size(1) != shape_of(x).c)
      throw Unsupported{"weight " + c10::str(w.sizes()) + " does not fit " +
                        std::to_string(shape_of(x).c) + " inputs"};
    tensors_[name + ".weight"] = w.contiguous();
    if (input(1)->grid && op == "Gemm" && attr_float(n, "alpha", 1.0) != 1.0)
      throw Unsupported{"alpha != 1 on quantized weights"};
    take_weight_grid(input(1), name, op == "Gemm" && attr_int(n, "transB", 0) != 0 ? 0 : 1,
                     out_features);
    if (bias.defined()) tensors_[name + ".bias"] = bias.flatten().contiguous();
    set_node(out, idx);
    return;
  }
  if (op == "BatchNormalization") {
    const int x = node_of(n, input(0));
    if (attr_int(n, "training_mode", 0) != 0) throw Unsupported{"training_mode=1"};
    if (shape_of(x).flat) throw Unsupported{"only BatchNorm over CxHxW maps is supported"};
    Node a;
    a.eps = attr_float(n, "epsilon", 1e-5);
    const std::string name = layer_name(n, n.input(1));
    const int idx = emit(name, OpKind::BatchNorm2d, {x}, a);
    const char* parts[] = {"weight", "bias", "running_mean", "running_var"};
    for (int k = 0; k < 4; ++k) {
      auto t = constant(n, input(k + 1), parts[k]).to(torch::kFloat32).flatten();
      if (t.numel() != shape_of(x).c)
        throw Unsupported{std::string(parts[k]) + " has the wrong size"};
      tensors_[name + "." + parts[k]] = t;
    }
    tensors_[name + ".num_batches_tracked"] = torch::zeros({}, torch::kInt64);
    set_node(out, idx);
    return;
  }
  if (op == "Relu") return unary(OpKind::ReLU);
  if (op == "Sigmoid") return unary(OpKind::Sigmoid);
  if (op == "HardSwish") return unary(OpKind::HardSwish);
  if (op == "LeakyRelu") {
    Node a;
    a.alpha = attr_float(n, "alpha", 0.01);
    return unary(OpKind::LeakyReLU, a);
  }
  if (op == "HardSigmoid") {
    Node a;
    a.alpha = attr_float(n, "alpha", 0.2);
    a.beta = attr_float(n, "beta", 0.5);
    return unary(OpKind::HardSigmoid, a);
  }
  if (op == "Clip") {
    double lo = -kNoUpperBound, hi = kNoUpperBound;
    if (opset_ < 11) {
      lo = attr_float(n, "min", lo), hi = attr_float(n, "max", hi);
    } else {
      if (input(1)) lo = constant(n, input(1), "min").item<double>();
      if (input(2)) hi = constant(n, input(2), "max").item<double>();
    }
    if (lo == 0 && hi == 6) return unary(OpKind::ReLU6);
    if (lo == 0 && hi >= kNoUpperBound) return unary(OpKind::ReLU);
    Node a;
    a.lo = std::max<double>(lo, -kNoUpperBound), a.hi = std::min<double>(hi, kNoUpperBound);
    return unary(OpKind::Clip, a);
  }
  if (op == "Add" && convert_shift_add(n, in)) return;
  if (op == "Add" || op == "Mul") {
    if (input(1) && input(1)->is_const && input(1)->constant.numel() == 1 &&
        input(1)->constant.item<double>() == (op == "Add" ? 0.0 : 1.0)) {
      values_[out] = *input(0);
      return;
    }
    const int a = node_of(n, input(0)), b = node_of(n, input(1));
    set_node(out, emit(layer_name(n), op == "Add" ? OpKind::Add : OpKind::Mul, {a, b}));
    return;
  }
  if (op == "MaxPool" || op == "AveragePool") {
    const Value* xv = input(0);
    const int x = xv->node;
    if (xv->is_const || xv->shuffle_groups)
      throw Unsupported{"its input must be an image-sized map"};
    if (n.output_size() > 1 && uses_[n.output(1)] > 0) throw Unsupported{"the indices output"};
    Node a;
    a.window = conv_window(n, shape_of(x), 1, 1);
    if (op == "MaxPool") {
      if (xv->padded) throw Unsupported{"a zero Pad before a max pool is not a max pool's padding"};
      set_node(out, emit(layer_name(n), OpKind::MaxPool, {x}, a));
      return;
    }
    a.window.count_include_pad = attr_int(n, "count_include_pad", 0) != 0;
    if (xv->padded) {
      if (!a.window.count_include_pad &&
          (a.window.pad_top || a.window.pad_left || a.window.pad_bottom || a.window.pad_right))
        throw Unsupported{"a zero Pad before an average pool that excludes its own pads"};
      a.window.count_include_pad = true;  // the padded zeros are real inputs of the window
      merge_pad(a.window, xv);
    }
    set_node(out, emit(layer_name(n), OpKind::AvgPool, {x}, a));
    return;
  }
  if (op == "GlobalAveragePool" || op == "ReduceMean") {
    const int x = node_of(n, input(0));
    if (shape_of(x).flat) throw Unsupported{"its input must be a CxHxW map"};
    Node a;
    a.keepdims = true;
    if (op == "ReduceMean") {
      auto axes = input(1) ? std::vector<int64_t>() : attr_ints(n, "axes");
      if (input(1)) {
        auto t = constant(n, input(1), "axes").to(torch::kInt64);
        axes.assign(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
      }
      for (auto& ax : axes) ax = ax < 0 ? ax + 4 : ax;
      std::sort(axes.begin(), axes.end());
      if (axes != std::vector<int64_t>{2, 3}) throw Unsupported{"only the mean over H and W"};
      a.keepdims = attr_int(n, "keepdims", 1) != 0;
    }
    set_node(out, emit(layer_name(n), OpKind::GlobalAvgPool, {x}, a));
    return;
  }
  if (op == "Flatten") {
    const int x = node_of(n, input(0));
    if (attr_int(n, "axis", 1) != 1) throw Unsupported{"only axis=1 (keep the batch)"};
    if (shape_of(x).flat) return set_node(out, x);
    return unary(OpKind::Flatten);
  }
  if (op == "Reshape") {
    const Value* xv = input(0);
    if (!xv || xv->is_const) throw Unsupported{"its input must be computed from the image"};
    auto target = constant(n, input(1), "shape").to(torch::kInt64);
    std::vector<int64_t> t(target.data_ptr<int64_t>(), target.data_ptr<int64_t>() + target.numel());
    const Shape s = shape_of(xv->node);
    auto batch = [&](int64_t d) { return d == kBatchDim || d == 0 || d == -1; };
    if (t.size() == 2 && !xv->shuffle_groups && batch(t[0]) && (t[1] == -1 || t[1] == s.numel()) &&
        !(t[0] == -1 && t[1] == -1)) {
      if (s.flat) return set_node(out, node_of(n, xv));
      return unary(OpKind::Flatten);
    }
    if (t.size() == 5 && !s.flat && !xv->shuffle_groups && batch(t[0]) && t[1] > 0 &&
        s.c % t[1] == 0 && (t[2] == s.c / t[1] || t[2] == -1) && t[3] == s.h && t[4] == s.w) {
      Value v = *xv;
      v.shuffle_groups = t[1];
      values_[out] = v;
      return;
    }
    if (t.size() == 4 && xv->shuffle_transposed && batch(t[0]) && (t[1] == s.c || t[1] == -1) &&
        t[2] == s.h && t[3] == s.w) {
      Node a;
      a.groups = xv->shuffle_groups;
      set_node(out, emit(layer_name(n), OpKind::ChannelShuffle, {xv->node}, a));
      return;
    }
    throw Unsupported{"a reshape to " + c10::str(target.sizes()) + " " + c10::str(target) + " of " +
                      s.str() +
                      " (supported: flatten to [N, -1], and the "
                      "Reshape-Transpose-Reshape of a channel shuffle)"};
  }
  if (op == "Softmax" || op == "LogSoftmax") {
    // Only at the very end, over the classes: training wants the logits before it, and the
    // class ranking (accuracy) is the same.
    const Value* xv = input(0);
    const bool is_output =
        model_.graph().output_size() == 1 && model_.graph().output(0).name() == out;
    int64_t axis = attr_int(n, "axis", opset_ < 13 ? 1 : -1);
    if (!is_output || xv->is_const || !shape_of(xv->node).flat || (axis != 1 && axis != -1))
      throw Unsupported{"only a softmax over the classes at the output"};
    notes_.push_back(op + " at the output removed: the model is trained on its logits");
    values_[out] = *xv;
    return;
  }
  if (op == "Transpose") {
    const Value* xv = input(0);
    if (input_nhwc_ && n.input(0) == input_name_) {  // see read_input()
      values_[out] = *xv;
      return;
    }
    if (xv && !xv->is_const && xv->shuffle_groups && !xv->shuffle_transposed &&
        attr_ints(n, "perm") == std::vector<int64_t>{0, 2, 1, 3, 4}) {
      Value v = *xv;
      v.shuffle_transposed = true;
      values_[out] = v;
      return;
    }
    throw Unsupported{"only the transpose of a channel shuffle"};
  }
  if (op == "Split" || op == "Slice") {
    const int x = node_of(n, input(0));
    const Shape s = shape_of(x);
    const int64_t rank = s.flat ? 2 : 4;
    if (op == "Split") {
      int64_t axis = attr_int(n, "axis", 0);
      if (axis < 0) axis += rank;
      if (axis != 1) throw Unsupported{"only a split along channels"};
      std::vector<int64_t> sizes = attr_ints(n, "split");
      if (input(1)) {
        auto t = constant(n, input(1), "split").to(torch::kInt64);
        sizes.assign(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
      }
      if (sizes.empty()) sizes.assign(n.output_size(), s.c / std::max(n.output_size(), 1));
      if (static_cast<int>(sizes.size()) != n.output_size())
        throw Unsupported{"split sizes do not match its outputs"};
      int64_t begin = 0;
      for (int k = 0; k < n.output_size(); ++k) {
        Node a;
        a.begin = begin, a.end = begin + sizes[k];
        begin = a.end;
        set_node(n.output(k), emit(layer_name(n), OpKind::Slice, {x}, a));
      }
      return;
    }
    auto ints = [&](size_t i) {
      auto t = constant(n, input(i), "slice bounds").to(torch::kInt64);
      return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
    };
    const auto starts = opset_ < 10 ? attr_ints(n, "starts") : ints(1);
    const auto ends = opset_ < 10 ? attr_ints(n, "ends") : ints(2);
    auto axes = opset_ < 10 ? attr_ints(n, "axes") : (input(3) ? ints(3) : std::vector<int64_t>());
    const auto steps = opset_ >= 10 && input(4) ? ints(4) : std::vector<int64_t>();
    if (starts.size() != 1 || ends.size() != 1) throw Unsupported{"only a slice of one axis"};
    int64_t axis = axes.empty() ? 0 : axes[0];
    if (axis < 0) axis += rank;
    if (axis != 1 || (!steps.empty() && steps[0] != 1))
      throw Unsupported{"only a step-1 slice of channels"};
    auto clampi = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + s.c : v, 0, s.c); };
    Node a;
    a.begin = clampi(starts[0]), a.end = clampi(ends[0]);
    if (a.begin == 0 && a.end == s.c) return set_node(out, x);
    set_node(out, emit(layer_name(n), OpKind::Slice, {x}, a));
    return;
  }
  if (op == "Concat") {
    std::vector<int> xs;
    for (size_t i = 0; i < in.size(); ++i) xs.push_back(node_of(n, input(i)));
    const int64_t rank = shape_of(xs[0]).flat ? 2 : 4;
    int64_t axis = attr_int(n, "axis", 1);
    if (axis < 0) axis += rank;
    if (axis != 1) throw Unsupported{"only a concat along channels"};
    set_node(out, emit(layer_name(n), OpKind::Concat, xs));
    return;
  }
  if (op == "Pad") {
    const Value* xv = input(0);
    const int x = node_of(n, xv);
    if (attr_string(n, "mode", "constant") != "constant") throw Unsupported{"only zero padding"};
    std::vector<int64_t> p = attr_ints(n, "pads");
    double fill = attr_float(n, "value", 0.0);
    if (opset_ >= 11) {
      auto t = constant(n, input(1), "pads").to(torch::kInt64);
      p.assign(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
      fill = input(2) ? constant(n, input(2), "value").item<double>() : 0.0;
    }
    if (fill != 0.0 || p.size() != 8 || p[0] || p[1] || p[4] || p[5] ||
        *std::min_element(p.begin(), p.end()) < 0)
      throw Unsupported{"only zero padding of H and W"};
    Value v = *xv;
    v.padded = true;
    v.pad.pad_top = p[2], v.pad.pad_left = p[3], v.pad.pad_bottom = p[6], v.pad.pad_right = p[7];
    (void)x;
    values_[out] = v;
    return;
  }
  throw Unsupported{"its inputs are of a form this importer does not take"};
}

}  // namespace onnx_import
}  // namespace bitshift
