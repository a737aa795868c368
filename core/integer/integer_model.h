#pragma once
// IntegerModel: a network lowered to integer-only arithmetic (DESIGN.md, "the arithmetic
// contract"). Produced by lowering (integer/lowering.h) from a quantized checkpoint, run by the
// C++ reference executor (integer/reference_executor.h) and by the OpenCL executor
// (deploy/), written into export bundles. Header-only, std only: export bundles ship it to their
// standalone host program (host/integer/integer_model.h).
//
// Every tensor holds integer values; `scale` says what real number one unit is. Layouts are per
// sample, C×H×W row-major (channel slowest), batch outermost, as in PyTorch's NCHW.
#include <cstdint>
#include <string>
#include <vector>

namespace bitshift {

enum class IntOp {
  IntInput,    // integer input values, produced by the host from the float image
  IntConv,     // Conv2d (groups, window: kernel, stride, zero pads, dilation) over values
  IntLinear,   // fully connected over the flattened C·H·W values
  IntMaxPool,  // max over a window (exact on quantized values: rounding is monotone)
  IntSumPool,  // sum over a window (average pool with 1/(kh·kw) folded into the next scale);
               // a 0×0 kernel = the whole map (global average pool), output C×1×1
  IntAdd,      // residual add: each input with its own multiplier, one shared shift
  IntConcat,   // channels of its inputs laid side by side (runs), each requantized onto the
               // output grid: concat, channel split and shuffle, a BatchNorm on codes
  IntLookup,   // y = table[x − min(x)]: sigmoid, hard-swish, SiLU, ... as a table of output
               // codes, one entry per value the input can take
  IntMul,      // y = requantize(a·b·m[c] + offset[c]): a product, b broadcast over H×W when
               // it is C×1×1 (squeeze-excitation gates)
  IntThreshold,  // y = requantize(#{i : x ≥ table[c][i]}·m[c] + offset[c]), m = ±1: the number
                 // of a channel's thresholds the input reaches (N2UQ's learned thresholds)
  IntAvgPool,  // y = requantize(sum·table[n − 1] + offset[c]): a window's sum over its n
               // positions inside the map, one multiplier a count (count_include_pad=False)
};
// Each op's checks, bound and reference arithmetic: integer/int_op.h.

// Requantization, per output channel c (vectors of size 1 apply to every channel):
//   y = clamp((acc·m[c] + offset[c] + (shift[c] > 0 ? 1 << (shift[c] − 1) : 0)) >> shift[c], lo, hi)
// in int64, arithmetic shift, so one rounding, half up. An Add sums acc_a·m[c] + acc_b·m2[c].
// `offset` is the (folded BatchNorm and float) bias on the multiplied scale, 2^shift finer than
// an output step: a bias on the accumulator scale would round to a whole accumulator unit, which
// moves 1–5 % of 4-bit outputs to the next level. `requantized == false` leaves the int32
// accumulator (plus `bias`, on the accumulator scale) as output: logits, and inputs of an Add.
struct Requant {
  bool requantized = false;
  std::vector<int32_t> m, m2;    // |m| <= 2^30; m2: an Add's second input
  std::vector<int32_t> shift;    // 0…61
  std::vector<int64_t> offset;   // empty = 0
  int32_t lo = 0, hi = 0;        // ReLU folds into lo = 0
};

// A concat's output channels [out, out + count) are channels [first, first + count) of
// inputs[input]; the runs follow each other in output channel order.
struct ChannelRun {
  int32_t input = 0, first = 0, count = 0;
  bool operator==(const ChannelRun& o) const {
    return input == o.input && first == o.first && count == o.count;
  }
};

// The sliding window of a conv or pool, as ONNX states it: kernel kh×kw, stride sh×sw, zero
// pads on each side, dilation dh×dw. Output row oy reads input rows oy·sh − pad_top + ky·dh,
// ky = 0…kh−1 (columns alike); rows outside the map are padding. A pool's kh = kw = 0 is the
// whole map (global pool).
struct IntWindow {
  int64_t kh = 1, kw = 1, sh = 1, sw = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t dh = 1, dw = 1;
  bool ceil_mode = false;  // the output size rounds up (PyTorch's rule; max and avg pools)

