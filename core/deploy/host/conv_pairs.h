#pragma once
// When a conv runs on 16-bit pairs (device/conv_pairs.cl) and the shapes that path uses. Two
// input channels share a 32-bit lane, so one multiply-add of pairs does two exact MACs; that is
// only exact when every input value fits int16 and every weight fits ±32767 (then
// a·w + a'·w' < 2^31). Std only: the bundle's host program ships it with the OpenCL runtime.
#include <cstdint>

#include "integer/integer_model.h"

namespace bitshift {

// Whether every value of layer `i` is proven to lie in [-32768, 32767]: its min_value and
// max_value, which prove_int_ranges (integer/int_op.h) must have set (the runtime proves them
// itself; the input layer's range is declared and the runtime refuses inputs outside it).
bool values_fit_int16(const IntegerModel& model, size_t i);

// Whether conv layer `i` runs on pairs: groups 1, its input fits int16, every weight value fits
// ±32767.
bool runs_on_pairs(const IntegerModel& model, size_t i);

// Output positions a bs_conv_pairs work-item computes (BS_CONV_TILE), 4…8: the one that computes
// the fewest padded positions over the model's pair convs, the larger on a tie (7 for 28, 14
// and 7 wide maps; 8 for 32, 16, 8).
int64_t choose_conv_tile(const IntegerModel& model);

// The staged input of a pair conv: [n][pairs][hp][wp] with the zero padding materialised and
// wide enough that the last tile reads no further than the row.
struct PairsShape {
  int64_t pairs = 0, hp = 0, wp = 0;  // input channel pairs, padded rows and columns
  int64_t tiles = 0, blocks = 0;      // tiles a row, blocks of 16 output channels
  int64_t staged() const { return pairs * hp * wp; }  // int32 values a sample
};
PairsShape pairs_shape(const IntLayer& conv, const IntLayer& input, int64_t tile);

}  // namespace bitshift
