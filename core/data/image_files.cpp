#include "data/image_files.h"

#include <stb_image.h>
#include <sys/mman.h>
#include <torch/torch.h>

#include <memory>

#include "util/error.h"

namespace bitshift {

namespace {
struct StbFree {
  void operator()(unsigned char* p) const { stbi_image_free(p); }
};

// A uint8 [c, h, w] tensor in its own memory mapping. Decoded photos come and go in the cache
// in mixed sizes; from the heap (which keep_freed_memory() never trims) they fragment it and
// the process grows with the folder; a mapping goes back to the system when it is freed.
torch::Tensor mapped_image(int64_t c, int64_t h, int64_t w, const std::string& path) {
  const auto bytes = static_cast<size_t>(c * h * w);
  constexpr size_t kMapAtLeast = 64 << 10;  // smaller ones: a page each would waste too much
  if (bytes < kMapAtLeast) return torch::empty({c, h, w}, torch::kUInt8);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw Error("image '" + path + "': no memory for its pixels");
  return torch::from_blob(
      p, {c, h, w}, [bytes](void* q) { munmap(q, bytes); }, torch::kUInt8);
}
}  // namespace

torch::Tensor decode_image_file(const std::string& path, int channels) {
  int w = 0, h = 0, c = 0;
  if (stbi_info(path.c_str(), &w, &h, &c) == 1 && int64_t{w} * h > kMaxImagePixels)
    throw Error("image '" + path + "' declares " + std::to_string(w) + "x" + std::to_string(h) +
                " pixels, more than the " + std::to_string(kMaxImagePixels / 1'000'000) +
                " megapixels an image may have; downscale it");
  std::unique_ptr<unsigned char, StbFree> px(stbi_load(path.c_str(), &w, &h, &c, channels));
  if (!px) {
    const char* why = stbi_failure_reason();  // null when stb has none
    throw Error("image '" + path + "' could not be decoded (" + (why ? why : "unknown format") +
                ")");
  }
  // stb gives H, W, C; the datasets hold C, H, W.
  auto image = mapped_image(channels, h, w, path);
  image.copy_(torch::from_blob(px.get(), {h, w, channels}, torch::kUInt8).permute({2, 0, 1}));
  return image;
}

ImageFiles::ImageFiles(std::vector<std::string> paths, int channels, int64_t cache_bytes)
    : paths_(std::move(paths)), channels_(channels), cache_bytes_(cache_bytes) {
  require(channels_ == 1 || channels_ == 3,
          "images on disk are decoded to 1 or 3 channels, not " + std::to_string(channels_));
}

torch::Tensor ImageFiles::decode(int64_t i) const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(i);
    if (it != cache_.end()) {
      recent_.splice(recent_.begin(), recent_, it->second.position);
      ++stats_.hits;
      return it->second.image;
    }
    ++stats_.misses;
  }
  torch::Tensor image = decode_image_file(path(i), channels_);  // outside the lock: decoding is the slow part
  const int64_t bytes = image.numel();
  if (bytes > cache_bytes_) return image;
  std::lock_guard<std::mutex> lock(mutex_);
  if (cache_.count(i)) return image;  // another thread decoded it meanwhile
  while (stats_.bytes + bytes > cache_bytes_ && !recent_.empty()) {
    const int64_t oldest = recent_.back();
    recent_.pop_back();
    stats_.bytes -= cache_.at(oldest).image.numel();
    cache_.erase(oldest);
  }
  recent_.push_front(i);
  cache_.emplace(i, Entry{image, recent_.begin()});
  stats_.bytes += bytes;
  return image;
}

ImageCacheStats ImageFiles::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

}  // namespace bitshift
