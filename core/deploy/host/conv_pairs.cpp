#include "conv_pairs.h"

#include <algorithm>
#include <vector>

namespace bitshift {

namespace {

bool within_int16(int64_t lo, int64_t hi) { return lo >= -32768 && hi <= 32767 && lo <= hi; }

}  // namespace

bool values_fit_int16(const IntegerModel& model, size_t i) {
  const IntLayer& L = model.layers[i];
  return within_int16(L.min_value, L.max_value);
}

bool runs_on_pairs(const IntegerModel& model, size_t i) {
  const IntLayer& L = model.layers[i];
  if (L.op != IntOp::IntConv || L.groups != 1 || L.inputs.size() != 1) return false;
  const int src = L.inputs[0];
  if (src < 0 || static_cast<size_t>(src) >= i || !values_fit_int16(model, static_cast<size_t>(src)))
    return false;
  for (size_t j = 0; j < L.weights.size(); ++j) {
    const int32_t code = L.weights[j];
    if (!L.table.empty() && (code < 0 || static_cast<size_t>(code) >= L.table.size())) return false;
    const int32_t v = L.weight_value(static_cast<int64_t>(j));
    if (v < -32767 || v > 32767) return false;
  }
  return true;
}

int64_t choose_conv_tile(const IntegerModel& model) {
  std::vector<const IntLayer*> convs;  // only pair convs use the tile
  for (size_t i = 0; i < model.layers.size(); ++i)
    if (runs_on_pairs(model, i)) convs.push_back(&model.layers[i]);
  int64_t best = 8, best_positions = -1;
  for (int64_t tile = 8; tile >= 4; --tile) {
    int64_t positions = 0;  // output positions computed (padding included), weighted by MACs
    for (const IntLayer* L : convs) {
      const int64_t fan_in = L->weights.size() / static_cast<size_t>(std::max<int64_t>(L->c, 1));
      positions += (L->w + tile - 1) / tile * tile * L->h * L->c * fan_in;
    }
    if (best_positions < 0 || positions < best_positions) best = tile, best_positions = positions;
  }
  return best;
}

PairsShape pairs_shape(const IntLayer& conv, const IntLayer& input, int64_t tile) {
  PairsShape s;
  s.pairs = (input.c + 1) / 2;
  s.tiles = (conv.w + tile - 1) / tile;
  s.blocks = (conv.c + 15) / 16;
  const IntWindow& w = conv.window;
  s.hp = w.pad_top + input.h + w.pad_bottom;
  // The last tile's last position reads column (tiles·tile − 1)·sw + (kw − 1)·dw.
  s.wp = std::max(w.pad_left + input.w + w.pad_right,
                  (s.tiles * tile - 1) * w.sw + (w.kw - 1) * w.dw + 1);
  return s;
}

}  // namespace bitshift
