#include "data/normalization.h"

#include <cmath>
#include <sstream>

#include <torch/torch.h>

#include "util/error.h"

namespace bitshift {

PixelNormalizer::PixelNormalizer(const Normalization& norm, int64_t c, const std::string& data_name) {
  require(static_cast<int64_t>(norm.mean.size()) == c && static_cast<int64_t>(norm.std.size()) == c,
          "dataset '" + data_name + "' has " + std::to_string(c) +
              " channels but the normalisation has " + std::to_string(norm.mean.size()) +
              " means and " + std::to_string(norm.std.size()) + " stds");
  for (float s : norm.std)
    require(s > 0.0f, "normalisation std must be > 0, got " + std::to_string(s));
  const auto mean = torch::tensor(norm.mean).view({1, c, 1, 1});
  const auto std = torch::tensor(norm.std).view({1, c, 1, 1});
  scale_ = 1.0 / (255.0 * std);
  shift_ = -mean / std;
}

torch::Tensor PixelNormalizer::operator()(const torch::Tensor& pixels) const {
  return pixels.to(torch::kFloat).mul_(scale_).add_(shift_);
}

Normalization imagenet_normalization() {
  return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
}

namespace {

std::vector<float> channel_values(const std::string& text, const std::string& what,
                                  int64_t channels, const std::vector<float>& imagenet) {
  std::vector<float> v;
  if (text == "imagenet") {
    v = imagenet;
  } else {
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
      size_t used = 0;
      float x = 0;
      try {
        x = std::stof(item, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      require(used > 0 && used == item.size() && std::isfinite(x),
              what + " '" + text + "': '" + item + "' is not a number (expected e.g. " +
                  (what == "mean" ? "0.5 or 0.485,0.456,0.406" : "0.25 or 0.229,0.224,0.225") +
                  ", or imagenet)");
      v.push_back(x);
    }
  }
  if (v.size() == 1) v.assign(static_cast<size_t>(channels), v[0]);
  require(static_cast<int64_t>(v.size()) == channels,
          what + " '" + text + "' has " + std::to_string(v.size()) +
              " values but the model's input has " + std::to_string(channels) + " channel" +
              (channels > 1 ? "s" : "") + " (give 1 value or " + std::to_string(channels) + ")");
  return v;
}

}  // namespace

Normalization normalization_from_text(const std::string& mean, const std::string& std,
                                      int64_t channels, const Normalization& measured) {
  Normalization n = measured;
  const Normalization in = imagenet_normalization();
  if (!mean.empty()) n.mean = channel_values(mean, "mean", channels, in.mean);
  if (!std.empty()) {
    n.std = channel_values(std, "std", channels, in.std);
    for (float s : n.std) require(s > 0.0f, "std '" + std + "' must be > 0 for every channel");
  }
  return n;
}

}  // namespace bitshift
