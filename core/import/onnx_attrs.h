#pragma once
// Reading ONNX node attributes with their defaults.
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace bitshift {

inline const onnx::AttributeProto* onnx_attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
inline int64_t attr_int(const onnx::NodeProto& n, const char* name, int64_t fallback) {
  const auto* a = onnx_attr(n, name);
  return a ? a->i() : fallback;
}
inline double attr_float(const onnx::NodeProto& n, const char* name, double fallback) {
  const auto* a = onnx_attr(n, name);
  return a ? a->f() : fallback;
}
inline std::string attr_string(const onnx::NodeProto& n, const char* name,
                               const std::string& fallback) {
  const auto* a = onnx_attr(n, name);
  return a ? a->s() : fallback;
}
inline std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const char* name,
                                      std::vector<int64_t> fallback = {}) {
  const auto* a = onnx_attr(n, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : fallback;
}

}  // namespace bitshift
