#pragma once
// Making the quantizers of a method by id (the ids of method_info.h).
#include <memory>
#include <string>

#include "quant/quantizer.h"

namespace bitshift {

std::shared_ptr<WeightQuantizer> make_weight_quantizer(const std::string& method, int bits,
                                                       Granularity granularity);
std::shared_ptr<ActivationQuantizer> make_activation_quantizer(const std::string& method,
                                                               int bits, bool is_signed);
// Whether the method trains through a gradual (stage by stage) schedule.
bool is_gradual(const std::string& method);

}  // namespace bitshift
