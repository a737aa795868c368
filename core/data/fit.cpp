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

namespace {

void require_channels(int64_t from, int64_t to) {
  require((from == 1 || from == 3) && (to == 1 || to == 3),
          "cannot fit " + std::to_string(from) + "-channel images to a " + std::to_string(to) +
              "-channel model (1 and 3 channels are supported)");
}

// float [B, C, H, W] -> [B, C, h, w], bilinear, antialiased when shrinking (as torchvision).
torch::Tensor resize(const torch::Tensor& x, int64_t h, int64_t w) {
  if (x.size(2) == h && x.size(3) == w) return x;
  const bool shrinking = h < x.size(2) || w < x.size(3);
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{h, w})
                               .mode(torch::kBilinear)
                               .align_corners(false)
                               .antialias(shrinking));
}

// float [B, C, h, w] -> uint8 [B, c, h, w]: grey replicated, colour to luminance.
torch::Tensor to_channels(torch::Tensor x, int64_t c) {
  const int64_t C = x.size(1);
  if (C == 1 && c == 3) x = x.expand({x.size(0), 3, x.size(2), x.size(3)});
  if (C == 3 && c == 1)  // ITU-R BT.601 luma, as PIL's convert("L")
    x = (x.select(1, 0) * 0.299 + x.select(1, 1) * 0.587 + x.select(1, 2) * 0.114).unsqueeze(1);
  return x.round().clamp(0, 255).to(torch::kUInt8).contiguous();
}

}  // namespace

torch::Tensor fit_images(const torch::Tensor& images, int64_t c, int64_t h, int64_t w) {
  const int64_t C = images.size(1), H = images.size(2), W = images.size(3);
  require_channels(C, c);
  if (C == c && H == h && W == w) return images;
  auto x = images.to(torch::kFloat);
  if (H != h || W != w) {
    // Scale so that both sides cover the target, then take the centre.
    const double scale = std::max(static_cast<double>(h) / H, static_cast<double>(w) / W);
    const int64_t rh = std::max(h, static_cast<int64_t>(std::lround(H * scale)));
    const int64_t rw = std::max(w, static_cast<int64_t>(std::lround(W * scale)));
    x = resize(x, rh, rw);
    const int64_t top = (rh - h) / 2, left = (rw - w) / 2;
    x = x.slice(2, top, top + h).slice(3, left, left + w);
  }
  return to_channels(x, c);
}

torch::Tensor crop_and_fit(const torch::Tensor& image, const CropBox& box, int64_t c, int64_t h,
                           int64_t w) {
  require_channels(image.size(0), c);
  require(box.height > 0 && box.width > 0 && box.top >= 0 && box.left >= 0 &&
              box.top + box.height <= image.size(1) && box.left + box.width <= image.size(2),
          "crop box outside the image");
  auto x = image.slice(1, box.top, box.top + box.height)
               .slice(2, box.left, box.left + box.width)
               .unsqueeze(0)
               .to(torch::kFloat);
  return to_channels(resize(x, h, w), c).squeeze(0);
}

DatasetPair fit_dataset(const DatasetPair& data, int64_t c, int64_t h, int64_t w,
                        std::string* note) {
  const Dataset& t = data.train;
  if (t.channels() == c && t.height() == h && t.width() == w) return data;
  // Check the channel rule once, on one image, before anything is promised.
  require_channels(t.stored_channels(), c);
  DatasetPair out = data;
  for (Dataset* d : {&out.train, &out.test}) {
    d->fit_c = c, d->fit_h = h, d->fit_w = w;
  }
  // Photo folders are sampled evenly by measure_normalization itself (their classes come in order).
  out.normalization = measure_normalization(
      out.train.on_disk() || out.train.photos ? out.train : out.train.head(kNormalizationImages));
  if (note) {
    const int64_t C = t.stored_channels();
    std::string what;
    if (t.on_disk() || t.images.size(2) != h || t.images.size(3) != w)
      what = "resized and centre-cropped";
    if (C == 1 && c == 3)
      what += std::string(what.empty() ? "" : ", ") + "grey replicated to 3 channels";
    if (C == 3 && c == 1)
      what += std::string(what.empty() ? "" : ", ") + "colour turned to luminance";
    const std::string family = t.name.substr(0, t.name.find('/'));
    const std::string from = t.on_disk() ? std::to_string(C) + "-channel images of any size"
                                         : shape_str(C, t.images.size(2), t.images.size(3));
    *note = family + " " + from + " fitted to the model's " + shape_str(c, h, w) + ": " + what;
  }
  return out;
}

}  // namespace bitshift
