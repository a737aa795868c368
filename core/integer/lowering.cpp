#include "integer/lowering.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "graph/op.h"
#include "graph/ops/window.h"
#include "integer/int_op.h"
#include "integer/lowerer.h"
#include "integer/reference_executor.h"
#include "integer/requant_choice.h"
#include "integer/weight_table.h"
#include "util/error.h"

namespace bitshift {

namespace lowering_detail {

namespace {

std::vector<int32_t> to_int32(const torch::Tensor& t) {
  const auto c = t.to(torch::kInt64).contiguous();
  std::vector<int32_t> out(static_cast<size_t>(c.numel()));
  const int64_t* p = c.data_ptr<int64_t>();
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int32_t>(p[i]);
  return out;
}

IntWindow int_window(const Window& w) {
  IntWindow iw;
  iw.kh = w.kh, iw.kw = w.kw, iw.sh = w.sh, iw.sw = w.sw, iw.dh = w.dh, iw.dw = w.dw;
  iw.pad_top = w.pad_top, iw.pad_left = w.pad_left;
  iw.pad_bottom = w.pad_bottom, iw.pad_right = w.pad_right;
  iw.ceil_mode = w.ceil_mode;
  return iw;
}

std::vector<double> to_doubles(const torch::Tensor& t) {
  const auto c = t.detach().to(torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// The integer contract takes every grid and weight scale (and threshold) as float32: the precision the
// simulation computes in and every file format (QDQ, QONNX) holds, so a model read back from
// its own file lowers to the same integers.
double as_float32(double scale) { return static_cast<double>(static_cast<float>(scale)); }

}  // namespace

IntegerModel Lowerer::run() {
  model_.name = g_.name();
  model_.num_classes = g_.num_classes();
  std::map<std::string, int> methods;
  for (const auto& lp : net_.plan.layers) ++methods[lp.method];
  for (const auto& [m, n] : methods) model_.method += (model_.method.empty() ? "" : "+") + m;
  values_.resize(g_.size());
  for (int i = 0; i < g_.size(); ++i) lower_node(i);
  close_output();
  prove_accumulator_bounds(model_);
  for (const IntLayer& L : model_.layers)
    if (L.op == IntOp::IntThreshold &&
        model_.layers[L.inputs[0]].max_value >= std::numeric_limits<int32_t>::max())
      throw Error("cannot lower '" + L.name + "': its input can reach the largest int32, " +
                  "which the thresholds use for 'never reached'");
  // What the reader and the executors check, checked here: a lowering that builds a layer
  // its op refuses (a gate of another shape, a table of the wrong length) fails by name.
  for (size_t l = 0; l < model_.layers.size(); ++l) {
    try {
      check_int_layer(model_, l);
    } catch (const std::runtime_error& e) {
      throw Error("cannot lower '" + model_.layers[l].name + "' (" +
                  int_op_name(model_.layers[l].op) + "): " + e.what());
    }
  }
  return std::move(model_);
}

void Lowerer::fail(int node, const std::string& what) const {
  throw Error("cannot lower '" + g_.node(node).name + "' (" + op_name(g_.node(node).kind) +
              "): " + what);
}

int Lowerer::add_layer(IntLayer L, int node) {
  const Node& n = g_.node(node);
  L.name = n.name;
  L.c = n.out_shape.flat ? n.out_shape.numel() : n.out_shape.c;
  L.h = n.out_shape.flat ? 1 : n.out_shape.h;
  L.w = n.out_shape.flat ? 1 : n.out_shape.w;
  model_.layers.push_back(std::move(L));
  return static_cast<int>(model_.layers.size()) - 1;
}

bool Lowerer::is_open(int layer) const {
  const IntLayer& L = model_.layers[layer];
  return (L.op == IntOp::IntConv || L.op == IntOp::IntLinear || L.op == IntOp::IntMul) &&
         !closed_.count(layer);
}

const Term& Lowerer::integer_input(int node, bool pool) {
  return integer_input_of(node, g_.node(node).inputs[0], pool);
}

const Term& Lowerer::integer_input_of(int node, int src, bool pool) {
  if (!values_[src].pieces.empty()) move_pieces(src);
  if (pool && values_[src].terms.size() == 1 && is_open(values_[src].terms[0].layer))
    close_exact(src);
  const Value& v = values_[src];
  if (v.terms.size() != 1 || is_open(v.terms[0].layer) || !v.offset.empty() || v.clamp.any() ||
      (!pool && v.terms[0].scale.size() != 1))
    fail(node, "its input '" + g_.node(src).name + "' is not quantized in the plan; an " +
                   "integer-only model needs every layer's input on an integer grid (give " +
                   "the reading layer activation bits, e.g. --layer " + g_.node(node).name +
                   "=8/8)");
  return v.terms[0];
}

void Lowerer::lower_node(int i) {
  const Node& n = g_.node(i);
  Value& v = values_[i];
  switch (n.kind) {
    case OpKind::Input: lower_input(); return;
    case OpKind::Conv2d:
    case OpKind::Linear: lower_weight_layer(i); break;
    case OpKind::BatchNorm2d: lower_batchnorm(i); break;
    case OpKind::ReLU:
    case OpKind::ReLU6:
    case OpKind::Clip: {
      // Folds into the clamp of the requantization that closes the value.
      const double inf = std::numeric_limits<double>::infinity();
      const double lo = n.kind == OpKind::Clip ? n.lo : 0.0;
      const double hi = n.kind == OpKind::Clip ? n.hi : n.kind == OpKind::ReLU6 ? 6.0 : inf;
      v = values_[n.inputs[0]];
      v.clamp = v.clamp.within(lo, hi);
      for (ChannelPiece& p : v.pieces) p.clamp = p.clamp.within(lo, hi);
      break;
    }
    case OpKind::Sigmoid:
    case OpKind::HardSigmoid:
    case OpKind::HardSwish:
    case OpKind::SiLU:
    case OpKind::LeakyReLU: lower_lookup(i); break;
    case OpKind::Mul: lower_mul(i); break;
    case OpKind::Concat:
      for (int in : n.inputs) {
        const std::vector<ChannelPiece> p = pieces_of(in);
        v.pieces.insert(v.pieces.end(), p.begin(), p.end());
      }
      break;
    case OpKind::Slice: v.pieces = channel_slice(pieces_of(n.inputs[0]), n.begin, n.end); break;
    case OpKind::ChannelShuffle:
      v.pieces = channel_shuffle(pieces_of(n.inputs[0]), n.groups);
      break;
    case OpKind::Add: {
      const Value& a = values_[n.inputs[0]];
      const Value& b = values_[n.inputs[1]];
      if (!a.pieces.empty() || !b.pieces.empty())
        fail(i, "an input is a concatenation the plan does not quantize");
      if (a.clamp.any() || b.clamp.any())
        fail(i, "an input passes a ReLU or clip that is not quantized");
      v.terms = a.terms;
      v.terms.insert(v.terms.end(), b.terms.begin(), b.terms.end());
      if (v.terms.size() != 2) fail(i, "only two-input adds of single tensors are supported");
      v.offset = sum_offsets(a.offset, b.offset, n.out_shape.c);
      break;
    }
    case OpKind::MaxPool:
    case OpKind::AvgPool:
    case OpKind::GlobalAvgPool: lower_pool(i); break;
    case OpKind::Flatten:
    case OpKind::Dropout: v = values_[n.inputs[0]]; break;
    default:
      fail(i, "this op has no integer form yet; keep the model to conv, linear, batchnorm, "
              "relu, relu6, clip, max/average pooling, add, mul, concat, slice, channel "
              "shuffle, sigmoid, hard-sigmoid, hard-swish, SiLU, leaky ReLU, flatten and "
              "dropout to export it");
  }
  if (auto q = net_.hooks->activation_quantizer(i)) close_on_grid(i, grid_of(i, *q));
}

ActivationGrid Lowerer::grid_of(int node, const ActivationQuantizer& q) const {
  try {
    ActivationGrid g = q.grid();
    // A diverged or tampered quantizer would export a bundle that agrees with nothing.
    if (!(std::isfinite(g.scale) && g.scale > 0))
      fail(node, "activation quantizer: its scale is " + std::to_string(g.scale) +
                     "; expected a positive finite number (the run diverged, or its checkpoint is damaged)");
    for (double t : g.thresholds)
      if (!std::isfinite(t)) fail(node, "activation quantizer: a threshold is not finite");
    g.scale = as_float32(g.scale);
    for (double& t : g.thresholds) t = as_float32(t);
    return g;
  } catch (const Error& e) {
    fail(node, std::string("activation quantizer: ") + e.what());
  }
}

void Lowerer::lower_input() {
  auto q = net_.hooks->activation_quantizer(0);
  if (!q) {
    const auto layers = g_.consumers(0);
    fail(0, "the first layer reads the float image (the method's edge policy keeps it in "
            "FP32); integer export needs it quantized: quantize again with --edges quantized "
            "or --layer " + (layers.empty() ? std::string("conv1") : g_.node(layers[0]).name) +
            "=8/8");
  }
  const ActivationGrid grid = grid_of(0, *q);
  IntLayer L;
  L.op = IntOp::IntInput;
  L.scale = {grid.scale};
  L.min_value = grid.lo;
  L.max_value = grid.hi;
  const int idx = add_layer(std::move(L), 0);
  values_[0].terms = {Term{idx, {grid.scale}}};
}

void Lowerer::lower_weight_layer(int i) {
  const Node& n = g_.node(i);
  const Term in = integer_input(i);
  auto wq = net_.hooks->weight_quantizer(i);
  const LayerPlan* lp = net_.plan.find(n.name);
  if (!wq || !lp)
    fail(i, "its weights are full precision in the plan; integer export needs them "
            "quantized: quantize again with --edges quantized or --layer " + n.name + "=8/8");
  IntegerWeights iw;
  try {
    iw = wq->integer_weights(net_.model->weight(i));
  } catch (const Error& e) {
    fail(i, std::string("weights (") + lp->method + "): " + e.what());
  }
  if (!iw.real_levels.empty()) round_levels(i, in, iw);
  IntLayer L;
  L.op = n.kind == OpKind::Conv2d ? IntOp::IntConv : IntOp::IntLinear;
  if (n.kind == OpKind::Conv2d) L.window = int_window(n.window);
  L.groups = n.groups;
  L.w_bits = lp->w_bits;
  L.weights = to_int32(iw.codes.contiguous().flatten());
  for (int64_t t : iw.table) L.table.push_back(static_cast<int32_t>(t));
  check_codes(i, L);
  const auto ws = to_doubles(iw.scale);
  for (double s : ws)
    if (!(std::isfinite(s) && s > 0))
      fail(i, "weights (" + lp->method + "): a scale is " + std::to_string(s) +
                  "; expected a positive finite number (the run diverged, or its checkpoint is damaged)");
  std::vector<double> scale(ws.size());
  for (size_t c = 0; c < ws.size(); ++c) scale[c] = as_float32(ws[c]) * in.scale[0];
  Value& v = values_[i];
  L.scale = scale;  // one accumulator unit, until a requantization sets the output's
  const int idx = add_layer(std::move(L), i);
  model_.layers[idx].inputs = {in.layer};
  v.terms = {Term{idx, scale}};
  // The bias as the simulation uses it (NICE puts it on its 16-bit accumulator grid).
  const auto b = net_.model->bias(i);
  if (b.defined()) v.offset = to_doubles(net_.hooks->bias(i, b).detach());
}

void Lowerer::round_levels(int node, const Term& in, IntegerWeights& iw) {
  const auto [lo, hi] = known_range(in.layer);
  const RoundedLevels r =
      round_weight_levels(iw.real_levels, iw.codes, std::max(std::llabs(lo), std::llabs(hi)));
  iw.table = r.table;
  iw.scale = torch::full({1}, r.step, torch::kFloat64);
  char worst[32];
  std::snprintf(worst, sizeof worst, "%.3g", r.worst_steps);
  model_.notes.push_back(g_.node(node).name + ": UNIQ quantile levels rounded onto a " +
                         std::to_string(r.bits) + "-bit table (largest error " + worst +
                         " of its step)");
}

void Lowerer::check_codes(int node, const IntLayer& L) const {
  const int64_t lo = L.table.empty() ? -(int64_t{1} << (L.w_bits - 1)) : 0;
  const int64_t hi = L.table.empty() ? (int64_t{1} << (L.w_bits - 1)) - 1
                                     : static_cast<int64_t>(L.table.size()) - 1;
  if (!L.table.empty() && L.table.size() > (size_t{1} << L.w_bits))
    fail(node, "a table of " + std::to_string(L.table.size()) + " entries for " +
                   std::to_string(L.w_bits) + "-bit codes");
  for (int32_t code : L.weights)
    if (code < lo || code > hi)
      fail(node, "weight code " + std::to_string(code) + " outside [" + std::to_string(lo) +
                     ", " + std::to_string(hi) + "] for " + std::to_string(L.w_bits) + " bits");
}

void Lowerer::lower_lookup(int i) {
  const Node& n = g_.node(i);
  const Term in = integer_input(i);
  auto q_in = net_.hooks->activation_quantizer(grid_source(g_, n.inputs[0]));
  auto q_out = net_.hooks->activation_quantizer(i);
  if (!q_in || !q_out)
    fail(i, "a table needs its input and its output quantized (the plan leaves them in "
            "floating point)");
  const ActivationGrid out = grid_of(i, *q_out);
  const auto [lo, hi] = known_range(in.layer);
  if (hi - lo + 1 > (int64_t{1} << 16))
    fail(i, "its input takes " + std::to_string(hi - lo + 1) + " values; a table has at most "
            "65536 (quantize its input to at most 16 bits)");
  const auto codes = torch::arange(lo, hi + 1, torch::kFloat64);
  const auto x = q_in->quantize((codes * in.scale[0]).to(torch::kFloat32));
  OpRun run;
  run.index = i;
  const auto y = q_out->quantize(op_of(n).forward(n, {x}, run));
  const auto table = torch::round(y.to(torch::kFloat64) / out.scale);
  IntLayer L;
  L.op = IntOp::IntLookup;
  L.inputs = {in.layer};
  L.table = to_int32(table);
  L.scale = {out.scale};
  const int idx = add_layer(std::move(L), i);
  values_[i].terms = {Term{idx, {out.scale}}};
}

void Lowerer::lower_mul(int i) {
  const Node& n = g_.node(i);
  Term a = integer_input_of(i, n.inputs[0]), b = integer_input_of(i, n.inputs[1]);
  if (model_.layers[a.layer].h * model_.layers[a.layer].w <
      model_.layers[b.layer].h * model_.layers[b.layer].w)
    std::swap(a, b);
  IntLayer L;
  L.op = IntOp::IntMul;
  L.inputs = {a.layer, b.layer};
  L.scale = {a.scale[0] * b.scale[0]};
  const int idx = add_layer(std::move(L), i);
  values_[i].terms = {Term{idx, {a.scale[0] * b.scale[0]}}};
}

void Lowerer::lower_batchnorm(int i) {
  Value& v = values_[i];
  v = values_[g_.node(i).inputs[0]];
  auto bn = net_.model->batchnorm(i);
  const auto a = to_doubles(bn->weight / torch::sqrt(bn->running_var + bn->options.eps()));
  const auto mean = to_doubles(bn->running_mean), beta = to_doubles(bn->bias);
  const bool after_conv = !v.clamp.any() && v.terms.size() == 1 && is_open(v.terms[0].layer);
  if (!after_conv) {
    // A BatchNorm on codes or a concatenation (DenseNet's BN-ReLU-conv): a per-channel affine
    // map of each piece, requantized when a grid closes it.
    std::vector<ChannelPiece> pieces = pieces_of(g_.node(i).inputs[0]);
    int64_t c = 0;
    for (ChannelPiece& p : pieces)
      for (int64_t k = 0; k < p.count; ++k, ++c) {
        if (p.clamp.any())
          fail(i, "a BatchNorm after a ReLU or clip on values the plan does not quantize");
        p.offset[k] = a[c] * (p.offset[k] - mean[c]) + beta[c];
        p.scale[k] *= a[c];
      }
    v = Value{};
    v.pieces = std::move(pieces);
    return;
  }
  const int64_t C = static_cast<int64_t>(a.size());
  std::vector<double> scale(C), offset(C);
  for (int64_t c = 0; c < C; ++c) {
    scale[c] = a[c] * at(v.terms[0].scale, c);
    const double d = v.offset.empty() ? 0.0 : v.offset[c];
    offset[c] = a[c] * (d - mean[c]) + beta[c];
  }
  v.terms[0].scale = scale;
  v.offset = offset;
}

void Lowerer::lower_uneven_average(int i) {
  const Node& n = g_.node(i);
  const Window& w = n.window;
  if (w.count_include_pad && (w.pad_top || w.pad_left || w.pad_bottom || w.pad_right))
    fail(i, "an average pool in ceil mode whose cut windows count padded zeros (PyTorch's "
            "count_include_pad=True) has no integer form; its integer form divides by the "
            "positions inside the map (count_include_pad=False)");
  const Term in = integer_input(i, true);
  for (double s : in.scale)
    if (s != in.scale[0] || !(s > 0))
      fail(i, "an average pool that divides windows by different counts over per-channel scales");
  auto q = net_.hooks->activation_quantizer(i);
  if (!q) fail(i, "an average pool that divides windows by different counts needs its output "
                  "quantized (give its reader activation bits)");
  const ActivationGrid grid = grid_of(i, *q);
  if (!grid.affine || !grid.thresholds.empty())
    fail(i, "an average pool that divides windows by different counts needs an evenly spaced "
            "output grid");
  IntLayer L;
  L.op = IntOp::IntAvgPool;
  L.inputs = {in.layer};
  L.window = int_window(w);
  const double factor = in.scale[0] / grid.scale;  // for a window of one position
  IntLayer one;  // the shift of the largest multiplier serves every count
  one.c = 1;
  std::vector<std::string> unused;  // a note on this one multiplier would not describe the table
  try {
    choose_multipliers(one, {{factor}}, {}, unused);
  } catch (const Error& e) {
    fail(i, e.what());
  }
  L.requant.requantized = true;
  L.requant.shift = one.requant.shift;
  L.requant.lo = static_cast<int32_t>(grid.lo), L.requant.hi = static_cast<int32_t>(grid.hi);
  for (int64_t count = 1; count <= L.window.taps(); ++count)
    L.table.push_back(static_cast<int32_t>(
        std::llround(std::ldexp(factor / static_cast<double>(count), one.requant.shift[0]))));
  L.scale = {grid.scale};
  const int idx = add_layer(std::move(L), i);
  values_[i].terms = {Term{idx, {grid.scale}}};
}

void Lowerer::lower_pool(int i) {
  const Node& n = g_.node(i);
  if (n.kind == OpKind::AvgPool && average_divides_unevenly(n.window, n.in_shape))
    return lower_uneven_average(i);
  const Term in = integer_input(i, true);
  IntLayer L;
  L.inputs = {in.layer};
  std::vector<double> scale = in.scale;
  if (n.kind == OpKind::MaxPool) {
    for (double sc : scale)
      if (!(sc > 0)) fail(i, "a max pool over values with a negative scale (a BatchNorm with a "
                             "negative weight before it): quantize its input");
    L.op = IntOp::IntMaxPool;
    L.window = int_window(n.window);
  } else {
    L.op = IntOp::IntSumPool;
    const bool global = n.kind == OpKind::GlobalAvgPool;
    L.window = global ? IntWindow::whole_map() : int_window(n.window);
    L.window.ceil_mode = false;  // even windows: ceil mode added none (lower_uneven_average)
    const double window = global ? static_cast<double>(n.in_shape.h * n.in_shape.w)
                                 : static_cast<double>(n.window.kh * n.window.kw);
    for (double& sc : scale) sc /= window;  // the mean's 1/(kh·kw) moves into the reader's multiplier
  }
  L.scale = scale;
  const int idx = add_layer(std::move(L), i);
  values_[i].terms = {Term{idx, scale}};
}

}  // namespace lowering_detail

IntegerModel lower(const QuantizedNetwork& net) {
  torch::NoGradGuard no_grad;
  return lowering_detail::Lowerer(net).run();
}

}  // namespace bitshift
