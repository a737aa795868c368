#include "quant/method_info.h"

#include "util/error.h"

namespace bitshift {

const std::vector<MethodInfo>& methods() {
  using E = EdgePolicy;
  static const std::vector<MethodInfo> table = {
      {"nice", "NICE", "noise injection on 5% of weights + learned activation clamps, gradual",
       2, 1, true, E::EdgePolicyFirstFp},
      {"uniq", "UNIQ", "k-quantile non-uniform weights, noise in the CDF domain, gradual",
       1, 1, true, E::EdgePolicyFirstFp},
      {"uniq-sym", "UniQ", "learnable symmetric quantizer without a zero level (binary capable)",
       1, 1, true, E::EdgePolicyEightBit},
      {"n2uq", "N2UQ", "learned non-uniform activation thresholds, uniform outputs, G-STE",
       1, 1, true, E::EdgePolicyFp},
      {"pot-lut", "PoT+LUT", "4-bit weight codes through an 8-bit lookup table, power-of-two scales",
       4, 8, true, E::EdgePolicyQuantized},
      {"lsq", "LSQ", "learned step size with gradient scaling", 2, 2, true, E::EdgePolicyEightBit},
      {"pact", "PACT", "learned activation clip alpha, min/max weights", 2, 1, true,
       E::EdgePolicyQuantized},
      {"dorefa", "DoReFa", "tanh-normalised weights, activations clipped to [0, 1]", 1, 1, true,
       E::EdgePolicyFp},
      {"minmax", "min/max PTQ", "post-training: ranges from calibration, no training", 2, 2,
       false, E::EdgePolicyQuantized},
      {"fixed", "fixed grid", "scales and levels read from a quantized ONNX file (QDQ, QONNX), frozen",
       1, 1, false, E::EdgePolicyQuantized, true},
  };
  return table;
}

const MethodInfo& method_info(const std::string& id) {
  std::string known;
  for (const auto& m : methods()) {
    if (m.id == id) return m;
    known += (known.empty() ? "" : ", ") + m.id;
  }
  throw Error("unknown method '" + id + "' (expected one of: " + known + ")");
}

const char* edge_policy_name(EdgePolicy p) {
  switch (p) {
    case EdgePolicy::EdgePolicyQuantized: return "quantized";
    case EdgePolicy::EdgePolicyFirstFp: return "first-fp";
    case EdgePolicy::EdgePolicyFp: return "fp";
    case EdgePolicy::EdgePolicyEightBit: return "8bit";
  }
  return "?";
}

EdgePolicy edge_policy_from_name(const std::string& name) {
  for (auto p : {EdgePolicy::EdgePolicyQuantized, EdgePolicy::EdgePolicyFirstFp,
                 EdgePolicy::EdgePolicyFp, EdgePolicy::EdgePolicyEightBit})
    if (name == edge_policy_name(p)) return p;
  throw Error("unknown edge policy '" + name + "' (expected quantized, first-fp, fp or 8bit)");
}

}  // namespace bitshift
