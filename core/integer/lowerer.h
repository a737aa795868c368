#pragma once
// Inside the lowering (integer/lowering.h), not a public header: the Lowerer walks the graph
// once, keeping each node's real value in terms of integer layers. lowering.cpp lowers the
// nodes (weights, pools, tables, products, BatchNorm); grid_closing.cpp closes values onto
// activation grids (requantization, adds, concatenations, multi-thresholds, the logits).
#include <torch/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "integer/channel_pieces.h"
#include "integer/integer_model.h"
#include "quant/quantized_network.h"

namespace bitshift::lowering_detail {

// A real tensor of the graph in terms of integer layers:
//   real[c] = Σ_terms scale_t[c]·value_t[c] + offset[c], then the clamp (ReLU, ReLU6, clip).
// A term whose layer is an "open" conv is its raw accumulator (bias and requantization not
// decided yet); a value is "integer" when it is one closed term with one scale and nothing else.
struct Term {
  int layer = 0;
  std::vector<double> scale;  // size 1 or C
};
struct Value {
  std::vector<Term> terms;
  std::vector<double> offset;  // empty = 0
  Clamp clamp;  // ReLU, ReLU6, clip
  // Non-empty: the value is these channel runs side by side (and `terms` is empty). Closing it
  // on a grid makes a concat layer; data movement between grids is free until then.
  std::vector<ChannelPiece> pieces;
};

template <typename T>
T at(const std::vector<T>& v, int64_t c) {
  return v.size() == 1 ? v[0] : v[static_cast<size_t>(c)];
}

class Lowerer {
 public:
  explicit Lowerer(const QuantizedNetwork& net) : net_(net), g_(net.model->graph()) {}

  IntegerModel run();

 private:
  [[noreturn]] void fail(int node, const std::string& what) const;

  int add_layer(IntLayer L, int node);

  bool is_open(int layer) const;

  // The integer layer a weight layer or pool can read, or an error naming what is missing.
  // `pool`: a pool may read per-channel scales, and an open conv it reads (a network's tail:
  // conv, ReLU, global pool, logits) closes with unit multipliers, exactly.
  const Term& integer_input(int node, bool pool = false);
  const Term& integer_input_of(int node, int src, bool pool = false);

  void lower_node(int i);

  ActivationGrid grid_of(int node, const ActivationQuantizer& q) const;

  void lower_input();

  void lower_weight_layer(int i);

  // Real weight levels (UNIQ) onto the finest integer table the accumulator allows, noted.
  void round_levels(int node, const Term& in, IntegerWeights& iw);

  void check_codes(int node, const IntLayer& L) const;

  // A function of one value as the table of its output codes: every code the input can take,
  // through the simulation's own input quantizer, the op, and the output quantizer.
  void lower_lookup(int i);

  // A product of two tensors on grids (a squeeze-excitation gate times the features): an open
  // layer on the product's scale until the output grid requantizes it. The broadcast operand
  // (C×1×1) is the second input.
  void lower_mul(int i);

  void lower_batchnorm(int i);

  void lower_pool(int i);

  // An average pool whose windows divide by different counts (count_include_pad=False, ceil
  // mode): an avgpool layer requantizing each window's sum onto the pool's output grid with
  // the multiplier of its count.
  void lower_uneven_average(int i);

  // The value of `node` as channel runs: its pieces, or its one term as a single run.
  std::vector<ChannelPiece> pieces_of(int node);

  // The concat layer that lays `pieces` side by side, each channel requantized onto `grid`
  // (m[c], shift[c], offset[c]); open convs among them stay wide (their bias joins the offset).
  void close_pieces(int node, const ActivationGrid& grid);

  // A reader of side-by-side runs that all sit on one grid (a split or shuffle of quantized
  // codes): the runs become a concat layer with unit multipliers, pure data movement.
  void move_pieces(int node);

  // The values a closed integer layer can hold, as far as lowering knows them.
  std::pair<int64_t, int64_t> known_range(int layer) const;

  static std::vector<double> sum_offsets(const std::vector<double>& a, const std::vector<double>& b,
                                         int64_t C);

  // Closes an open conv as a wide (int32) output whose bias carries `offset` / scale.
  void close_wide(int layer, const std::vector<double>& scale, const std::vector<double>& offset);

  // Requantizes the node's value onto a site's grid (the layer that produced it gets m, shift).
  void close_on_grid(int node, const ActivationGrid& grid);

  // A multi-threshold layer onto a grid whose levels count learned thresholds (N2UQ): the real
  // value s[c]·x + o[c] (after a ReLU/ReLU6 when the value has one) reaches threshold t when
  // s·x ≥ t − o, i.e. x ≥ ⌈(t − o)/s⌉ for s > 0 and x ≤ ⌊(t − o)/s⌋ for s < 0 (counted down:
  // m = −1). An open conv stays wide and bias-free: its offset moves into the thresholds exactly.
  // A sum (residual add) or channels laid side by side is first requantized onto a fine grid
  // (close_on_fine_grid, ReLU/ReLU6 in its clamp), then thresholded.
  void close_thresholds(int node, const ActivationGrid& grid);

  // Requantizes a sum or side-by-side channels onto the finest grid whose int32 values still
  // hold every real value it can take (±2^30 units for the largest, from the inputs' proven
  // ranges): the multipliers are the only rounding, ~2^-30 of the range.
  void close_on_fine_grid(int node);

  // An open conv read as is: requantized with m = 1 and shift 0, so the output is the
  // accumulator plus its bias in accumulator units, ReLU (and ReLU6's cap) in the clamp.
  void close_exact(int node);

  static std::vector<double> steps_of(const std::vector<double>& offset,
                                      const ActivationGrid& grid);

  // The requantization of L onto `grid` (integer/requant_choice.h); errors name `node`.
  void requantize_onto(int node, IntLayer& L, const std::vector<std::vector<double>>& M,
                       const std::vector<double>& offset, const ActivationGrid& grid);

  void close_output();

  const QuantizedNetwork& net_;
  const Graph& g_;
  IntegerModel model_;
  std::vector<Value> values_;
  std::set<int> closed_;
};

}  // namespace bitshift::lowering_detail
