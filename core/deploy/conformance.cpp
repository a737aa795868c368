#include "deploy/conformance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "integer/int_op.h"
#include "integer/reference_executor.h"

namespace bitshift {

namespace {

class Builder {
 public:
  IntegerModel model;
  IntTensor input;

  int add(IntLayer L) {
    L.scale = {1.0};
    model.layers.push_back(std::move(L));
    prove_accumulator_bounds(model);
    if (model.layers.size() == 1) input = conformance_input(model);
    return static_cast<int>(model.layers.size()) - 1;
  }

  IntLayer layer(const std::string& name, IntOp op, std::vector<int> inputs, int64_t c, int64_t h,
                 int64_t w) {
    IntLayer L;
    L.name = name, L.op = op, L.inputs = std::move(inputs);
    L.c = c, L.h = h, L.w = w;
    return L;
  }

  int32_t uniform(int64_t lo, int64_t hi) {
    return static_cast<int32_t>(std::uniform_int_distribution<int64_t>(lo, hi)(rng_));
  }

  std::vector<int32_t> codes(int64_t count, int64_t lo, int64_t hi) {
    std::vector<int32_t> v(static_cast<size_t>(count));
    for (int32_t& x : v) x = uniform(lo, hi);
    return v;
  }

  // Requantization onto [lo, hi] with ties on purpose: odd multipliers and a shift that spread
  // the layer's typical output over a sixth of the range, then per-channel offsets that put one
  // value of channel 0 exactly half-way to +1 (from +1/2: half-even would give 0) and one of
  // channel 1 half-way to -2 (from -5/2: away from zero would give -3); the other channels'
  // offsets centre them. `lo` <= -3 and `hi` >= 3. An avgpool keeps its table (its
  // multipliers, set by the caller) and no m.
  void requant_with_ties(IntLayer& L, int32_t lo, int32_t hi) {
    const bool two = L.op == IntOp::IntAdd;
    // The values before the shift, with m = 1: requantize with shift 0 and no clamp.
    Requant& r = L.requant;
    r.requantized = true, r.lo = std::numeric_limits<int32_t>::min(),
    r.hi = std::numeric_limits<int32_t>::max();
    r.m = {1}, r.shift = {0}, r.offset.clear(), r.m2.clear();
    if (two) r.m2 = {1};
    const std::vector<int32_t> raw = run(L);
    double typical = 0;
    for (int32_t v : raw) typical += std::abs(static_cast<double>(v));
    typical = std::max(1.0, typical / static_cast<double>(raw.size()));
    const double gain = (hi - lo) / 6.0 / typical;  // wanted output per raw unit
    const int32_t shift = static_cast<int32_t>(std::clamp(std::lround(std::log2(4.0 / gain)), 1L, 24L));
    r.m.assign(static_cast<size_t>(L.c), 0), r.shift.assign(static_cast<size_t>(L.c), 0);
    if (two) r.m2.assign(static_cast<size_t>(L.c), 0);
    for (int64_t c = 0; c < L.c; ++c) {
      r.m[c] = 2 * uniform(0, 3) + 1;
      if (two) r.m2[c] = 2 * uniform(0, 3) + 1;
    }
    r.offset.assign(static_cast<size_t>(L.c), 0);
    const std::vector<int32_t> scaled = run(L);  // acc·m (+ b·m2), shift 0 and offset 0 here
    const int64_t plane = L.h * L.w, step = int64_t{1} << shift;
    for (int64_t c = 0; c < L.c; ++c) {
      const int64_t v = scaled[static_cast<size_t>(c * plane)];  // sample 0, first position
      if (c <= 1) {
        // v + offset = (target − 1/2)·2^shift: exactly a tie, rounding up to `target`.
        const int64_t target = c == 0 ? 1 : -2;
        r.offset[c] = (2 * target - 1) * (step / 2) - v;
      } else {
        double mean = 0;
        for (int64_t i = 0; i < plane; ++i) mean += scaled[static_cast<size_t>(c * plane + i)];
        r.offset[c] = -static_cast<int64_t>(mean / static_cast<double>(plane));
      }
    }
    r.shift.assign(static_cast<size_t>(L.c), shift);
    r.lo = lo, r.hi = hi;
    if (L.op == IntOp::IntAvgPool) r.m.clear();
  }

