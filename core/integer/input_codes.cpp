// How images become the input layer's integers (integer/lowering.h): through the simulation's
// own input quantizer, for a batch of images or for every 8-bit pixel value.
#include <torch/torch.h>

#include "data/normalization.h"
#include "integer/lowering.h"
#include "util/error.h"

namespace bitshift {

IntTensor integer_input(const QuantizedNetwork& net, const IntegerModel& model,
                        const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  auto q = net.hooks->activation_quantizer(0);
  require(q != nullptr, "the network input is not quantized");
  const double scale = model.input().scale.at(0);
  // The simulation's own quantizer, so the codes are exactly the simulated ones.
  const auto values = torch::round(q->quantize(images.to(torch::kFloat32)).to(torch::kFloat64) / scale);
  IntTensor t;
  t.n = images.size(0);
  const auto codes = values.to(torch::kInt32).contiguous();
  t.values.assign(codes.data_ptr<int32_t>(), codes.data_ptr<int32_t>() + codes.numel());
  return t;
}

PixelCodes pixel_codes(const QuantizedNetwork& net, const IntegerModel& model,
                       const Normalization& norm) {
  const int64_t c = net.model->graph().input_shape().c;
  // One image whose channel k holds every pixel value 0..255 in a row.
  const auto pixels = torch::arange(256, torch::kLong).to(torch::kUInt8).view({1, 1, 1, 256})
                          .expand({1, c, 1, 256}).contiguous();
  const IntTensor codes = integer_input(net, model, PixelNormalizer(norm, c, "pixels")(pixels));
  PixelCodes out;
  out.mean.assign(norm.mean.begin(), norm.mean.end());
  out.std.assign(norm.std.begin(), norm.std.end());
  for (int64_t k = 0; k < c; ++k)
    out.codes.emplace_back(codes.values.begin() + k * 256, codes.values.begin() + (k + 1) * 256);
  return out;
}

}  // namespace bitshift