  static IntWindow square(int64_t k, int64_t s = 1, int64_t p = 0) {
    IntWindow w;
    w.kh = w.kw = k, w.sh = w.sw = s, w.pad_top = w.pad_left = w.pad_bottom = w.pad_right = p;
    return w;
  }
  static IntWindow whole_map() {
    IntWindow w;
    w.kh = w.kw = 0;
    return w;
  }
  bool global() const { return kh == 0 && kw == 0; }
  int64_t taps() const { return kh * kw; }
  bool operator==(const IntWindow& o) const {
    return kh == o.kh && kw == o.kw && sh == o.sh && sw == o.sw && pad_top == o.pad_top &&
           pad_left == o.pad_left && pad_bottom == o.pad_bottom && pad_right == o.pad_right &&
           dh == o.dh && dw == o.dw && ceil_mode == o.ceil_mode;
  }
};

struct IntLayer {
  std::string name;   // graph node whose (real) output this tensor stands for
  IntOp op = IntOp::IntInput;
  std::vector<int> inputs;  // indices of earlier layers of the model
  int64_t c = 0, h = 1, w = 1;  // output shape per sample

  // Conv / pools.
  IntWindow window;
  int64_t groups = 1;

  // Conv / Linear weights, layout [out][in/groups][kh][kw] (Linear: [out][in]). Each entry is a
  // code: a signed integer value when `table` is empty, else an index 0…2^w_bits−1 into `table`
  // (non-uniform weights: UNIQ quantiles, PoT+LUT, offset grids such as UniQ's odd levels).
  // A lookup layer has no weights; its `table` holds the output code of every input value; a
  // threshold layer's `table` holds each channel's thresholds, ascending ([c][n]); an avgpool's
  // `table` its multiplier for windows of 1…kh·kw positions.
  int w_bits = 8;
  std::vector<int32_t> weights;
  // The layer's weights as a bundle stores them (weights.bin, weight_storage.h's packing), kept
  // by the bundle reader so that executors upload the bundle's own bytes; empty for a model
  // fresh from lowering (executors pack `weights` then).
  std::string packed_weights;
  std::vector<int32_t> table;
  std::vector<int32_t> bias;  // per output channel, accumulator units (empty = none); wide outputs

  Requant requant;

  std::vector<ChannelRun> runs;  // concat only

  // What the output values mean (not used by the integer arithmetic): real = value·scale[c]
  // (size 1 = every channel), and the range the values are proven to stay in.
  std::vector<double> scale;
  int64_t min_value = 0, max_value = 0;

  int64_t numel() const { return c * h * w; }
  int64_t in_channels_per_group(const IntLayer& input) const { return input.c / groups; }
  int32_t weight_value(int64_t index) const {
    const int32_t code = weights[static_cast<size_t>(index)];
    return table.empty() ? code : table[static_cast<size_t>(code)];
  }
  bool wide() const { return !requantized_output(); }
  bool requantized_output() const {
    return op == IntOp::IntInput || op == IntOp::IntMaxPool || op == IntOp::IntLookup ||
           requant.requantized;  // an avgpool is always requantized
  }
};

// How 8-bit pixels become the input layer's integers: for channel c and pixel value p (0..255,
// the image already at the model's input size), the code codes[c][p]. Made by the
// simulation's own normalisation and input quantizer, so a deployer that looks codes up gets
// exactly the integers the studio simulated; mean and std are informative.
struct PixelCodes {
  std::vector<double> mean, std;            // of p / 255, per channel
  std::vector<std::vector<int32_t>> codes;  // [channel][256]; empty when unknown
};

struct IntegerModel {
  std::string name;          // graph name ("resnet20")
  std::string method;        // plan summary for reports ("nice w4a8")
  std::vector<IntLayer> layers;  // topological; layers[0] is the input
  int num_classes = 0;
  // Per-layer notes from lowering: approximations made (UNIQ's real levels rounded into an int
  // table), multipliers that are powers of two (shift-only), bias bits used.
  std::vector<std::string> notes;
  PixelCodes pixels;

  const IntLayer& input() const { return layers.front(); }
  const IntLayer& output() const { return layers.back(); }
  int find(const std::string& layer_name) const {
    for (size_t i = 0; i < layers.size(); ++i)
      if (layers[i].name == layer_name) return static_cast<int>(i);
    return -1;
  }
};

// One batch of a layer's values: `n` samples laid out [n][c][h][w].
struct IntTensor {
  int64_t n = 0;
  std::vector<int32_t> values;
  bool operator==(const IntTensor& o) const { return n == o.n && values == o.values; }
};

// Bits needed to hold every value in [lo, hi] as a two's-complement (or unsigned when lo >= 0)
// integer: 8 for [-128, 127], 4 for [0, 15].
inline int bits_for_range(int64_t lo, int64_t hi) {
  int bits = 1;
  if (lo >= 0) {
    while (bits < 63 && (hi >> bits) != 0) ++bits;
    return bits;
  }
  while (bits < 63 && (lo < -(int64_t{1} << (bits - 1)) || hi > (int64_t{1} << (bits - 1)) - 1))
    ++bits;
  return bits;
}

}  // namespace bitshift
