#include "image_input.h"

#include <cctype>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "png_reader.h"

namespace bitshift {

namespace {

using Image = PixelImage;

// The next header number of a PNM file, skipping blanks and '#' comments.
int64_t header_number(const std::string& bytes, size_t& at, const std::string& path) {
  while (at < bytes.size() && (std::isspace(static_cast<unsigned char>(bytes[at])) || bytes[at] == '#'))
    if (bytes[at] == '#')
      while (at < bytes.size() && bytes[at] != '\n') ++at;
    else
      ++at;
  int64_t v = 0;
  size_t digits = 0;
  for (; at < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[at])) && digits < 9;
       ++at, ++digits)
    v = v * 10 + (bytes[at] - '0');
  if (digits == 0) throw std::runtime_error(path + ": malformed PGM/PPM header");
  return v;
}

Image read_pnm(const std::string& bytes, const std::string& path) {
  if (bytes.size() < 2 || bytes[0] != 'P' || (bytes[1] != '5' && bytes[1] != '6'))
    throw std::runtime_error(path + ": not a PNG, binary PGM (P5) or PPM (P6) image");
  Image im;
  im.channels = bytes[1] == '5' ? 1 : 3;
  size_t at = 2;
  im.width = header_number(bytes, at, path);
  im.height = header_number(bytes, at, path);
  const int64_t maxval = header_number(bytes, at, path);
  if (maxval != 255) throw std::runtime_error(path + ": maxval " + std::to_string(maxval) + ", expected 255 (8 bits)");
  if (at >= bytes.size() || !std::isspace(static_cast<unsigned char>(bytes[at])))
    throw std::runtime_error(path + ": malformed PGM/PPM header");
  ++at;  // the one whitespace byte before the pixels
  const int64_t n = im.width * im.height * im.channels;
  if (static_cast<int64_t>(bytes.size() - at) < n)
    throw std::runtime_error(path + ": " + std::to_string(bytes.size() - at) + " pixel bytes, expected " +
                             std::to_string(n) + " for " + std::to_string(im.width) + "x" +
                             std::to_string(im.height));
  im.pixels = bytes.substr(at, static_cast<size_t>(n));
  return im;
}

Image read_image(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return is_png(bytes) ? decode_png(bytes, path) : read_pnm(bytes, path);
}

}  // namespace

IntTensor image_input(const IntegerModel& model, const std::string& path) {
  const IntLayer& in = model.input();
  if (model.pixels.codes.empty())
    throw std::runtime_error("this bundle's network.json has no input_pixels (exported by an "
                             "older Bitshift): it cannot say how pixels become input codes");
  const Image im = read_image(path);
  if (im.width != in.w || im.height != in.h)
    throw std::runtime_error(path + ": " + std::to_string(im.width) + "x" + std::to_string(im.height) +
                             " pixels, the model takes " + std::to_string(in.w) + "x" +
                             std::to_string(in.h) + " (resize and crop it first)");
  if (im.channels != in.c && !(im.channels == 1 && in.c == 3))
    throw std::runtime_error(path + ": " + std::to_string(im.channels) + " channels, the model takes " +
                             std::to_string(in.c) + (in.c == 1 ? " (give a grey image)" : ""));
  IntTensor t;
  t.n = 1;
  t.values.resize(static_cast<size_t>(in.c * in.h * in.w));
  for (int64_t c = 0; c < in.c; ++c)
    for (int64_t i = 0; i < in.h * in.w; ++i) {
      const int64_t source = im.channels == 1 ? 0 : c;  // grey feeds every channel
      const auto p = static_cast<unsigned char>(im.pixels[static_cast<size_t>(i * im.channels + source)]);
      t.values[static_cast<size_t>(c * in.h * in.w + i)] = model.pixels.codes[static_cast<size_t>(c)][p];
    }
  return t;
}

}  // namespace bitshift
