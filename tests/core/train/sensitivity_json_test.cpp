// Sensitivity files: what `sensitivity --json` writes reads back; bad files are named.
#include <gtest/gtest.h>

#include "train/sensitivity_json.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "../test_util.h"

using namespace bitshift;
using bitshift::testing::error_of;

namespace {

std::string written(const std::string& name, const std::string& text) {
  const std::string path = std::string(BITSHIFT_TEST_TMP) + "/" + name;
  write_file_atomic(path, text);
  return path;
}

}  // namespace

TEST(SensitivityFile, WhatIsWrittenReadsBackEntryForEntry) {
  Sensitivity s;
  s.method = "lsq";
  s.images = 256;
  s.fp_loss = 0.31;
  s.entries = {{"conv1", "w", 2, 0.5, 80.0, 0.19, 7.5, false}, {"conv1", "a", 8, 0.31, 87.5, 0.0, 0.0, false}};
  const Sensitivity back = read_sensitivity_file(written("sens-round-trip.json", to_json(s).dump()));
  EXPECT_EQ(back.method, "lsq");
  EXPECT_EQ(back.images, 256);
  ASSERT_EQ(back.entries.size(), 2u);
  EXPECT_EQ(back.entries[0].layer, "conv1");
  EXPECT_EQ(back.entries[0].operand, "w");
  EXPECT_EQ(back.entries[0].bits, 2);
  EXPECT_DOUBLE_EQ(back.entries[0].loss_increase, 0.19);
  EXPECT_DOUBLE_EQ(back.entries[0].top1_drop, 7.5);
}

TEST(SensitivityFile, BadEntriesAreNamedWithTheFileAndTheField) {
  const std::string type = written("sens-type.json", R"({"method": "lsq", "entries": [{"layer": "conv1",
    "operand": "w", "bits": 2, "loss_increase": "0.1"}]})");
  EXPECT_CONTAINS(error_of([&] { read_sensitivity_file(type); }),
                  "sensitivity file '" + type + "': field 'entries[0].loss_increase': type must be number");
  const std::string bits = written("sens-bits.json", R"({"method": "lsq", "entries": [{"layer": "conv1",
    "operand": "w", "bits": 99, "loss_increase": 0.1}]})");
  EXPECT_CONTAINS(error_of([&] { read_sensitivity_file(bits); }),
                  "sensitivity file '" + bits + "': entry of layer 'conv1': bits 99 (expected an integer 1..32)");
  const std::string operand = written("sens-operand.json", R"({"method": "lsq", "entries": [{"layer": "conv1",
    "operand": "x", "bits": 2, "loss_increase": 0.1}]})");
  EXPECT_CONTAINS(error_of([&] { read_sensitivity_file(operand); }), "operand 'x' (expected w or a)");
  const std::string huge = written("sens-huge.json", R"({"method": "lsq", "entries": [{"layer": "conv1",
    "operand": "a", "bits": 2, "loss_increase": 1e999}]})");
  EXPECT_CONTAINS(error_of([&] { read_sensitivity_file(huge); }),
                  "sensitivity file '" + huge + "' is not valid JSON: number overflow");
}
