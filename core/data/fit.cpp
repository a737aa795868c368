#include "data/fit.h"

#include <torch/torch.h>

#include <cmath>

#include "util/error.h"

namespace bitshift {

namespace {
constexpr int64_t kNormalizationImages = 10000;  // enough for stable per-channel statistics

std::string shape_str(int64_t c, int64_t h, int64_t w) {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}
}  // namespace

torch::Tensor fit_images(const torch::Tensor& images, int64_t c, int64_t h, int64_t w) {
  const int64_t C = images.size(1), H = images.size(2), W = images.size(3);
  require((C == 1 || C == 3) && (c == 1 || c == 3),
          "cannot fit " + std::to_string(C) + "-channel images to a " + std::to_string(c) +
              "-channel model (1 and 3 channels are supported)");
  if (C == c && H == h && W == w) return images;
  auto x = images.to(torch::kFloat);
  if (H != h || W != w) {
    // Scale so that both sides cover the target, then take the centre.
    const double scale = std::max(static_cast<double>(h) / H, static_cast<double>(w) / W);
    const int64_t rh = std::max(h, static_cast<int64_t>(std::lround(H * scale)));
    const int64_t rw = std::max(w, static_cast<int64_t>(std::lround(W * scale)));
    namespace F = torch::nn::functional;
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{rh, rw})
                              .mode(torch::kBilinear)
                              .align_corners(false)
                              .antialias(scale < 1.0));
    const int64_t top = (rh - h) / 2, left = (rw - w) / 2;
    x = x.slice(2, top, top + h).slice(3, left, left + w);
  }
  if (C == 1 && c == 3) x = x.expand({x.size(0), 3, h, w});
  if (C == 3 && c == 1)  // ITU-R BT.601 luma, as PIL's convert("L")
    x = (x.select(1, 0) * 0.299 + x.select(1, 1) * 0.587 + x.select(1, 2) * 0.114).unsqueeze(1);
  return x.round().clamp(0, 255).to(torch::kUInt8).contiguous();
}

DatasetPair fit_dataset(const DatasetPair& data, int64_t c, int64_t h, int64_t w,
                        std::string* note) {
  const Dataset& t = data.train;
  if (t.channels() == c && t.height() == h && t.width() == w) return data;
  // Check the channel rule once, on one image, before anything is promised.
  fit_images(t.images.slice(0, 0, 1), c, h, w);
  DatasetPair out = data;
  for (Dataset* d : {&out.train, &out.test}) {
    d->fit_c = c, d->fit_h = h, d->fit_w = w;
  }
  out.normalization = measure_normalization(out.train.head(kNormalizationImages));
  if (note) {
    const int64_t C = t.images.size(1);
    std::string what;
    if (t.images.size(2) != h || t.images.size(3) != w) what = "resized and centre-cropped";
    if (C == 1 && c == 3)
      what += std::string(what.empty() ? "" : ", ") + "grey replicated to 3 channels";
    if (C == 3 && c == 1)
      what += std::string(what.empty() ? "" : ", ") + "colour turned to luminance";
    const std::string family = t.name.substr(0, t.name.find('/'));
    *note = family + " " + shape_str(C, t.images.size(2), t.images.size(3)) +
            " fitted to the model's " + shape_str(c, h, w) + ": " + what;
  }
  return out;
}

}  // namespace bitshift
