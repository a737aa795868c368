#pragma once
// What the per-op tests share (ops_*_test.cpp, one TEST per op kind, ncnn's test_<op>.cpp habit):
// a named tolerance, seeded odd-shaped inputs, one-op graphs run through GraphModule, nodes read
// back from JSON. Each test checks the inferred shape against numbers worked out by hand, the
// values against a reference written in the test (plain loops, hand arrays, or LibTorch with
// explicit padding), the JSON round trip, and that bad attributes are refused naming the layer.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "../test_util.h"
#include "graph/builder.h"
#include "graph/graph_module.h"
#include "graph/op.h"
#include "util/error.h"

namespace bitshift::ops_test {

using bitshift::testing::error_of;
using nlohmann::json;

// Float32 results against references computed in double: absolute below 1, relative above.
constexpr double kTol = 1e-5;
constexpr uint64_t kSeed = 20240611;
constexpr int64_t kBatch = 2;

inline bool within_tol(double got, double want, double tol = kTol) {
  return std::abs(got - want) <= tol * std::max(1.0, std::abs(want));
}

// The values of `t` in NCHW (logical) order, as doubles.
inline std::vector<double> values_of(const torch::Tensor& t) {
  const auto c = t.to(torch::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

// A contiguous float tensor of `sizes` holding `v` in NCHW order.
inline torch::Tensor tensor_of(const std::vector<double>& v, std::vector<int64_t> sizes) {
  return torch::tensor(v, torch::kDouble).to(torch::kFloat).reshape(sizes).contiguous();
}

inline std::vector<int64_t> sizes_of(const torch::Tensor& t) { return t.sizes().vec(); }

// Every value of `got` against `want` (same NCHW order); reports the first few that differ.
inline void expect_values(const torch::Tensor& got, const std::vector<double>& want,
                          double tol = kTol) {
  const auto g = values_of(got);
  ASSERT_EQ(g.size(), want.size());
  int bad = 0;
  for (size_t i = 0; i < g.size(); ++i)
    if (!within_tol(g[i], want[i], tol) && bad++ < 5)
      ADD_FAILURE() << "value " << i << ": got " << g[i] << ", want " << want[i];
  EXPECT_EQ(bad, 0) << "values out of tolerance " << tol;
}

// Every value of `y` against f(the value of `x` at the same place).
inline void expect_elementwise(const torch::Tensor& x, const torch::Tensor& y,
                               const std::function<double(double)>& f) {
  ASSERT_EQ(sizes_of(y), sizes_of(x));
  std::vector<double> want;
  for (double v : values_of(x)) want.push_back(f(v));
  expect_values(y, want);
}

// N×C×H×W normal values times `scale`, the same in every run.
inline torch::Tensor random_input(const Shape& s, double scale = 1.0) {
  torch::manual_seed(kSeed);
  return (torch::randn({kBatch, s.c, s.h, s.w}) * scale).contiguous();
}

// 0, 1, 2, ... laid out as 1×C×H×W.
inline torch::Tensor arange_input(const Shape& s) {
  return torch::arange(s.numel(), torch::kFloat).reshape({1, s.c, s.h, s.w});
}

// Inputs for activations: wide normal values whose first ones are the kinks and saturation
// points of every activation tested here.
inline torch::Tensor activation_input(const Shape& s) {
  auto x = random_input(s, 4.0);
  x.view(-1).slice(0, 0, 11).copy_(
      torch::tensor({-7.0f, -6.0f, -3.0f, -2.5f, -1.0f, -0.5f, 0.0f, 0.5f, 3.0f, 6.0f, 7.0f}));
  return x;
}

// The outputs of every node of `g` for `x`, in evaluation mode.
inline std::vector<torch::Tensor> run_eval(GraphModule& m, const torch::Tensor& x) {
  m->eval();
  torch::NoGradGuard no_grad;
  return m->forward_all(x);
}
inline std::vector<torch::Tensor> run_eval(const Graph& g, const torch::Tensor& x) {
  GraphModule m(g);
  return run_eval(m, x);
}

// The graph written to JSON text and read back.
inline Graph round_trip(const Graph& g) {
  return Graph::from_json(json::parse(g.to_json().dump()));
}

inline const Node& node_named(const Graph& g, const std::string& name) {
  const int i = g.find(name);
  if (i < 0) throw std::runtime_error("no node named " + name);
  return g.node(i);
}

// The JSON object the graph writes for node `name`.
inline json node_json(const Graph& g, const std::string& name) {
  const json j = g.to_json();  // kept alive: the loop below reads into it
  for (const auto& n : j.at("nodes"))
    if (n.at("name") == name) return n;
  ADD_FAILURE() << "no node '" << name << "' in the JSON";
  return json::object();
}

// The error from_json gives when node `name`'s `key` is replaced by `value`.
inline std::string from_json_error(const Graph& g, const std::string& name, const std::string& key,
                                   const json& value) {
  json j = g.to_json();
  for (auto& n : j.at("nodes"))
    if (n.at("name") == name) n[key] = value;
  return error_of([&] { Graph::from_json(j); });
}

// The error adding one `kind` node named `name` on an input of shape `in` gives.
inline std::string add_error(const Shape& in, const std::string& name, OpKind kind,
                             const Node& attrs) {
  GraphBuilder b("t", in, 2);
  return error_of([&] { b.add_node(name, kind, {b.input()}, attrs); });
}

// A window from kernel {h, w}, stride {h, w}, pads {top, left, bottom, right}, dilation {h, w}.
inline Window window(std::array<int64_t, 2> k, std::array<int64_t, 2> s,
                     std::array<int64_t, 4> pads, std::array<int64_t, 2> d = {1, 1}) {
  Window w;
  w.kh = k[0], w.kw = k[1], w.sh = s[0], w.sw = s[1], w.dh = d[0], w.dw = d[1];
  w.pad_top = pads[0], w.pad_left = pads[1], w.pad_bottom = pads[2], w.pad_right = pads[3];
  return w;
}

inline Node with_window(const Window& w) {
  Node n;
  n.window = w;
  return n;
}

// Every field of `got` against the numbers written in the test.
inline void expect_window(const Window& got, std::array<int64_t, 2> k, std::array<int64_t, 2> s,
                          std::array<int64_t, 4> pads, std::array<int64_t, 2> d, bool ceil_mode,
                          bool count_include_pad) {
  EXPECT_EQ((std::array<int64_t, 2>{got.kh, got.kw}), k);
  EXPECT_EQ((std::array<int64_t, 2>{got.sh, got.sw}), s);
  EXPECT_EQ((std::array<int64_t, 4>{got.pad_top, got.pad_left, got.pad_bottom, got.pad_right}),
            pads);
  EXPECT_EQ((std::array<int64_t, 2>{got.dh, got.dw}), d);
  EXPECT_EQ(got.ceil_mode, ceil_mode);
  EXPECT_EQ(got.count_include_pad, count_include_pad);
}

// A square window's JSON: plain numbers, as the zoo's checkpoints hold them.
inline void expect_square_window_json(const json& j, int64_t k, int64_t s, int64_t p) {
  EXPECT_TRUE(j.at("kernel").is_number_integer()) << j;
  EXPECT_TRUE(j.at("stride").is_number_integer()) << j;
  EXPECT_TRUE(j.at("padding").is_number_integer()) << j;
  EXPECT_EQ(j.at("kernel"), k);
  EXPECT_EQ(j.at("stride"), s);
  EXPECT_EQ(j.at("padding"), p);
  EXPECT_FALSE(j.contains("pads")) << j;
  EXPECT_FALSE(j.contains("dilation")) << j;
}

// One elementwise op on a 3×5×7 input: the graph, the input and the op's output.
struct Unary {
  Graph graph;
  int node = 0;
  torch::Tensor x, y;
};
inline Unary run_unary(OpKind kind, const Node& attrs = {}) {
  GraphBuilder b("t", Shape{3, 5, 7}, 2);
  const int n = b.add_node("act", kind, {b.input()}, attrs);
  Unary u{b.build(), n, activation_input(Shape{3, 5, 7}), {}};
  u.y = run_eval(u.graph, u.x)[n];
  return u;
}

// The shape checks every elementwise op shares: 3×5×7 in, 3×5×7 out.
inline void expect_same_shape(const Unary& u) {
  EXPECT_EQ(u.graph.node(u.node).out_shape, (Shape{3, 5, 7, false}));
  EXPECT_EQ(sizes_of(u.y), (std::vector<int64_t>{kBatch, 3, 5, 7}));
}

inline double sigmoid_ref(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace bitshift::ops_test
