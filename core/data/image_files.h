#pragma once
// Images left on disk: a list of files of any sizes, decoded on demand (on the caller's
// threads, several at once) and kept in a least-recently-used cache bounded in bytes, so that a
// folder of 100,000 photos trains in bounded memory.
#include <torch/types.h>

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace bitshift {

struct ImageCacheStats {
  int64_t hits = 0, misses = 0;
  int64_t bytes = 0;  // decoded bytes held now (never above the budget)
};

class ImageFiles {
 public:
  // `channels` (1 or 3) is what every image is decoded to; `cache_bytes` bounds the cache
  // (0 = no cache).
  ImageFiles(std::vector<std::string> paths, int channels, int64_t cache_bytes);

  int64_t size() const { return static_cast<int64_t>(paths_.size()); }
  int channels() const { return channels_; }
  const std::string& path(int64_t i) const { return paths_.at(static_cast<size_t>(i)); }
  // Image i, uint8 [C, H, W] at its own size. Safe from several threads at once. Throws Error
  // naming the file when it cannot be decoded (it was readable when the folder was opened).
  torch::Tensor decode(int64_t i) const;
  ImageCacheStats stats() const;

 private:
  std::vector<std::string> paths_;
  int channels_;
  int64_t cache_bytes_;
  mutable std::mutex mutex_;
  mutable std::list<int64_t> recent_;  // most recent first
  struct Entry {
    torch::Tensor image;
    std::list<int64_t>::iterator position;
  };
  mutable std::unordered_map<int64_t, Entry> cache_;
  mutable ImageCacheStats stats_;
};

// The most pixels an image may declare (a 48-megapixel camera's photos pass): its header is
// read first, so a 64 KB file claiming 8000x8000 is refused before anything is allocated.
constexpr int64_t kMaxImagePixels = 50'000'000;

// Decodes one image file to uint8 [channels, H, W]; throws Error naming the file and stb's
// reason, or its declared size when it is beyond kMaxImagePixels.
torch::Tensor decode_image_file(const std::string& path, int channels);

}  // namespace bitshift
