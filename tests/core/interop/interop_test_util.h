#pragma once
// What the interop tests share: reading the written ONNX files, and comparing a peer's logits
// with the simulation's.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "peer_runner.h"

namespace bitshift::testing {

inline onnx::ModelProto read_model(const std::string& path) {
  onnx::ModelProto m;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << path;
  return m;
}

inline std::map<std::string, int> op_counts(const onnx::ModelProto& m) {
  std::map<std::string, int> n;
  for (const auto& node : m.graph().node()) ++n[node.op_type()];
  return n;
}

inline const onnx::TensorProto* find_initializer(const onnx::ModelProto& m,
                                                 const std::string& name) {
  for (const auto& t : m.graph().initializer())
    if (t.name() == name) return &t;
  return nullptr;
}

inline const onnx::NodeProto* find_node(const onnx::ModelProto& m, const std::string& op_type,
                                        const std::string& input) {
  for (const auto& n : m.graph().node())
    if (n.op_type() == op_type && n.input_size() > 0 && n.input(0) == input) return &n;
  return nullptr;
}

// Trained networks: top-1 agreement of a peer with the simulation (the bar), and logits
// within a tolerance of their range: QuantizeLinear rounds half to even and divides where a
// quantizer may multiply, so a value at a level boundary now and then lands one level apart.
constexpr double kMinTop1Agreement = 99.5;   // percent
constexpr double kLogitRelTolerance = 0.05;  // max |peer - sim| / max |sim|, worst image
constexpr double kMeanLogitRelTolerance = 1e-3;

// A peer's logits against the simulation's.
struct Compared {
  double agreement = 0;              // percent of images with the same top-1 class
  double max_rel = 0, mean_rel = 0;  // |peer - sim| over max |sim|: worst value, mean
  double median_rel = 0;             // the median image's largest logit difference, relative
};

inline Compared compare(const torch::Tensor& peer, const torch::Tensor& sim) {
  Compared c;
  const double range = sim.abs().max().item<double>();
  const auto diff = (peer - sim).abs();
  c.max_rel = diff.max().item<double>() / range;
  c.mean_rel = diff.mean().item<double>() / range;
  c.median_rel = std::get<0>(diff.amax(1).median(0)).item<double>() / range;
  c.agreement = 100.0 * peer.argmax(1).eq(sim.argmax(1)).sum().item<double>() / sim.size(0);
  return c;
}

// Where a test writes the file `name`.`format`.onnx.
inline std::string export_path(const std::string& name, const std::string& format) {
  std::filesystem::create_directories(interop_tmp());
  return interop_tmp() + "/" + name + "." + format + ".onnx";
}

}  // namespace bitshift::testing
