#include "quant/method.h"

#include "quant/dorefa.h"
#include "quant/fixed_grid.h"
#include "quant/lsq.h"
#include "quant/minmax.h"
#include "quant/n2uq.h"
#include "quant/nice.h"
#include "quant/pact.h"
#include "quant/pot_lut.h"
#include "quant/uniq.h"
#include "quant/uniq_sym.h"
#include "util/error.h"

namespace bitshift {

std::shared_ptr<WeightQuantizer> make_weight_quantizer(const std::string& method, int bits,
                                                       Granularity g) {
  const MethodInfo& info = method_info(method);
  require(bits >= info.min_weight_bits && bits <= 8,
          info.name + " cannot quantize weights to " + std::to_string(bits) + " bit");
  if (method == "nice") return std::make_shared<NiceWeightQuantizer>(bits, g);
  if (method == "lsq") return std::make_shared<LsqWeightQuantizer>(bits, g);
  if (method == "pact" || method == "minmax") return std::make_shared<MaxAbsWeightQuantizer>(bits, g);
  if (method == "dorefa") return std::make_shared<DorefaWeightQuantizer>(bits, g);
  if (method == "uniq") return std::make_shared<KQuantileQuantizer>(bits, g);
  if (method == "pot-lut") return std::make_shared<PotLutWeightQuantizer>(bits, g);
  if (method == "uniq-sym") return std::make_shared<UniqWeightQuantizer>(bits, g);
  if (method == "n2uq") return std::make_shared<N2uqWeightQuantizer>(bits, g);
  if (method == "fixed") return std::make_shared<FixedWeightQuantizer>(bits, g);
  throw Error("method " + info.name + " is not implemented yet in this build (weights)");
}

std::shared_ptr<ActivationQuantizer> make_activation_quantizer(const std::string& method,
                                                               int bits, bool is_signed) {
  const MethodInfo& info = method_info(method);
  require(bits >= info.min_activation_bits && bits <= 16,
          info.name + " cannot quantize activations to " + std::to_string(bits) + " bit");
  if (method == "nice") return std::make_shared<NiceActivationClamp>(bits, is_signed);
  if (method == "lsq") return std::make_shared<LsqActivationQuantizer>(bits, is_signed);
  if (method == "pact") return std::make_shared<PactActivationQuantizer>(bits, is_signed);
  if (method == "dorefa") return std::make_shared<DorefaActivationQuantizer>(bits, is_signed);
  if (method == "minmax") return std::make_shared<MinMaxActivationQuantizer>(bits, is_signed);
  // UNIQ: k-quantile weights with a uniform learned activation clamp, reusing NICE's (the
  // released code's CDF-domain activations pass no gradient; METHODS §2.3 recommends uniform).
  if (method == "uniq") return std::make_shared<NiceActivationClamp>(bits, is_signed);
  if (method == "pot-lut") return std::make_shared<PotLutActivationQuantizer>(bits, is_signed);
  if (method == "uniq-sym") return std::make_shared<UniqActivationQuantizer>(bits, is_signed);
  if (method == "n2uq") return std::make_shared<N2uqActivationQuantizer>(bits, is_signed);
  if (method == "fixed") return std::make_shared<FixedActivationQuantizer>(bits, is_signed);
  throw Error("method " + info.name + " is not implemented yet in this build (activations)");
}

bool is_gradual(const std::string& method) { return method == "nice" || method == "uniq"; }

}  // namespace bitshift
