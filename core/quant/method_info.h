#pragma once
// The catalogue of quantization methods: ids, one-line descriptions, what bit-widths each can
// do and its first/last-layer policy from its paper.
#include <string>
#include <vector>

namespace bitshift {

// What a method does with the first and last weight layers unless the plan says otherwise.
enum class EdgePolicy {
  EdgePolicyQuantized,      // quantize them like the rest
  EdgePolicyFirstFp,        // first layer FP32 (NICE on CIFAR)
  EdgePolicyFp,             // first and last layers FP32 (NICE on ImageNet, N2UQ, DoReFa)
  EdgePolicyEightBit,       // first and last layers 8 bit (LSQ, UniQ)
};

struct MethodInfo {
  std::string id;           // CLI id: nice, uniq, uniq-sym, n2uq, pot-lut, lsq, pact, dorefa, minmax
  std::string name;         // as in the paper
  std::string description;  // one line, for `methods` and GUI tooltips
  int min_weight_bits;      // smallest weight bit-width the quantizer can represent
  int min_activation_bits;
  bool trains;              // false: calibration only (post-training quantization)
  EdgePolicy edges;
  // Grids read from a quantized file (import), not made from a model: not offered for new plans.
  bool from_file = false;
};

const std::vector<MethodInfo>& methods();
// Throws Error listing the known ids.
const MethodInfo& method_info(const std::string& id);
const char* edge_policy_name(EdgePolicy p);
EdgePolicy edge_policy_from_name(const std::string& name);

}  // namespace bitshift
