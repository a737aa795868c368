// Which convs run on 16-bit pairs and the shapes that path uses, checked by hand.
#include <gtest/gtest.h>

#include "deploy/host/conv_pairs.h"
#include "integer/int_op.h"

namespace bitshift {
namespace {

IntLayer input(int64_t c, int64_t h, int64_t w, int64_t lo, int64_t hi) {
  IntLayer L;
  L.name = "input", L.op = IntOp::IntInput;
  L.c = c, L.h = h, L.w = w;
  L.min_value = lo, L.max_value = hi;
  return L;
}

IntLayer conv(int src, int64_t in_c, int64_t c, int64_t size, int64_t k, int64_t stride,
              int64_t pad, int32_t weight = 1) {
  IntLayer L;
  L.name = "conv" + std::to_string(src + 1), L.op = IntOp::IntConv, L.inputs = {src};
  L.c = c, L.h = size, L.w = size;
  L.window = IntWindow::square(k, stride, pad);
  L.weights.assign(static_cast<size_t>(c * in_c * k * k), weight);
  L.requant.requantized = true, L.requant.lo = 0, L.requant.hi = 255;
  return L;
}

TEST(ConvPairs, InputRangesDecideAndEveryWeightMustFitPlusMinus32767) {
  IntegerModel m;
  m.layers = {input(3, 8, 8, -32768, 32767), conv(0, 3, 4, 8, 3, 1, 1, -32767)};
  EXPECT_TRUE(runs_on_pairs(m, 1));
  m.layers[1].weights[5] = -32768;  // -32768·-32768·2 overflows int32
  EXPECT_FALSE(runs_on_pairs(m, 1));
  m.layers[1].weights[5] = 0;
  m.layers[0].max_value = 32768;
  EXPECT_FALSE(runs_on_pairs(m, 1));
  m.layers[0].max_value = 255;
  m.layers[1].groups = 3;  // grouped convs read per group: bs_conv
  EXPECT_FALSE(runs_on_pairs(m, 1));
}

TEST(ConvPairs, TableWeightsAreJudgedByTheirValues) {
  IntegerModel m;
  m.layers = {input(1, 4, 4, 0, 15), conv(0, 1, 2, 4, 1, 1, 0, 1)};
  m.layers[1].w_bits = 1;
  m.layers[1].table = {-5, 40000};  // code 1 means 40000
  EXPECT_FALSE(runs_on_pairs(m, 1));
  m.layers[1].table[1] = 300;
  EXPECT_TRUE(runs_on_pairs(m, 1));
}

TEST(ConvPairs, ProvenRangesDecideForEveryOp) {
  IntegerModel m;
  m.layers = {input(2, 4, 4, 0, 255), conv(0, 2, 2, 4, 1, 1, 0)};
  IntLayer pool;
  pool.name = "pool", pool.op = IntOp::IntMaxPool, pool.inputs = {1}, pool.c = 2;
  m.layers.push_back(pool);
  prove_int_ranges(m);
  EXPECT_TRUE(values_fit_int16(m, 1));
  EXPECT_TRUE(values_fit_int16(m, 2));  // a max keeps its input's range
  m.layers[1].requant.hi = 40000;
  prove_int_ranges(m);
  EXPECT_FALSE(values_fit_int16(m, 1));
  EXPECT_FALSE(values_fit_int16(m, 2));
  // The int32 accumulator: weights 1, fan-in 2, inputs up to 255 -> |acc| <= 510.
  m.layers[1].requant = Requant{};
  prove_int_ranges(m);
  EXPECT_EQ(m.layers[1].max_value, 510);
  EXPECT_TRUE(values_fit_int16(m, 1));
  m.layers[1].weights.assign(4, 200);  // |acc| <= 102000
  prove_int_ranges(m);
  EXPECT_FALSE(values_fit_int16(m, 1));
  // A sum over a 4x4 window of 0..255 values reaches 4080.
  m.layers[1] = conv(0, 2, 2, 4, 1, 1, 0);
  m.layers[2].op = IntOp::IntSumPool, m.layers[2].window = IntWindow::whole_map(), m.layers[2].h = m.layers[2].w = 1;
  prove_int_ranges(m);
  EXPECT_EQ(m.layers[2].max_value, 4080);
  EXPECT_TRUE(values_fit_int16(m, 2));
}

TEST(ConvPairs, TileIsTheOneWithLeastPaddingLargerOnATie) {
  IntegerModel m;  // ResNet on 28x28: maps 28, 14, 7 wide
  m.layers = {input(16, 28, 28, 0, 255), conv(0, 16, 16, 28, 3, 1, 1),
              conv(1, 16, 32, 14, 3, 2, 1), conv(2, 32, 64, 7, 3, 2, 1)};
  EXPECT_EQ(choose_conv_tile(m), 7);
  m.layers = {input(16, 32, 32, 0, 255), conv(0, 16, 16, 32, 3, 1, 1),
              conv(1, 16, 32, 16, 3, 2, 1), conv(2, 32, 64, 8, 3, 2, 1)};
  EXPECT_EQ(choose_conv_tile(m), 8);  // 4 fits too: the larger wins
  m.layers = {input(3, 5, 5, 0, 255), conv(0, 3, 8, 5, 1, 1, 0)};
  EXPECT_EQ(choose_conv_tile(m), 5);
  // Convs that run on bs_conv do not count. Pair conv 32 wide: tile 7 pads 3·32·16·144
  // positions·MACs; a 7 wide, 28 tall conv with 17-bit weights (bs_conv): tile 8 would pad
  // 1·28·64·144, more, were it counted.
  m.layers = {input(16, 32, 32, 0, 255), conv(0, 16, 16, 32, 3, 1, 1),
              conv(1, 16, 64, 7, 3, 1, 1, 40000)};
  m.layers[2].h = 28;
  ASSERT_FALSE(runs_on_pairs(m, 2));
  EXPECT_EQ(choose_conv_tile(m), 8);
}

TEST(ConvPairs, StagedShapeCoversPaddingAndTheLastTile) {
  // 28 wide, pad 1, 3x3, stride 1, tile 8: 4 tiles read columns up to 31·1 + 3 − 1 = 33.
  const PairsShape s = pairs_shape(conv(0, 3, 20, 28, 3, 1, 1), input(3, 28, 28, 0, 1), 8);
  EXPECT_EQ(s.pairs, 2);
  EXPECT_EQ(s.blocks, 2);
  EXPECT_EQ(s.tiles, 4);
  EXPECT_EQ(s.hp, 30);
  EXPECT_EQ(s.wp, 34);
  EXPECT_EQ(s.staged(), 2 * 30 * 34);
  // Stride 2 from 14 to 7 with tile 7: one tile, columns up to 6·2 + 2 = 14 < 16 padded.
  const PairsShape t = pairs_shape(conv(0, 32, 64, 7, 3, 2, 1), input(32, 14, 14, 0, 1), 7);
  EXPECT_EQ(t.wp, 16);
  EXPECT_EQ(t.pairs, 16);
}

}  // namespace
}  // namespace bitshift
