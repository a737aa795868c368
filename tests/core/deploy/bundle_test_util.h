#pragma once
// Small hand-made IntegerModels for the bundle tests, and helpers to write and tamper with
// bundles. One model covers every op and every weight encoding (int4, uint4, int8, uint8,
// int32), odd weight counts (a half-filled last byte) and an odd batch.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "deploy/manifest.h"
#include "integer/integer_model.h"
#include "integer/reference_executor.h"

namespace bitshift::testing {

inline std::vector<int32_t> uniform_ints(std::mt19937& rng, size_t n, int32_t lo, int32_t hi) {
  std::uniform_int_distribution<int32_t> d(lo, hi);
  std::vector<int32_t> v(n);
  for (int32_t& x : v) x = d(rng);
  return v;
}

inline IntLayer make_layer(const std::string& name, IntOp op, std::vector<int> inputs, int64_t c,
                           int64_t h, int64_t w) {
  IntLayer L;
  L.name = name, L.op = op, L.inputs = std::move(inputs), L.c = c, L.h = h, L.w = w;
  return L;
}

inline void requant(IntLayer& L, std::vector<int32_t> m, int32_t shift, int32_t lo, int32_t hi) {
  L.requant.requantized = true;
  L.requant.m = std::move(m);
  L.requant.shift = {shift};
  L.requant.lo = lo, L.requant.hi = hi;
}

// input 3x7x7 [0,15] -> conv1 (int4, 3->5, k3 p1, per-channel m, offsets) -> dw (uint4 table,
// depthwise 5, k3 p1) -> add(conv1, dw) -> maxpool 2 -> conv3 (int8, k3 s2 p1) -> sumpool
// (global) -> fc1 (uint8 table, 6-bit) -> fc2 (int32 codes, 12-bit, wide logits).
inline IntegerModel small_model(uint32_t seed = 7) {
  std::mt19937 rng(seed);
  IntegerModel m;
  m.name = "tiny \"net\"";  // a name that needs JSON escapes
  m.method = "nice w4a4";
  m.num_classes = 10;
  m.notes = {"conv1: multipliers are not powers of two", "dw: table of 8 int8 levels"};

  IntLayer in = make_layer("input", IntOp::IntInput, {}, 3, 7, 7);
  in.min_value = 0, in.max_value = 15;
  in.scale = {1.0 / 15};
  m.layers.push_back(in);

  IntLayer c1 = make_layer("conv1", IntOp::IntConv, {0}, 5, 7, 7);
  c1.window = IntWindow::square(3, 1, 1), c1.w_bits = 4;
  c1.weights = uniform_ints(rng, 5 * 3 * 9, -8, 7);  // 135 codes: the last byte half full
  c1.bias = uniform_ints(rng, 5, -50, 50);
  requant(c1, uniform_ints(rng, 5, 1, 300), 12, 0, 15);
  c1.requant.offset = {-70000, 12345, 0, 1LL << 33, -(1LL << 35)};
  c1.scale = {0.1, 0.2, 0.3, 0.4, 0.5};
  m.layers.push_back(c1);

  IntLayer dw = make_layer("layer1.0/dw", IntOp::IntConv, {1}, 5, 7, 7);
  dw.window = IntWindow::square(3, 1, 1), dw.groups = 5, dw.w_bits = 3;
  dw.table = {-90, -40, -10, -1, 0, 3, 33, 127};
  dw.weights = uniform_ints(rng, 5 * 1 * 9, 0, 7);  // 45 codes
  requant(dw, {97}, 9, 0, 15);
  dw.scale = {0.0625};
  m.layers.push_back(dw);

  IntLayer add = make_layer("add", IntOp::IntAdd, {1, 2}, 5, 7, 7);
  requant(add, {3, 5, 7, 9, 11}, 3, 0, 15);
  add.requant.m2 = {6};
  add.requant.shift = {3, 3, 4, 4, 5};
  add.scale = {0.25};
  m.layers.push_back(add);

  IntLayer mp = make_layer("pool", IntOp::IntMaxPool, {3}, 5, 3, 3);
  mp.window = IntWindow::square(2, 2);
  m.layers.push_back(mp);

  IntLayer c3 = make_layer("conv3", IntOp::IntConv, {4}, 6, 2, 2);
  c3.window = IntWindow::square(3, 2, 1), c3.w_bits = 8;
  c3.weights = uniform_ints(rng, 6 * 5 * 9, -128, 127);
  c3.bias = uniform_ints(rng, 6, -1000, 1000);
  requant(c3, {1}, 9, -8, 7);  // shift-only
  m.layers.push_back(c3);

  IntLayer gap = make_layer("gap", IntOp::IntSumPool, {5}, 6, 1, 1);
  gap.window = IntWindow::whole_map();
  m.layers.push_back(gap);

  IntLayer fc1 = make_layer("fc1", IntOp::IntLinear, {6}, 8, 1, 1);
  fc1.w_bits = 6;
  for (int i = 0; i < 40; ++i) fc1.table.push_back(i * 3 - 60);
  fc1.weights = uniform_ints(rng, 8 * 6, 0, 39);
  requant(fc1, uniform_ints(rng, 8, 2000, 20000), 15, 0, 255);
  m.layers.push_back(fc1);

  IntLayer fc2 = make_layer("fc2", IntOp::IntLinear, {7}, 10, 1, 1);
  fc2.w_bits = 12;
  fc2.weights = uniform_ints(rng, 10 * 8, -2048, 2047);
  fc2.bias = uniform_ints(rng, 10, -100000, 100000);
  fc2.scale = {0.001};
  m.layers.push_back(fc2);

  prove_accumulator_bounds(m);
  return m;
}

inline IntTensor small_input(const IntegerModel& m, int64_t n = 3, uint32_t seed = 11) {
  std::mt19937 rng(seed);
  IntTensor t;
  t.n = n;
  t.values = uniform_ints(rng, static_cast<size_t>(n * m.input().numel()), 0, 15);
  return t;
}

// Directories made by fresh_dir, removed when the test process ends.
struct TempDirs {
  std::vector<std::filesystem::path> paths;
  ~TempDirs() {
    std::error_code ec;
    for (const auto& p : paths) std::filesystem::remove_all(p, ec);
  }
};

// A fresh, empty directory under the build tree's test-tmp; the process id in its name keeps
// concurrent runs of the test binary apart.
inline std::string fresh_dir(const std::string& name) {
  static TempDirs made;
  const std::filesystem::path p = std::filesystem::path(BITSHIFT_TEST_TMP) / "deploy" /
                                  (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p.parent_path());
  made.paths.push_back(p);
  return p.string();
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Pixel codes for the small model's 3-channel input (codes 0..15): channel c, pixel p -> (p + c) / 16.
inline void add_pixel_codes(IntegerModel& m) {
  m.pixels.mean = {0.5, 0.25, 0.125};
  m.pixels.std = {0.2, 0.3, 0.4};
  m.pixels.codes.clear();
  for (int c = 0; c < 3; ++c) {
    std::vector<int32_t> codes(256);
    for (int p = 0; p < 256; ++p) codes[p] = std::min(15, (p + c) / 16);
    m.pixels.codes.push_back(codes);
  }
}

// Records `path`'s current bytes in MANIFEST.json, as someone re-hashing a bundle would.
inline void rehash(const std::string& dir, const std::string& path) {
  const std::string manifest = dir + "/MANIFEST.json";
  spit(manifest, manifest_with(slurp(manifest), {{path, slurp(dir + "/" + path)}}, nullptr));
}

// The std::runtime_error message of `fn` (the reader throws std errors), or "".
template <class Fn>
std::string runtime_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace bitshift::testing
