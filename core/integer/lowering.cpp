#include "integer/lowering.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "graph/op.h"
#include "integer/channel_pieces.h"
#include "integer/int_op.h"
#include "integer/reference_executor.h"
#include "integer/requant_choice.h"
#include "integer/weight_table.h"
#include "util/error.h"

namespace bitshift {

namespace {

// A real tensor of the graph in terms of integer layers:
//   real[c] = Σ_terms scale_t[c]·value_t[c] + offset[c], then ReLU (and ReLU6's cap) if set.
// A term whose layer is an "open" conv is its raw accumulator (bias and requantization not
// decided yet); a value is "integer" when it is one closed term with one scale and nothing else.
struct Term {
  int layer = 0;
  std::vector<double> scale;  // size 1 or C
};
struct Value {
  std::vector<Term> terms;
  std::vector<double> offset;  // empty = 0
  bool relu = false;
  double cap = 0.0;  // ReLU6: 6
  // Non-empty: the value is these channel runs side by side (and `terms` is empty). Closing it
  // on a grid makes a concat layer; data movement between grids is free until then.
  std::vector<ChannelPiece> pieces;
};

template <typename T>
T at(const std::vector<T>& v, int64_t c) {
  return v.size() == 1 ? v[0] : v[static_cast<size_t>(c)];
}

std::vector<int32_t> to_int32(const torch::Tensor& t) {
  const auto c = t.to(torch::kInt64).contiguous();
  std::vector<int32_t> out(static_cast<size_t>(c.numel()));
  const int64_t* p = c.data_ptr<int64_t>();
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int32_t>(p[i]);
  return out;
}

std::vector<double> to_doubles(const torch::Tensor& t) {
  const auto c = t.detach().to(torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

class Lowerer {
 public:
  explicit Lowerer(const QuantizedNetwork& net) : net_(net), g_(net.model->graph()) {}

  IntegerModel run() {
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

 private:
  [[noreturn]] void fail(int node, const std::string& what) const {
    throw Error("cannot lower '" + g_.node(node).name + "' (" + op_name(g_.node(node).kind) +
                "): " + what);
  }

  int add_layer(IntLayer L, int node) {
    const Node& n = g_.node(node);
    L.name = n.name;
    L.c = n.out_shape.flat ? n.out_shape.numel() : n.out_shape.c;
    L.h = n.out_shape.flat ? 1 : n.out_shape.h;
    L.w = n.out_shape.flat ? 1 : n.out_shape.w;
    model_.layers.push_back(std::move(L));
    return static_cast<int>(model_.layers.size()) - 1;
  }

  bool is_open(int layer) const {
    const IntLayer& L = model_.layers[layer];
    return (L.op == IntOp::IntConv || L.op == IntOp::IntLinear || L.op == IntOp::IntMul) &&
           !closed_.count(layer);
  }

  // The integer layer a weight layer or pool can read, or an error naming what is missing.
  // `pool`: a pool may read per-channel scales, and an open conv it reads (a network's tail:
  // conv, ReLU, global pool, logits) closes with unit multipliers, exactly.
  const Term& integer_input(int node, bool pool = false) {
    return integer_input_of(node, g_.node(node).inputs[0], pool);
  }
  const Term& integer_input_of(int node, int src, bool pool = false) {
    if (!values_[src].pieces.empty()) move_pieces(src);
    if (pool && values_[src].terms.size() == 1 && is_open(values_[src].terms[0].layer))
      close_exact(src);
    const Value& v = values_[src];
    if (v.terms.size() != 1 || is_open(v.terms[0].layer) || !v.offset.empty() || v.relu ||
        (!pool && v.terms[0].scale.size() != 1))
      fail(node, "its input '" + g_.node(src).name + "' is not quantized in the plan; an " +
                     "integer-only model needs every layer's input on an integer grid (give " +
                     "the reading layer activation bits, e.g. --layer " + g_.node(node).name +
                     "=8/8)");
    return v.terms[0];
  }

  void lower_node(int i) {
    const Node& n = g_.node(i);
    Value& v = values_[i];
    switch (n.kind) {
      case OpKind::Input: lower_input(); return;
      case OpKind::Conv2d:
      case OpKind::Linear: lower_weight_layer(i); break;
      case OpKind::BatchNorm2d: lower_batchnorm(i); break;
      case OpKind::ReLU:
      case OpKind::ReLU6:
        v = values_[n.inputs[0]];
        v.relu = true;
        if (n.kind == OpKind::ReLU6) v.cap = 6.0;
        for (ChannelPiece& p : v.pieces) {
          p.relu = true;
          if (n.kind == OpKind::ReLU6) p.cap = p.cap > 0 ? std::min(p.cap, 6.0) : 6.0;
        }
        break;
      case OpKind::Sigmoid:
      case OpKind::HardSigmoid:
      case OpKind::HardSwish:
      case OpKind::SiLU:
      case OpKind::LeakyReLU: lower_lookup(i); break;
      case OpKind::Mul: lower_mul(i); break;
      case OpKind::Clip:
        // clamp(x, lo, hi) folds into the requantization's clamp like ReLU6 (lo 0 only).
        if (n.lo != 0.0 || !(n.hi > 0.0))
          fail(i, "only clips to [0, hi] (ReLU6) have an integer form yet");
        v = values_[n.inputs[0]];
        v.relu = true;
        v.cap = v.cap > 0 ? std::min(v.cap, n.hi) : n.hi;
        for (ChannelPiece& p : v.pieces) p.relu = true, p.cap = p.cap > 0 ? std::min(p.cap, n.hi) : n.hi;
        break;
      case OpKind::Concat:
        for (int in : n.inputs) {
          const std::vector<ChannelPiece> p = pieces_of(in);
          v.pieces.insert(v.pieces.end(), p.begin(), p.end());
        }
        break;
      case OpKind::Slice: v.pieces = channel_slice(pieces_of(n.inputs[0]), n.begin, n.end); break;
      case OpKind::ChannelShuffle: v.pieces = channel_shuffle(pieces_of(n.inputs[0]), n.groups); break;
      case OpKind::Add: {
        const Value& a = values_[n.inputs[0]];
        const Value& b = values_[n.inputs[1]];
        if (!a.pieces.empty() || !b.pieces.empty())
          fail(i, "an input is a concatenation the plan does not quantize");
        if (a.relu || b.relu) fail(i, "an input passes a ReLU that is not quantized");
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

  ActivationGrid grid_of(int node, const ActivationQuantizer& q) const {
    try {
      return q.grid();
    } catch (const Error& e) {
      fail(node, std::string("activation quantizer: ") + e.what());
    }
  }

  void lower_input() {
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

  void lower_weight_layer(int i) {
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
    require_square_window(i);
    L.kernel = n.window.kh, L.stride = n.window.sh, L.padding = n.window.pad_top;
    L.groups = n.groups;
    L.w_bits = lp->w_bits;
    L.weights = to_int32(iw.codes.contiguous().flatten());
    for (int64_t t : iw.table) L.table.push_back(static_cast<int32_t>(t));
    check_codes(i, L);
    const auto ws = to_doubles(iw.scale);
    std::vector<double> scale(ws.size());
    for (size_t c = 0; c < ws.size(); ++c) scale[c] = ws[c] * in.scale[0];
    Value& v = values_[i];
    L.scale = scale;  // one accumulator unit, until a requantization sets the output's
    const int idx = add_layer(std::move(L), i);
    model_.layers[idx].inputs = {in.layer};
    v.terms = {Term{idx, scale}};
    // The bias as the simulation uses it (NICE puts it on its 16-bit accumulator grid).
    const auto b = net_.model->bias(i);
    if (b.defined()) v.offset = to_doubles(net_.hooks->bias(i, b).detach());
  }

  // Real weight levels (UNIQ) onto the finest integer table the accumulator allows, noted.
  void round_levels(int node, const Term& in, IntegerWeights& iw) {
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

  // The integer layers take k×k windows with equal pads and no dilation (the export issue
  // widens this); anything else is refused by name rather than lowered wrongly.
  void require_square_window(int node) const {
    const Window& w = g_.node(node).window;
    if (!w.is_square())
      fail(node, "the integer form needs a square window (k×k, equal stride and pads, no "
                 "dilation or ceil mode), got kernel " + std::to_string(w.kh) + "x" +
                 std::to_string(w.kw) + ", stride " + std::to_string(w.sh) + "x" +
                 std::to_string(w.sw) + ", dilation " + std::to_string(w.dh) + "x" +
                 std::to_string(w.dw));
  }

  void check_codes(int node, const IntLayer& L) const {
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

  // A function of one value as the table of its output codes: every code the input can take,
  // through the simulation's own input quantizer, the op, and the output quantizer.
  void lower_lookup(int i) {
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

  // A product of two tensors on grids (a squeeze-excitation gate times the features): an open
  // layer on the product's scale until the output grid requantizes it. The broadcast operand
  // (C×1×1) is the second input.
  void lower_mul(int i) {
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

  void lower_batchnorm(int i) {
    Value& v = values_[i];
    v = values_[g_.node(i).inputs[0]];
    auto bn = net_.model->batchnorm(i);
    const auto a = to_doubles(bn->weight / torch::sqrt(bn->running_var + bn->options.eps()));
    const auto mean = to_doubles(bn->running_mean), beta = to_doubles(bn->bias);
    const bool after_conv = !v.relu && v.terms.size() == 1 && is_open(v.terms[0].layer);
    if (!after_conv) {
      // A BatchNorm on codes or a concatenation (DenseNet's BN-ReLU-conv): a per-channel affine
      // map of each piece, requantized when a grid closes it.
      std::vector<ChannelPiece> pieces = pieces_of(g_.node(i).inputs[0]);
      int64_t c = 0;
      for (ChannelPiece& p : pieces)
        for (int64_t k = 0; k < p.count; ++k, ++c) {
          if (p.relu) fail(i, "a BatchNorm after a ReLU on values the plan does not quantize");
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

  void lower_pool(int i) {
    const Node& n = g_.node(i);
    const Term in = integer_input(i, true);
    IntLayer L;
    L.inputs = {in.layer};
    std::vector<double> scale = in.scale;
    if (n.kind == OpKind::MaxPool) {
      for (double sc : scale)
        if (!(sc > 0)) fail(i, "a max pool over values with a negative scale (a BatchNorm with a "
                               "negative weight before it): quantize its input");
      L.op = IntOp::IntMaxPool;
      Window w = n.window;
      w.ceil_mode = false;  // a max pool's ceil mode only adds windows cut to the map
      if (!w.is_square()) require_square_window(i);
      L.kernel = w.kh, L.stride = w.sh, L.padding = w.pad_top, L.ceil_mode = n.window.ceil_mode;
    } else {
      L.op = IntOp::IntSumPool;
      const bool global = n.kind == OpKind::GlobalAvgPool;
      if (!global) require_square_window(i);
      // Padded zeros in the divisor (PyTorch's default): every window divides by k², and the
      // padding adds nothing to the sum. Without them the divisor shrinks at the borders.
      if (!global && n.window.pad_top != 0 && !n.window.count_include_pad)
        fail(i, "an average pool with padding that leaves the padded zeros out of the divisor "
                "(count_include_pad=False) divides border windows by fewer values; its integer "
                "form needs count_include_pad=True or no padding");
      L.kernel = global ? 0 : n.window.kh, L.stride = global ? 1 : n.window.sh;
      L.padding = global ? 0 : n.window.pad_top;
      const double window = global ? static_cast<double>(n.in_shape.h * n.in_shape.w)
                                   : static_cast<double>(n.window.kh * n.window.kw);
      for (double& sc : scale) sc /= window;  // the mean's 1/k² moves into the reader's multiplier
    }
    L.scale = scale;
    const int idx = add_layer(std::move(L), i);
    values_[i].terms = {Term{idx, scale}};
  }

  // The value of `node` as channel runs: its pieces, or its one term as a single run.
  std::vector<ChannelPiece> pieces_of(int node) {
    const Value& v = values_[node];
    if (!v.pieces.empty()) return v.pieces;
    if (v.terms.size() != 1)
      fail(node, "its channels are laid beside others (concat, split or shuffle) but it is a "
                 "sum the plan does not quantize; give its reader activation bits");
    const Shape& sh = g_.node(node).out_shape;
    ChannelPiece p;
    p.layer = v.terms[0].layer;
    p.count = sh.flat ? sh.numel() : sh.c;
    p.relu = v.relu, p.cap = v.cap;
    for (int64_t c = 0; c < p.count; ++c) {
      p.scale.push_back(at(v.terms[0].scale, c));
      p.offset.push_back(v.offset.empty() ? 0.0 : v.offset[c]);
    }
    return {p};
  }

  // The concat layer that lays `pieces` side by side, each channel requantized onto `grid`
  // (m[c], shift[c], offset[c]); open convs among them stay wide (their bias joins the offset).
  void close_pieces(int node, const ActivationGrid& grid) {
    Value& v = values_[node];
    const std::vector<ChannelPiece> pieces = v.pieces;
    bool relu = false, mixed = false;
    double cap = 0.0;
    for (const ChannelPiece& p : pieces) {
      mixed |= p.relu != pieces[0].relu || p.cap != pieces[0].cap;
      relu |= p.relu;
      cap = p.cap;
    }
    bool caps_differ = false;
    for (const ChannelPiece& p : pieces) caps_differ |= p.cap != pieces[0].cap;
    if ((mixed && grid.lo < 0) || caps_differ)
      fail(node, "its channels come from inputs with different ReLU/ReLU6 clamps onto one grid");
    IntLayer L;
    L.op = IntOp::IntConcat;
    std::vector<std::vector<double>> M(1);
    std::vector<double> offset;
    for (const ChannelPiece& p : pieces) {
      if (is_open(p.layer)) close_wide(p.layer, model_.layers[p.layer].scale, {});
      add_run(L, p);
      for (int64_t k = 0; k < p.count; ++k) {
        M[0].push_back(p.scale[k] / grid.scale);
        offset.push_back(p.offset[k]);
      }
    }
    const int idx = add_layer(std::move(L), node);
    int64_t lo = grid.lo, hi = grid.hi;
    if (relu && !mixed) lo = std::max<int64_t>(lo, 0);
    if (cap > 0 && !mixed)
      hi = std::min(hi, static_cast<int64_t>(std::floor(cap / grid.scale + 0.5)));
    IntLayer& C = model_.layers[idx];
    C.requant.requantized = true;
    C.requant.lo = static_cast<int32_t>(lo), C.requant.hi = static_cast<int32_t>(hi);
    requantize_onto(node, C, M, offset, grid);
    C.scale = {grid.scale};
    v = Value{};
    v.terms = {Term{idx, {grid.scale}}};
  }

  // A reader of side-by-side runs that all sit on one grid (a split or shuffle of quantized
  // codes): the runs become a concat layer with unit multipliers, pure data movement.
  void move_pieces(int node) {
    const std::vector<ChannelPiece>& pieces = values_[node].pieces;
    const double s = pieces[0].scale[0];
    for (const ChannelPiece& p : pieces)
      for (int64_t k = 0; k < p.count; ++k)
        if (p.scale[k] != s || p.offset[k] != 0.0 || is_open(p.layer) ||
            (p.relu && !(known_range(p.layer).first >= 0)))
          return;  // not codes on one grid: integer_input names what is missing
    IntLayer L;
    L.op = IntOp::IntConcat;
    int64_t lo = std::numeric_limits<int32_t>::max(), hi = std::numeric_limits<int32_t>::min();
    for (const ChannelPiece& p : pieces) {
      add_run(L, p);
      const auto r = known_range(p.layer);
      lo = std::min(lo, r.first), hi = std::max(hi, r.second);
    }
    L.requant.requantized = true;
    L.requant.m.assign(1, 1), L.requant.shift.assign(1, 0);
    L.requant.lo = static_cast<int32_t>(lo), L.requant.hi = static_cast<int32_t>(hi);
    L.scale = {s};
    const int idx = add_layer(std::move(L), node);
    values_[node] = Value{};
    values_[node].terms = {Term{idx, {s}}};
  }

  // The values a closed integer layer can hold, as far as lowering knows them.
  std::pair<int64_t, int64_t> known_range(int layer) const {
    const IntLayer& L = model_.layers[layer];
    if (L.op == IntOp::IntInput) return {L.min_value, L.max_value};
    if (L.op == IntOp::IntMaxPool) return known_range(L.inputs[0]);
    if (L.requant.requantized) return {L.requant.lo, L.requant.hi};
    return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
  }

  static std::vector<double> sum_offsets(const std::vector<double>& a, const std::vector<double>& b,
                                         int64_t C) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    std::vector<double> s(C);
    for (int64_t c = 0; c < C; ++c) s[c] = a[c] + b[c];
    return s;
  }

  // Closes an open conv as a wide (int32) output whose bias carries `offset` / scale.
  void close_wide(int layer, const std::vector<double>& scale, const std::vector<double>& offset) {
    IntLayer& L = model_.layers[layer];
    if (L.op == IntOp::IntMul) {
      if (!offset.empty()) throw Error("cannot lower '" + L.name + "': a product with an offset");
      L.scale = scale;
      closed_.insert(layer);
      return;
    }
    L.bias.assign(static_cast<size_t>(L.c), 0);
    if (!offset.empty())
      for (int64_t c = 0; c < L.c; ++c) {
        const double s = at(scale, c);
        const double b = s == 0.0 ? 0.0 : std::floor(offset[c] / s + 0.5);
        if (std::abs(b) > 2147483647.0)
          throw Error("cannot lower '" + L.name + "': bias of channel " + std::to_string(c) +
                      " is " + std::to_string(b) + " accumulator units (> int32)");
        L.bias[c] = static_cast<int32_t>(b);
      }
    L.scale = scale;
    closed_.insert(layer);
  }

  // Requantizes the node's value onto a site's grid (the layer that produced it gets m, shift).
  void close_on_grid(int node, const ActivationGrid& grid) {
    if (node == 0) return;
    Value& v = values_[node];
    if (!grid.thresholds.empty()) return close_thresholds(node, grid);
    if (!grid.affine)
      fail(node, "its quantizer's levels (odd multiples of a half step) cannot be reached by "
                 "requantizing integers; only the network input may use them");
    if (v.terms.size() == 1 && !is_open(v.terms[0].layer) && v.offset.empty() && !v.relu &&
        v.terms[0].scale.size() == 1 && v.terms[0].scale[0] == grid.scale &&
        model_.layers[v.terms[0].layer].op == IntOp::IntLookup)
      return;  // a table's codes are already on its output grid
    if (v.terms.size() == 1 && !is_open(v.terms[0].layer)) v.pieces = pieces_of(node);
    if (!v.pieces.empty()) return close_pieces(node, grid);
    int64_t lo = grid.lo, hi = grid.hi;
    if (v.relu) lo = std::max<int64_t>(lo, 0);
    if (v.cap > 0) hi = std::min<int64_t>(hi, static_cast<int64_t>(std::floor(v.cap / grid.scale + 0.5)));
    const int64_t C = g_.node(node).out_shape.flat ? g_.node(node).out_shape.numel()
                                                   : g_.node(node).out_shape.c;
    std::vector<std::vector<double>> M;
    for (const Term& t : v.terms) {
      std::vector<double> m(C);
      for (int64_t c = 0; c < C; ++c) m[c] = at(t.scale, c) / grid.scale;
      M.push_back(m);
    }
    int target = -1;
    if (v.terms.size() == 1) {
      target = v.terms[0].layer;
      if (!is_open(target))
        fail(node, "a second quantizer on an already quantized tensor is not supported");
      close_wide(target, v.terms[0].scale, {});
    } else {
      // A residual add: open convs stay wide (no bias); the offset joins the add's requant.
      for (const Term& t : v.terms)
        if (is_open(t.layer)) close_wide(t.layer, t.scale, {});
      IntLayer A;
      A.op = IntOp::IntAdd;
      A.inputs = {v.terms[0].layer, v.terms[1].layer};
      target = add_layer(std::move(A), node);
    }
    IntLayer& L = model_.layers[target];
    L.requant.requantized = true;
    L.requant.lo = static_cast<int32_t>(lo);
    L.requant.hi = static_cast<int32_t>(hi);
    requantize_onto(node, L, M, v.offset, grid);
    L.scale = {grid.scale};
    v = Value{};
    v.terms = {Term{target, {grid.scale}}};
  }

  // A multi-threshold layer onto a grid whose levels count learned thresholds (N2UQ): the real
  // value s[c]·x + o[c] (after a ReLU/ReLU6 when the value has one) reaches threshold t when
  // s·x ≥ t − o, i.e. x ≥ ⌈(t − o)/s⌉ for s > 0 and x ≤ ⌊(t − o)/s⌋ for s < 0 (counted down:
  // m = −1). An open conv stays wide and bias-free: its offset moves into the thresholds exactly.
  // A sum (residual add) or channels laid side by side is first requantized onto a fine grid
  // (close_on_fine_grid, ReLU/ReLU6 in its clamp), then thresholded.
  void close_thresholds(int node, const ActivationGrid& grid) {
    Value& v = values_[node];
    if (v.terms.size() != 1 || !v.pieces.empty()) close_on_fine_grid(node);
    const Term t = v.terms[0];
    if (is_open(t.layer)) close_wide(t.layer, t.scale, {});
    // Thresholds every x reaches or none does, as int32 sentinels (run() checks that the input
    // is proven to stay below the largest int32).
    const int64_t always = std::numeric_limits<int32_t>::min();
    const int64_t never = std::numeric_limits<int32_t>::max();
    IntLayer L;
    L.op = IntOp::IntThreshold;
    L.inputs = {t.layer};
    const int64_t n = static_cast<int64_t>(grid.thresholds.size());
    const int64_t C = model_.layers[t.layer].c;
    Requant& r = L.requant;
    r.requantized = true;
    r.lo = static_cast<int32_t>(grid.lo), r.hi = static_cast<int32_t>(grid.hi);
    r.shift = {0};
    for (int64_t c = 0; c < C; ++c) {
      const double s = at(t.scale, c), o = v.offset.empty() ? 0.0 : v.offset[c];
      std::vector<int64_t> row;
      for (double th : grid.thresholds) {
        // After a ReLU (and ReLU6's cap) the quantizer sees max(value, 0) (min(·, cap)).
        bool reached_always = v.relu && th <= 0.0, reached_never = v.cap > 0 && th > v.cap;
        int64_t x_at = 0;
        if (!reached_always && !reached_never) {
          if (s == 0.0) {
            (o >= th ? reached_always : reached_never) = true;
          } else {
            const double q = (th - o) / s;
            const double b = s > 0 ? std::ceil(q) : std::floor(q) + 1;  // s < 0: x ≥ b not reached
            x_at = static_cast<int64_t>(std::clamp(b, double(always), double(never)));
          }
        }
        // Counted up (s ≥ 0): the value reaches th when x ≥ entry. Counted down (s < 0): the
        // value reaches th unless x ≥ entry.
        const bool up = s >= 0.0;
        if (reached_always) row.push_back(up ? always : never);
        else if (reached_never) row.push_back(up ? never : always);
        else row.push_back(x_at);
      }
      std::sort(row.begin(), row.end());
      for (int64_t e : row) L.table.push_back(static_cast<int32_t>(e));
      const bool up = s >= 0.0;
      r.m.push_back(up ? 1 : -1);
      r.offset.push_back(up ? grid.lo : grid.lo + n);
    }
    L.scale = {grid.scale};
    const int idx = add_layer(std::move(L), node);
    v = Value{};
    v.terms = {Term{idx, {grid.scale}}};
  }

  // Requantizes a sum or side-by-side channels onto the finest grid whose int32 values still
  // hold every real value it can take (±2^30 units for the largest, from the inputs' proven
  // ranges): the multipliers are the only rounding, ~2^-30 of the range.
  void close_on_fine_grid(int node) {
    Value& v = values_[node];
    for (const Term& t : v.terms)
      if (is_open(t.layer)) close_wide(t.layer, t.scale, {});
    for (const ChannelPiece& p : v.pieces)
      if (is_open(p.layer)) close_wide(p.layer, model_.layers[p.layer].scale, {});
    try {
      prove_int_ranges(model_);  // the ranges of the layers so far
    } catch (const std::runtime_error& e) {
      fail(node, e.what());
    }
    const auto max_abs = [&](int layer) {
      const IntLayer& L = model_.layers[layer];
      return static_cast<double>(std::max(std::llabs(L.min_value), std::llabs(L.max_value)));
    };
    double largest = 0.0;
    const int64_t C = g_.node(node).out_shape.flat ? g_.node(node).out_shape.numel()
                                                   : g_.node(node).out_shape.c;
    if (v.pieces.empty()) {
      for (int64_t c = 0; c < C; ++c) {
        double r = v.offset.empty() ? 0.0 : std::abs(v.offset[c]);
        for (const Term& t : v.terms) r += max_abs(t.layer) * std::abs(at(t.scale, c));
        largest = std::max(largest, r);
      }
    } else {
      for (const ChannelPiece& p : v.pieces)
        for (int64_t k = 0; k < p.count; ++k)
          largest = std::max(largest, max_abs(p.layer) * std::abs(p.scale[k]) + std::abs(p.offset[k]));
    }
    ActivationGrid fine;
    fine.scale = largest > 0.0 ? std::ldexp(largest, -30) : 1.0;
    fine.lo = -(int64_t{1} << 30) - 1;
    fine.hi = (int64_t{1} << 30) + 1;
    close_on_grid(node, fine);
  }

  // An open conv read as is: requantized with m = 1 and shift 0, so the output is the
  // accumulator plus its bias in accumulator units, ReLU (and ReLU6's cap) in the clamp.
  void close_exact(int node) {
    Value& v = values_[node];
    const Term t = v.terms[0];
    IntLayer& L = model_.layers[t.layer];
    // One clamp serves every channel: exact only when a ReLU's zero and a cap sit at the same
    // accumulator value in every channel.
    bool positive = true, uniform = true;
    for (int64_t c = 0; c < L.c; ++c) {
      positive &= at(t.scale, c) > 0;
      uniform &= at(t.scale, c) == at(t.scale, 0);
    }
    if ((v.relu && !positive) || (v.cap > 0 && !uniform))
      fail(node, "a ReLU or ReLU6 before a pool over a value the plan does not quantize, with "
                 "per-channel scales " + std::string(positive ? "that differ" : "of both signs") +
                 "; quantize the pool's input (give its reader activation bits)");
    Requant& r = L.requant;
    r.requantized = true;
    r.m = {1}, r.shift = {0};
    r.lo = v.relu ? 0 : std::numeric_limits<int32_t>::min();
    r.hi = std::numeric_limits<int32_t>::max();
    if (v.cap > 0) {
      double top = std::numeric_limits<int32_t>::max();
      for (int64_t c = 0; c < L.c; ++c) top = std::min(top, std::floor(v.cap / at(t.scale, c) + 0.5));
      if (top < 0) fail(node, "a ReLU6 on a negative scale");
      r.hi = static_cast<int32_t>(top);
    }
    if (!v.offset.empty()) {
      r.offset.assign(static_cast<size_t>(L.c), 0);
      for (int64_t c = 0; c < L.c; ++c) {
        const double b = std::floor(v.offset[c] / at(t.scale, c) + 0.5);
        if (std::abs(b) > 2147483647.0) fail(node, "bias of channel " + std::to_string(c) + " is beyond int32");
        r.offset[c] = static_cast<int64_t>(b);
      }
    }
    L.scale = t.scale;
    closed_.insert(t.layer);
    v = Value{};
    v.terms = {t};
  }

  static std::vector<double> steps_of(const std::vector<double>& offset, const ActivationGrid& grid) {
    std::vector<double> steps;
    for (double o : offset) steps.push_back(o / grid.scale);
    return steps;
  }

  // The requantization of L onto `grid` (integer/requant_choice.h); errors name `node`.
  void requantize_onto(int node, IntLayer& L, const std::vector<std::vector<double>>& M,
                       const std::vector<double>& offset, const ActivationGrid& grid) {
    const std::vector<double> steps = steps_of(offset, grid);
    choose_multipliers(L, M, steps, model_.notes);
    if (steps.empty()) return;
    try {
      set_offsets(L, steps);
    } catch (const Error& e) {
      fail(node, e.what());
    }
  }

  void close_output() {
    const int out = g_.output();
    Value& v = values_[out];
    if (v.terms.size() != 1 || v.relu) fail(out, "the network output must be a layer's logits");
    if (is_open(v.terms[0].layer)) close_wide(v.terms[0].layer, v.terms[0].scale, v.offset);
    if (v.terms[0].layer != static_cast<int>(model_.layers.size()) - 1)
      fail(out, "the logits must come from the last integer layer");
    model_.layers.back().scale = v.terms[0].scale;
  }

  const QuantizedNetwork& net_;
  const Graph& g_;
  IntegerModel model_;
  std::vector<Value> values_;
  std::set<int> closed_;
};

}  // namespace

IntegerModel lower(const QuantizedNetwork& net) {
  torch::NoGradGuard no_grad;
  return Lowerer(net).run();
}

}  // namespace bitshift
