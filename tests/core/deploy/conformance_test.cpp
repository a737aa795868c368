// The conformance network every bundle carries: its golden vectors must pin what test vectors of
// real networks leave open. Each property is checked against the golden computation itself, so
// a reader that rounds half-even, rounds away from zero, pads a max pool with 0 or misreads odd
// nibble counts and wide codes fails them.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "../test_util.h"
#include "bundle_test_util.h"
#include "deploy/bundle_writer.h"
#include "deploy/conformance.h"
#include "deploy/host/bundle_reader.h"
#include "integer/int_op.h"
#include "integer/reference_executor.h"

namespace bitshift {
namespace {

// Layer `l` of the conformance model run on its golden inputs, with `edit` applied to it.
std::vector<int32_t> rerun(const IntegerModel& m, const std::vector<IntTensor>& golden, size_t l,
                           const std::function<void(IntLayer&)>& edit) {
  IntLayer L = m.layers[l];
  edit(L);
  IntValues in;
  for (int i : L.inputs) in.push_back(&golden[static_cast<size_t>(i)]);
  IntTensor y{golden[l].n, std::vector<int32_t>(golden[l].values.size(), 0)};
  int_op_def(L.op).reference(L, int_inputs(m, L), in, y, 0, y.n);
  return y.values;
}

TEST(Conformance, EveryRoundingRequantizationHasPositiveAndNegativeTies) {
  const IntegerModel m = conformance_model();
  const std::vector<IntTensor> golden = run_reference(m, conformance_input(m));
  int checked = 0;
  for (size_t l = 1; l < m.layers.size(); ++l) {
    const IntLayer& L = m.layers[l];
    if (!L.requant.requantized) continue;
    SCOPED_TRACE(L.name);
    // One less in the offset turns half up into half down: they differ exactly at ties.
    const std::vector<int32_t> down = rerun(m, golden, l, [](IntLayer& x) {
      if (x.requant.offset.empty()) x.requant.offset.assign(1, 0);
      for (int64_t& o : x.requant.offset) o -= 1;
    });
    int odd_positive = 0, non_positive = 0;  // ties half-even, resp. away from zero, get wrong
    for (size_t i = 0; i < down.size(); ++i) {
      const int32_t y = golden[l].values[i];
      if (down[i] == y || y <= L.requant.lo || y >= L.requant.hi) continue;  // no tie, or clamped
      odd_positive += y > 0 && y % 2 != 0;
      non_positive += y <= 0;
    }
    EXPECT_GE(odd_positive, 1) << "no positive tie rounding up to an odd value";
    EXPECT_GE(non_positive, 1) << "no negative tie";
    ++checked;
  }
  EXPECT_GE(checked, 10);  // conv x4, add, concat, mul, threshold, avgpool, linear
}

TEST(Conformance, WeightStoragesAndGroupsAreAllThere) {
  const IntegerModel m = conformance_model();
  bool odd_nibbles = false, byte_codes = false, wide_codes = false, groups = false;
  for (const IntLayer& L : m.layers) {
    if (L.weights.empty()) continue;
    odd_nibbles |= L.w_bits <= 4 && L.weights.size() % 2 == 1;
    byte_codes |= L.w_bits >= 5 && L.w_bits <= 7;
    wide_codes |= L.w_bits > 8;
    if (L.op == IntOp::IntConv)
      groups |= L.groups > 1 && m.layers[static_cast<size_t>(L.inputs[0])].c / L.groups >= 2;
  }
  EXPECT_TRUE(odd_nibbles);
  EXPECT_TRUE(byte_codes);
  EXPECT_TRUE(wide_codes);
  EXPECT_TRUE(groups);
  for (const IntOpDef* op : int_op_table()) {  // every op, a new one included
    bool found = false;
    for (const IntLayer& L : m.layers) found |= L.op == op->op;
    EXPECT_TRUE(found) << op->name;
  }
}

TEST(Conformance, PaddedMaxPoolHasWindowsWhereZeroPaddingWouldWin) {
  const IntegerModel m = conformance_model();
  const std::vector<IntTensor> golden = run_reference(m, conformance_input(m));
  const int l = m.find("maxpool_padded");
  ASSERT_GE(l, 0);
  ASSERT_GT(m.layers[l].window.pad_top, 0);
  int negative = 0;  // a reader padding with 0 would output 0 there
  for (int32_t y : golden[static_cast<size_t>(l)].values) negative += y < 0;
  EXPECT_GE(negative, 3);
}

TEST(Conformance, EveryBundleCarriesItAndReadsItBack) {
  const IntegerModel small = testing::small_model();
  const std::string dir = testing::fresh_dir("conformance");
  const IntTensor input = testing::small_input(small);
  write_bundle(dir, small, input, run_reference(small, input), {});
  const LoadedBundle b = load_bundle(dir);
  ASSERT_TRUE(b.conformance);
  const IntegerModel expected = conformance_model();
  ASSERT_EQ(b.conformance->model.layers.size(), expected.layers.size());
  for (size_t i = 0; i < expected.layers.size(); ++i) {
    EXPECT_EQ(b.conformance->model.layers[i].weights, expected.layers[i].weights);
    EXPECT_EQ(b.conformance->model.layers[i].requant.offset, expected.layers[i].requant.offset);
  }
  EXPECT_EQ(b.conformance->golden, run_reference(expected, conformance_input(expected)));
}

}  // namespace
}  // namespace bitshift