 private:
  // Layer L (not yet in the model) on the golden outputs of the model so far.
  std::vector<int32_t> run(const IntLayer& L) {
    const std::vector<IntTensor> golden = run_reference(model, input);
    IntValues in;
    for (int i : L.inputs) in.push_back(&golden[static_cast<size_t>(i)]);
    IntTensor y{input.n, std::vector<int32_t>(static_cast<size_t>(input.n * L.numel()), 0)};
    int_op_def(L.op).reference(L, int_inputs(model, L), in, y, 0, input.n);
    return y.values;
  }

  std::mt19937 rng_{20261201};
};

}  // namespace

IntegerModel conformance_model() {
  Builder b;
  b.model.name = "conformance";
  b.model.method = "synthetic";
  IntLayer in = b.layer("input", IntOp::IntInput, {}, 3, 6, 7);
  in.min_value = -8, in.max_value = 7;
  const int x = b.add(in);

  // 5-7-bit codes (one byte each), ties on every shift.
  IntLayer c1 = b.layer("conv_w6", IntOp::IntConv, {x}, 6, 6, 7);
  c1.window = IntWindow::square(3, 1, 1), c1.w_bits = 6;
  c1.weights = b.codes(6 * 3 * 9, -32, 31);
  b.requant_with_ties(c1, -60, 60);
  const int a1 = b.add(c1);

  // A 3x5 kernel dilated 2 along y, with pads that differ on every side.
  IntLayer c1d = b.layer("conv_3x5_dilated", IntOp::IntConv, {a1}, 6, 6, 7);
  c1d.window.kh = 3, c1d.window.kw = 5, c1d.window.dh = 2;
  c1d.window.pad_top = 3, c1d.window.pad_left = 1, c1d.window.pad_bottom = 1, c1d.window.pad_right = 3;
  c1d.w_bits = 5, c1d.groups = 2;
  c1d.weights = b.codes(6 * 3 * 15, -16, 15);
  b.requant_with_ties(c1d, -60, 60);
  const int a = b.add(c1d);

  // Grouped, two input channels a group; >8-bit codes (int32); mostly negative outputs.
  IntLayer c2 = b.layer("conv_grouped_w12", IntOp::IntConv, {a}, 3, 3, 4);
  c2.window = IntWindow::square(3, 2, 1), c2.groups = 3, c2.w_bits = 12;
  c2.weights = b.codes(3 * 2 * 9, -2048, 2047);
  b.requant_with_ties(c2, -100, 100);
  for (size_t c = 2; c < c2.requant.offset.size(); ++c)  // 40 steps down: mostly negative
    c2.requant.offset[c] -= int64_t{40} << c2.requant.shift[c];
  const int g = b.add(c2);

  // Windows over the border whose values inside the map are all negative: the padding must
  // take no part (a reader padding with 0 gets 0 there). A 3x2 window, stride 2x1, pads
  // (1, 0, 1, 1).
  IntLayer mp = b.layer("maxpool_padded", IntOp::IntMaxPool, {g}, 3, 2, 4);
  mp.window.kh = 3, mp.window.kw = 2, mp.window.sh = 2;
  mp.window.pad_top = 1, mp.window.pad_bottom = 1, mp.window.pad_right = 1;
  const int p = b.add(mp);

  // An odd number of 4-bit codes: 3 x 3 x 3 x 3 = 81, the last byte half used.
  IntLayer c3 = b.layer("conv_w4_odd", IntOp::IntConv, {p}, 3, 2, 4);
  c3.window = IntWindow::square(3, 1, 1), c3.w_bits = 4;
  c3.weights = b.codes(81, -8, 7);
  b.requant_with_ties(c3, -20, 20);
  const int d = b.add(c3);

  IntLayer sum = b.layer("add", IntOp::IntAdd, {d, p}, 3, 2, 4);
  b.requant_with_ties(sum, -30, 30);
  const int s = b.add(sum);

  IntLayer cat = b.layer("concat", IntOp::IntConcat, {s, d}, 5, 2, 4);
  cat.runs = {{1, 1, 2}, {0, 0, 3}};
  b.requant_with_ties(cat, -25, 25);
  const int k = b.add(cat);

  IntLayer gap = b.layer("gate_sum", IntOp::IntSumPool, {k}, 5, 1, 1);
  gap.window = IntWindow::whole_map();
  const int gate = b.add(gap);

  IntLayer mul = b.layer("mul", IntOp::IntMul, {k, gate}, 5, 2, 4);
  b.requant_with_ties(mul, -12, 12);
  const int m = b.add(mul);

  IntLayer lut = b.layer("lookup", IntOp::IntLookup, {m}, 5, 2, 4);
  for (int64_t v = b.model.layers[m].min_value; v <= b.model.layers[m].max_value; ++v)
    lut.table.push_back(b.uniform(-9, 9));
  const int l = b.add(lut);

  // Thresholds on the table's values (so some equal a value: reached), channels 1 and 3 counted
  // down, one threshold below every value (always reached).
  IntLayer thr = b.layer("threshold", IntOp::IntThreshold, {l}, 5, 2, 4);
  Requant& tr = thr.requant;
  tr.requantized = true, tr.lo = -2, tr.hi = 2, tr.shift = {0};
  for (int64_t c = 0; c < 5; ++c) {
    std::vector<int32_t> t = {-10, b.uniform(-9, 9), b.uniform(-9, 9), b.uniform(-9, 9)};
    std::sort(t.begin(), t.end());
    thr.table.insert(thr.table.end(), t.begin(), t.end());
    const bool down = c == 1 || c == 3;
    tr.m.push_back(down ? -1 : 1);
    tr.offset.push_back(down ? 2 : -2);
  }
  const int th = b.add(thr);

  // An average pool with padded zeros in its divisor: border windows sum fewer values.
  IntLayer sp = b.layer("sumpool_padded", IntOp::IntSumPool, {th}, 5, 2, 4);
  sp.window = IntWindow::square(3, 1, 1);
  const int spi = b.add(sp);

  // An average pool leaving padding out of its divisor: windows of 2, 3, 4 and 6 positions,
  // each with its own (odd) multiplier.
  IntLayer ap = b.layer("avgpool_uneven", IntOp::IntAvgPool, {spi}, 5, 2, 3);
  ap.window.kh = 2, ap.window.kw = 3, ap.window.sw = 2;
  ap.window.pad_top = 1, ap.window.pad_left = 1, ap.window.pad_right = 2;
  ap.table = {11, 7, 5, 3, 3, 1};
  b.requant_with_ties(ap, -40, 40);
  const int api = b.add(ap);

  IntLayer fc = b.layer("linear_w7", IntOp::IntLinear, {api}, 4, 1, 1);
  fc.w_bits = 7;
  fc.weights = b.codes(4 * 5 * 2 * 3, -64, 63);
  b.requant_with_ties(fc, -128, 127);
  b.add(fc);
  return b.model;
}

IntTensor conformance_input(const IntegerModel& model) {
  std::mt19937 rng(7);
  const IntLayer& in = model.input();
  IntTensor t;
  t.n = 8;
  std::uniform_int_distribution<int32_t> v(static_cast<int32_t>(in.min_value),
                                           static_cast<int32_t>(in.max_value));
  t.values.resize(static_cast<size_t>(t.n * in.numel()));
  for (int32_t& x : t.values) x = v(rng);
  return t;
}

}  // namespace bitshift
