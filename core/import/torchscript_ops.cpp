// TorchScript import: the aten ops that compute new values from the image (convolutions,
// linear layers, normalisation, activations, pools, sums and products), each mapped to graph
// nodes as torchvision's traced and scripted CNNs use them; the table of every mapped op. A
// mapping throws Unsupported when the node's arguments are of a form Bitshift has no op for.
#include <algorithm>
#include <limits>

#include "import/torchscript_convert.h"

namespace bitshift::torchscript {

namespace {

constexpr double kNoUpperBound = std::numeric_limits<float>::max();  // clamp without a bound

using C = Converter;
using N = JitNode;

// [v] or [h, w] -> {h, w}.
std::pair<int64_t, int64_t> pair_of(const std::vector<int64_t>& v, const char* role) {
  if (v.size() == 1) return {v[0], v[0]};
  if (v.size() == 2) return {v[0], v[1]};
  throw Unsupported{std::string("its ") + role + " must have 1 or 2 values (a 2-D window)"};
}

// The window of a conv or pool from its arguments; pad_i, dilation_i < 0: none.
Window window_of(C& c, const N* n, std::pair<int64_t, int64_t> kernel, size_t stride_i, int pad_i,
                 int dilation_i) {
  Window w;
  std::tie(w.kh, w.kw) = kernel;
  const auto stride = c.ints_arg(n, stride_i, "stride");
  std::tie(w.sh, w.sw) = stride.empty() ? kernel : pair_of(stride, "stride");  // [] = kernel
  if (pad_i >= 0) {
    const auto pad = pair_of(c.ints_arg(n, pad_i, "padding"), "padding");
    w.pad_top = w.pad_bottom = pad.first;
    w.pad_left = w.pad_right = pad.second;
  }
  if (dilation_i >= 0)
    std::tie(w.dh, w.dw) = pair_of(c.ints_arg(n, dilation_i, "dilation"), "dilation");
  return w;
}

// conv2d's padding='same' (the odd pad at the end, as PyTorch does) or 'valid'.
void string_padding(Window& w, const std::string& mode) {
  if (mode == "valid") return;
  if (mode != "same") throw Unsupported{"padding '" + mode + "'"};
  const int64_t th = w.dh * (w.kh - 1), tw = w.dw * (w.kw - 1);
  w.pad_top = th / 2, w.pad_bottom = th - th / 2, w.pad_left = tw / 2, w.pad_right = tw - tw / 2;
}

// aten::_convolution(x, w, b, stride, padding, dilation, transposed, output_padding, groups, ...)
// and aten::conv2d(x, w, b, stride, padding, dilation, groups).
void convolution(C& c, const N* n) {
  const bool full = n->kind().toUnqualString() == std::string("_convolution");
  const int x = c.node_of(n, 0);
  const torch::Tensor w = c.tensor_arg(n, 1, "weight");
  if (w.dim() != 4) throw Unsupported{"only 2-D convolutions (weight " + c10::str(w.sizes()) + ")"};
  if (full && c.bool_arg(n, 6, "transposed")) throw Unsupported{"transposed convolutions"};
  Node a;
  a.out_channels = w.size(0);
  a.groups = c.int_arg(n, full ? 8 : 6, "groups");
  const c10::IValue padding = c.constant(n, 4, "padding");
  a.window = window_of(c, n, {w.size(2), w.size(3)}, 3, padding.isString() ? -1 : 4, 5);
  if (padding.isString()) string_padding(a.window, padding.toStringRef());
  a.bias = !c.is_none(n, 2);
  const std::string name = c.layer_name(n, OpKind::Conv2d, c.in(n, 1).path);
  const int idx = c.emit(name, OpKind::Conv2d, {x}, a);
  if (w.size(1) * a.groups != c.shape_of(x).c)
    throw Unsupported{"weight " + c10::str(w.sizes()) + " does not fit " +
                      std::to_string(c.shape_of(x).c) + " input channels"};
  c.add_tensor(name + ".weight", w);
  if (a.bias) c.add_tensor(name + ".bias", c.tensor_arg(n, 2, "bias").flatten());
  c.set_node(n->output(), idx);
}

// A linear layer y = x·Wᵀ + b on a flat x; `weight` is [out, in].
void emit_linear(C& c, const N* n, int x, const torch::Tensor& weight, torch::Tensor bias,
                 const std::string& name) {
  if (!c.shape_of(x).flat) throw Unsupported{"its input must be flat (flatten before it)"};
  if (weight.dim() != 2 || weight.size(1) != c.shape_of(x).c)
    throw Unsupported{"weight " + c10::str(weight.sizes()) + " does not fit " +
                      std::to_string(c.shape_of(x).c) + " inputs"};
  if (bias.defined() && bias.numel() == 1) bias = bias.flatten().expand({weight.size(0)});
  if (bias.defined() && bias.numel() != weight.size(0))
    throw Unsupported{"its bias does not give one value per output"};
  Node a;
  a.out_channels = weight.size(0);
  a.bias = bias.defined();
  c.set_node(n->output(), c.emit(name, OpKind::Linear, {x}, a));
  c.add_tensor(name + ".weight", weight.contiguous());
  if (bias.defined()) c.add_tensor(name + ".bias", bias.flatten().contiguous());
}

void linear(C& c, const N* n) {  // aten::linear(x, w, b)
  const int x = c.node_of(n, 0);
  const torch::Tensor w = c.tensor_arg(n, 1, "weight");
  const torch::Tensor b = c.is_none(n, 2) ? torch::Tensor() : c.tensor_arg(n, 2, "bias");
  emit_linear(c, n, x, w, b, c.layer_name(n, OpKind::Linear, c.in(n, 1).path));
}

void addmm(C& c, const N* n) {  // aten::addmm(b, x, wᵀ, beta, alpha) = beta·b + alpha·x·wᵀ
  const int x = c.node_of(n, 1);
  const double beta = n->inputs().size() > 3 ? c.number_arg(n, 3, "beta") : 1.0;
  const double alpha = n->inputs().size() > 4 ? c.number_arg(n, 4, "alpha") : 1.0;
  const torch::Tensor w = c.tensor_arg(n, 2, "weight").t() * alpha;
  emit_linear(c, n, x, w, c.tensor_arg(n, 0, "bias") * beta,
              c.layer_name(n, OpKind::Linear, c.in(n, 2).path));
}

// x @ Wᵀ: held back until its reader is known, so that a following "+ b" becomes the bias.
void matmul(C& c, const N* n) {
  const int x = c.node_of(n, 0);
  const torch::Tensor wt = c.tensor_arg(n, 1, "weight");
  if (wt.dim() != 2 || !c.shape_of(x).flat || wt.size(0) != c.shape_of(x).c)
    throw Unsupported{"only a flat input times a constant [in, out] matrix"};
  TsValue v = TsValue::of_node(x);
  v.matmul_weight = wt.t().contiguous();
  v.matmul_name = c.layer_name(n, OpKind::Linear, c.in(n, 1).path);
  c.set(n->output(), v);
}

bool is_scalar(const TsValue& v, double value) {
  if (!v.is_const()) return false;
  const auto& k = v.constant;
  if (k.isDouble()) return k.toDouble() == value;
  if (k.isInt()) return k.toInt() == value;
  return k.isTensor() && k.toTensor().numel() == 1 && k.toTensor().item<double>() == value;
}

// aten::add(a, b, alpha) and aten::mul(a, b): two computed tensors; x @ W + b is a linear.
void add_or_mul(C& c, const N* n, OpKind kind) {
  if (kind == OpKind::Add && n->inputs().size() > 2 && c.number_arg(n, 2, "alpha") != 1.0)
    throw Unsupported{"alpha other than 1"};
  for (size_t k = 0; k < 2; ++k) {
    const TsValue& x = c.in(n, k);
    const TsValue& other = c.in(n, 1 - k);
    if (is_scalar(other, kind == OpKind::Add ? 0.0 : 1.0)) {  // x + 0, x · 1
      c.node_of(n, k);
      return c.set(n->output(), c.in(n, k));
    }
    const bool bias = other.is_const() && other.constant.isTensor();
    if (kind == OpKind::Add && x.pending_matmul() && bias) {
      return emit_linear(c, n, x.node, x.matmul_weight, c.tensor_arg(n, 1 - k, "bias"),
                         x.matmul_name);
    }
  }
  const int a = c.node_of(n, 0), b = c.node_of(n, 1);
  c.set_node(n->output(), c.emit(n, kind, {a, b}));
}

// aten::batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps, cudnn)
void batch_norm(C& c, const N* n) {
  const int x = c.node_of(n, 0);
  if (c.shape_of(x).flat) throw Unsupported{"only BatchNorm over CxHxW maps"};
  if (c.bool_arg(n, 5, "training"))
    throw Unsupported{"batch statistics (was it traced in training mode?)"};
  if (c.is_none(n, 3) || c.is_none(n, 4)) throw Unsupported{"no running statistics"};
  const int64_t ch = c.shape_of(x).c;
  Node a;
  a.eps = c.number_arg(n, 7, "eps");
  const std::string& param = c.in(n, c.is_none(n, 1) ? 3 : 1).path;
  const std::string name = c.layer_name(n, OpKind::BatchNorm2d, param);
  const int idx = c.emit(name, OpKind::BatchNorm2d, {x}, a);
  const torch::Tensor parts[] = {c.is_none(n, 1) ? torch::ones({ch}) : c.tensor_arg(n, 1, "weight"),
                                 c.is_none(n, 2) ? torch::zeros({ch}) : c.tensor_arg(n, 2, "bias"),
                                 c.tensor_arg(n, 3, "running_mean"),
                                 c.tensor_arg(n, 4, "running_var")};
  const char* names[] = {"weight", "bias", "running_mean", "running_var"};
  for (int k = 0; k < 4; ++k) {
    if (parts[k].numel() != ch) throw Unsupported{std::string(names[k]) + " has the wrong size"};
    c.add_tensor(name + "." + names[k], parts[k].flatten());
  }
  c.add_tensor(name + ".num_batches_tracked", torch::zeros({}, torch::kInt64));
  c.set_node(n->output(), idx);
}

// clamp to [lo, hi]: relu and relu6 when the bounds are theirs.
void clamp_to(C& c, const N* n, double lo, double hi) {
  if (lo == 0 && hi == 6) return unary(c, n, OpKind::ReLU6);
  if (lo == 0 && hi >= kNoUpperBound) return unary(c, n, OpKind::ReLU);
  Node a;
  a.lo = std::max(lo, -kNoUpperBound), a.hi = std::min(hi, kNoUpperBound);
  unary(c, n, OpKind::Clip, a);
}

double bound(C& c, const N* n, size_t i, double none) {
  return c.is_none(n, i) ? none : c.number_arg(n, i, "bound");
}

void clamp(C& c, const N* n) {  // aten::clamp(x, min?, max?)
  clamp_to(c, n, bound(c, n, 1, -kNoUpperBound), bound(c, n, 2, kNoUpperBound));
}
void clamp_min(C& c, const N* n) { clamp_to(c, n, c.number_arg(n, 1, "min"), kNoUpperBound); }
void clamp_max(C& c, const N* n) { clamp_to(c, n, -kNoUpperBound, c.number_arg(n, 1, "max")); }
void hardtanh(C& c, const N* n) {  // aten::hardtanh(x, min_val=-1, max_val=1)
  clamp_to(c, n, n->inputs().size() > 1 ? c.number_arg(n, 1, "min_val") : -1.0,
           n->inputs().size() > 2 ? c.number_arg(n, 2, "max_val") : 1.0);
}
void leaky_relu(C& c, const N* n) {
  Node a;
  a.alpha = n->inputs().size() > 1 ? c.number_arg(n, 1, "negative_slope") : 0.01;
  unary(c, n, OpKind::LeakyReLU, a);
}
void hardsigmoid(C& c, const N* n) {  // PyTorch's: clamp(x/6 + 1/2, 0, 1)
  Node a;
  a.alpha = 1.0 / 6.0, a.beta = 0.5;
  unary(c, n, OpKind::HardSigmoid, a);
}

// aten::max_pool2d(x, kernel, stride, padding, dilation, ceil_mode)
void max_pool2d(C& c, const N* n) {
  const int x = c.node_of(n, 0);
  Node a;
  a.window = window_of(c, n, pair_of(c.ints_arg(n, 1, "kernel"), "kernel"), 2, 3, 4);
  a.window.ceil_mode = c.bool_arg(n, 5, "ceil_mode");
  c.set_node(n->output(), c.emit(n, OpKind::MaxPool, {x}, a));
}

// aten::avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
void avg_pool2d(C& c, const N* n) {
  const int x = c.node_of(n, 0);
  if (!c.is_none(n, 6)) throw Unsupported{"divisor_override"};
  Node a;
  a.window = window_of(c, n, pair_of(c.ints_arg(n, 1, "kernel"), "kernel"), 2, 3, -1);
  a.window.ceil_mode = c.bool_arg(n, 4, "ceil_mode");
  a.window.count_include_pad = c.bool_arg(n, 5, "count_include_pad");
  c.set_node(n->output(), c.emit(n, OpKind::AvgPool, {x}, a));
}

// aten::adaptive_avg_pool2d(x, output_size): 1×1 is global pooling; an output that divides the
// input evenly is a plain average pool.
void adaptive_avg_pool2d(C& c, const N* n) {
  const int x = c.node_of(n, 0);
  const Shape s = c.shape_of(x);
  if (s.flat) throw Unsupported{"its input must be a CxHxW map"};
  const auto [oh, ow] = pair_of(c.ints_arg(n, 1, "output_size"), "output_size");
  Node a;
  if (oh == 1 && ow == 1) {
    a.keepdims = true;
    return c.set_node(n->output(), c.emit(n, OpKind::GlobalAvgPool, {x}, a));
  }
  if (oh == s.h && ow == s.w) return identity(c, n);
  if (oh < 1 || ow < 1 || s.h % oh || s.w % ow)
    throw Unsupported{"output " + std::to_string(oh) + "x" + std::to_string(ow) +
                      " does not divide the input " + s.str()};
  a.window = Window::square(1);
  a.window.kh = a.window.sh = s.h / oh;
  a.window.kw = a.window.sw = s.w / ow;
  c.set_node(n->output(), c.emit(n, OpKind::AvgPool, {x}, a));
}

void mean(C& c, const N* n) {  // aten::mean(x, dims, keepdim, dtype)
  const int x = c.node_of(n, 0);
  if (c.shape_of(x).flat) throw Unsupported{"its input must be a CxHxW map"};
  auto dims = c.ints_arg(n, 1, "dims");
  for (auto& d : dims) d = normalized_dim(d, 4);
  std::sort(dims.begin(), dims.end());
  if (dims != std::vector<int64_t>{2, 3}) throw Unsupported{"only the mean over H and W"};
  if (!c.is_none(n, 3)) throw Unsupported{"a dtype"};
  Node a;
  a.keepdims = c.bool_arg(n, 2, "keepdim");
  c.set_node(n->output(), c.emit(n, OpKind::GlobalAvgPool, {x}, a));
}

template <OpKind kind>
void plain(C& c, const N* n) {
  unary(c, n, kind);
}
void add(C& c, const N* n) { add_or_mul(c, n, OpKind::Add); }
void mul(C& c, const N* n) { add_or_mul(c, n, OpKind::Mul); }

}  // namespace

const std::map<std::string, OpMapping>& op_mappings() {
  static const std::map<std::string, OpMapping> table = [] {
    std::map<std::string, OpMapping> t = {{"aten::_convolution", convolution},
                                          {"aten::conv2d", convolution},
                                          {"aten::linear", linear},
                                          {"aten::addmm", addmm},
                                          {"aten::matmul", matmul},
                                          {"aten::batch_norm", batch_norm},
                                          {"aten::relu", plain<OpKind::ReLU>},
                                          {"aten::relu6", plain<OpKind::ReLU6>},
                                          {"aten::sigmoid", plain<OpKind::Sigmoid>},
                                          {"aten::hardswish", plain<OpKind::HardSwish>},
                                          {"aten::silu", plain<OpKind::SiLU>},
                                          {"aten::hardsigmoid", hardsigmoid},
                                          {"aten::leaky_relu", leaky_relu},
                                          {"aten::hardtanh", hardtanh},
                                          {"aten::clamp", clamp},
                                          {"aten::clamp_min", clamp_min},
                                          {"aten::clamp_max", clamp_max},
                                          {"aten::add", add},
                                          {"aten::mul", mul},
                                          {"aten::max_pool2d", max_pool2d},
                                          {"aten::avg_pool2d", avg_pool2d},
                                          {"aten::adaptive_avg_pool2d", adaptive_avg_pool2d},
                                          {"aten::mean", mean},
                                          // Inference: dropout is the identity, and so are copies.
                                          {"aten::dropout", identity},
                                          {"aten::feature_dropout", identity},
                                          {"aten::alpha_dropout", identity},
                                          {"aten::feature_alpha_dropout", identity},
                                          {"aten::detach", identity},
                                          {"aten::clone", identity}};
    // In-place variants (relu_, add_, ...) map as their plain ops.
    for (const char* k : {"relu", "relu6", "sigmoid", "hardswish", "silu", "hardsigmoid",
                          "leaky_relu", "hardtanh", "clamp", "clamp_min", "clamp_max", "add", "mul",
                          "dropout", "feature_dropout", "alpha_dropout", "feature_alpha_dropout"})
      t[std::string("aten::") + k + "_"] = t.at(std::string("aten::") + k);
    t.merge(layout_op_mappings());
    return t;
  }();
  return table;
}

}  // namespace bitshift::torchscript
