// Device profiles, DSP packing and RAM tiling of the FPGA estimate, checked against the
// vendor figures and tilings worked out by hand.
#include <gtest/gtest.h>

#include "../test_util.h"
#include "deploy/fpga_device.h"

using namespace bitshift;
using bitshift::testing::error_of;

TEST(EstimatorDevice, ProfilesCarryTheDatasheetNumbers) {
  const DeviceProfile& a = device_profile("arria10");
  EXPECT_EQ(a.dsps, 1518);    // Arria 10 GX 1150: variable-precision DSP blocks
  EXPECT_EQ(a.luts, 427200);  // ALMs
  EXPECT_EQ(a.ram_blocks, 2713);
  EXPECT_EQ(a.ram_name, "M20K");
  const DeviceProfile& z = device_profile("zu9eg");
  EXPECT_EQ(z.dsps, 2520);        // DSP48E2
  EXPECT_EQ(z.luts, 274080);      // CLB LUTs
  EXPECT_EQ(z.ram_blocks, 1824);  // 912 RAMB36 = 1824 RAMB18
  EXPECT_EQ(z.ram_name, "BRAM18");
  EXPECT_EQ(device_profiles().size(), 2u);
}

TEST(EstimatorDevice, UnknownDeviceNamesItAndTheKnownOnes) {
  const std::string e = error_of([] { device_profile("virtex2"); });
  EXPECT_CONTAINS(e, "virtex2");
  EXPECT_CONTAINS(e, "arria10");
  EXPECT_CONTAINS(e, "zu9eg");
}

TEST(EstimatorDevice, Arria10PacksTwo18x19ProductsABlock) {
  const DeviceProfile& a = device_profile("arria10");
  EXPECT_EQ(dsp_blocks(a, 16, 16, 8, 4), 128);  // 256 products, two a block
  EXPECT_EQ(dsp_blocks(a, 16, 3, 8, 8), 24);    // 48 products: pairing needs no shared input
  EXPECT_EQ(dsp_blocks(a, 1, 3, 18, 19), 2);    // ⌈3/2⌉
  EXPECT_EQ(dsp_blocks(a, 1, 1, 27, 27), 1);
  EXPECT_EQ(dsp_blocks(a, 1, 1, 19, 36), 1);  // 19x36 with an external adder
  EXPECT_EQ(dsp_blocks(a, 1, 1, 32, 23), 2);  // within 36x36: two blocks
  EXPECT_EQ(dsp_blocks(a, 1, 1, 40, 40), 4);  // within 54x54: four
  EXPECT_CONTAINS(error_of([&] { dsp_blocks(a, 1, 1, 60, 8); }), "60 x 8");
}

TEST(EstimatorDevice, Dsp48e2PacksTwoInt8ProductsOnlyWithASharedInput) {
  const DeviceProfile& z = device_profile("zu9eg");
  EXPECT_EQ(dsp_blocks(z, 16, 16, 8, 4), 128);  // 16 groups × ⌈16/2⌉
  EXPECT_EQ(dsp_blocks(z, 16, 3, 8, 8), 32);    // 16 × ⌈3/2⌉: the odd lane gets a slice alone
  EXPECT_EQ(dsp_blocks(z, 48, 1, 8, 8), 48);    // nothing shared: one a slice
  EXPECT_EQ(dsp_blocks(z, 4, 4, 9, 8), 16);     // a 9-bit operand: one 27x18 product a slice
  EXPECT_EQ(dsp_blocks(z, 1, 1, 18, 27), 1);
  // 32 x 23: as 32 = 17+15 rows of 23 ≤ 26 bits: 2 × 1 slices (the other way: 2 × 2).
  EXPECT_EQ(dsp_blocks(z, 1, 1, 32, 23), 2);
}

TEST(EstimatorDevice, M20kTilingPicksTheBestPortShape) {
  const DeviceProfile& a = device_profile("arria10");
  EXPECT_EQ(ram_blocks(a, 0, 8), 0);
  EXPECT_EQ(ram_blocks(a, 16384, 1), 1);      // 16K x 1: one block (512x40 would need 32)
  EXPECT_EQ(ram_blocks(a, 5 * 4096, 5), 1);   // 4K x 5
  EXPECT_EQ(ram_blocks(a, 40 * 513, 40), 2);  // depth 513: two 512x40 (or two 1Kx20 wide)
  EXPECT_EQ(ram_blocks(a, 18432, 1024), 26);  // depth 18, ⌈1024/40⌉ = 26 side by side
  EXPECT_EQ(ram_blocks(a, 4 * 2049, 4), 1);   // 2049 deep: one 4K x 5 (2K x 10 needs two)
}

TEST(EstimatorDevice, BramTilingMixesRamb18AndRamb36Shapes) {
  const DeviceProfile& z = device_profile("zu9eg");
  EXPECT_EQ(ram_blocks(z, 16384, 1), 1);      // RAMB18 16K x 1
  EXPECT_EQ(ram_blocks(z, 32768, 1), 2);      // RAMB36 32K x 1 = two units
  EXPECT_EQ(ram_blocks(z, 9 * 4096, 9), 2);   // 4K x 9: one RAMB36 or two RAMB18 2K x 9
  EXPECT_EQ(ram_blocks(z, 18432, 1024), 29);  // depth 18: ⌈1024/36⌉ = 29 RAMB18 512x36
  EXPECT_EQ(ram_blocks(z, 5120, 1280), 36);   // ⌈1280/36⌉ = 36 = ⌈1280/72⌉ = 18 RAMB36
}
