#pragma once
// A PNG file's pixels for the host program's --image, std only (the host builds with CMake and a
// C++17 compiler alone): 8-bit grey, grey + alpha, RGB, RGBA or palette images, not interlaced.
// Alpha is dropped (the colour under it is kept). Every chunk's CRC and the zlib stream's
// Adler-32 are checked, and the decompressed size is bounded by the header's width and height.
#include <cstdint>
#include <string>

namespace bitshift {

// 8-bit pixels, [h][w][channels].
struct PixelImage {
  int channels = 0;  // 1 grey, 3 colour
  int64_t width = 0, height = 0;
  std::string pixels;
};

// Whether `bytes` start with the PNG signature.
bool is_png(const std::string& bytes);

// Throws std::runtime_error "<path>: <what is wrong or unsupported>".
PixelImage decode_png(const std::string& bytes, const std::string& path);

}  // namespace bitshift
