// PNG (ISO/IEC 15948) decoding for --image: chunks, zlib (RFC 1950) and inflate (RFC 1951, the
// canonical-Huffman decoder of Mark Adler's puff.c), then the five row filters.
#include "png_reader.h"

#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace bitshift {

namespace {

constexpr int64_t kMaxSide = 16384;  // the host takes images at the model's input size
const char kSignature[] = "\x89PNG\r\n\x1a\n";

class PngError {
 public:
  explicit PngError(std::string path) : path_(std::move(path)) {}
  [[noreturn]] void operator()(const std::string& what) const {
    throw std::runtime_error(path_ + ": " + what);
  }

 private:
  std::string path_;
};

uint32_t be32(const std::string& b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
         (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}

uint32_t crc32(const char* p, size_t n) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) c = table[(c ^ uint8_t(p[i])) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint32_t adler32(const std::string& d) {
  uint32_t a = 1, b = 0;
  for (char ch : d) {
    a = (a + uint8_t(ch)) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

// Bits of a deflate stream, least significant first.
class BitReader {
 public:
  BitReader(const std::string& d, size_t at, const PngError& bad) : d_(d), at_(at), bad_(bad) {}
  int bit() {
    if (at_ >= d_.size()) bad_("the compressed pixel data ends early");
    const int b = (uint8_t(d_[at_]) >> bit_) & 1;
    if (++bit_ == 8) bit_ = 0, ++at_;
    return b;
  }
  uint32_t bits(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint32_t(bit()) << i;
    return v;
  }
  void align() {
    if (bit_ != 0) bit_ = 0, ++at_;
  }
  uint8_t byte() {
    if (at_ >= d_.size()) bad_("the compressed pixel data ends early");
    return uint8_t(d_[at_++]);
  }
  size_t at() const { return at_; }

 private:
  const std::string& d_;
  size_t at_;
  int bit_ = 0;
  const PngError& bad_;
};

// A canonical Huffman code: how many codes of each length, and the symbols in code order.
struct Huffman {
  std::array<uint16_t, 16> count{};
  std::vector<uint16_t> symbol;
};

Huffman huffman(const uint8_t* lengths, int n, const PngError& bad) {
  Huffman h;
  for (int s = 0; s < n; ++s) ++h.count[lengths[s]];
  int left = 1;  // over-subscribed lengths describe no code
  for (int len = 1; len < 16; ++len) {
    left = 2 * left - h.count[len];
    if (left < 0) bad("an invalid Huffman code in the compressed pixel data");
  }
  std::array<uint16_t, 16> offset{};
  for (int len = 1; len < 15; ++len) offset[len + 1] = offset[len] + h.count[len];
  h.symbol.assign(static_cast<size_t>(n), 0);
  for (int s = 0; s < n; ++s)
    if (lengths[s] != 0) h.symbol[offset[lengths[s]]++] = static_cast<uint16_t>(s);
  return h;
}

int decode(BitReader& in, const Huffman& h, const PngError& bad) {
  int code = 0, first = 0, index = 0;
  for (int len = 1; len < 16; ++len) {
    code |= in.bit();
    const int count = h.count[len];
    if (code - count < first) return h.symbol[static_cast<size_t>(index + (code - first))];
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  bad("an invalid Huffman code in the compressed pixel data");
}

constexpr uint16_t kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t kDistBase[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                    33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// One block's literals and back-references until its end code.
void inflate_codes(BitReader& in, const Huffman& lit, const Huffman& dist, std::string& out,
                   size_t limit, const PngError& bad) {
  for (;;) {
    int sym = decode(in, lit, bad);
    if (sym < 256) {
      if (out.size() >= limit) bad("more pixel data than the header's width and height");
      out.push_back(static_cast<char>(sym));
      continue;
    }
    if (sym == 256) return;
    sym -= 257;
    if (sym >= 29) bad("an invalid length code in the compressed pixel data");
    const size_t len = kLengthBase[sym] + in.bits(kLengthExtra[sym]);
    const int d = decode(in, dist, bad);
    if (d >= 30) bad("an invalid distance code in the compressed pixel data");
    const size_t back = kDistBase[d] + in.bits(kDistExtra[d]);
    if (back > out.size()) bad("a back-reference before the start of the pixel data");
    if (out.size() + len > limit) bad("more pixel data than the header's width and height");
    for (size_t i = 0; i < len; ++i) out.push_back(out[out.size() - back]);
  }
}

void dynamic_tables(BitReader& in, Huffman& lit, Huffman& dist, const PngError& bad) {
  const int nlit = static_cast<int>(in.bits(5)) + 257, ndist = static_cast<int>(in.bits(5)) + 1;
  const int ncode = static_cast<int>(in.bits(4)) + 4;
  if (nlit > 286 || ndist > 30) bad("an invalid block header in the compressed pixel data");
  static constexpr int kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
  uint8_t lengths[320] = {};
  for (int i = 0; i < ncode; ++i) lengths[kOrder[i]] = static_cast<uint8_t>(in.bits(3));
  const Huffman lencode = huffman(lengths, 19, bad);
  int i = 0;
  while (i < nlit + ndist) {
    const int sym = decode(in, lencode, bad);
    if (sym < 16) {
      lengths[i++] = static_cast<uint8_t>(sym);
      continue;
    }
    uint8_t value = 0;
    int repeat = 0;
    if (sym == 16) {
      if (i == 0) bad("a repeated code length with none before it");
      value = lengths[i - 1], repeat = 3 + static_cast<int>(in.bits(2));
    } else if (sym == 17) {
      repeat = 3 + static_cast<int>(in.bits(3));
    } else {
      repeat = 11 + static_cast<int>(in.bits(7));
    }
    if (i + repeat > nlit + ndist) bad("too many code lengths in the compressed pixel data");
    while (repeat-- > 0) lengths[i++] = value;
  }
  if (lengths[256] == 0) bad("a block without an end code in the compressed pixel data");
  lit = huffman(lengths, nlit, bad);
  dist = huffman(lengths + nlit, ndist, bad);
}

// The zlib stream's data, at most `limit` bytes.
std::string inflate_zlib(const std::string& z, size_t limit, const PngError& bad) {
  if (z.size() < 6) bad("the compressed pixel data is too short");
  const uint8_t cmf = uint8_t(z[0]), flg = uint8_t(z[1]);
  if ((cmf & 15) != 8 || (cmf * 256 + flg) % 31 != 0 || (flg & 0x20))
    bad("the pixel data is not a zlib deflate stream");
  BitReader in(z, 2, bad);
  std::string out;
  out.reserve(limit);
  bool last = false;
  while (!last) {
    last = in.bit() == 1;
    const uint32_t type = in.bits(2);
    if (type == 0) {
      in.align();
      const uint32_t len = in.byte() | (uint32_t(in.byte()) << 8);
      const uint32_t nlen = in.byte() | (uint32_t(in.byte()) << 8);
      if ((len ^ 0xFFFFu) != nlen) bad("a stored block whose length check fails");
      if (out.size() + len > limit) bad("more pixel data than the header's width and height");
      for (uint32_t i = 0; i < len; ++i) out.push_back(static_cast<char>(in.byte()));
    } else if (type == 1) {
      static const auto fixed = [] {
        const PngError never("the fixed Huffman tables");  // valid lengths: never called
        uint8_t lengths[320];
        std::memset(lengths, 8, 144);
        std::memset(lengths + 144, 9, 112);
        std::memset(lengths + 256, 7, 24);
        std::memset(lengths + 280, 8, 8);
        std::memset(lengths + 288, 5, 30);
        return std::make_pair(huffman(lengths, 288, never), huffman(lengths + 288, 30, never));
      }();
      inflate_codes(in, fixed.first, fixed.second, out, limit, bad);
    } else if (type == 2) {
      Huffman lit, dist;
      dynamic_tables(in, lit, dist, bad);
      inflate_codes(in, lit, dist, out, limit, bad);
    } else {
      bad("an invalid block type in the compressed pixel data");
    }
  }
  in.align();
  if (in.at() + 4 > z.size()) bad("the compressed pixel data ends before its checksum");
  if (be32(z, in.at()) != adler32(out)) bad("the pixel data's Adler-32 checksum does not match");
  return out;
}

int paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
}

}  // namespace

bool is_png(const std::string& bytes) {
  return bytes.size() >= 8 && bytes.compare(0, 8, kSignature, 8) == 0;
}

PixelImage decode_png(const std::string& bytes, const std::string& path) {
  const PngError bad(path);
  if (!is_png(bytes)) bad("not a PNG file");
  int64_t width = 0, height = 0;
  int color = -1;
  std::string palette, idat;
  bool ended = false;
  for (size_t at = 8; !ended;) {
    if (at + 12 > bytes.size()) bad("the file ends inside a chunk (truncated)");
    const uint32_t len = be32(bytes, at);
    const std::string type = bytes.substr(at + 4, 4);
    if (len > bytes.size() - at - 12)
      bad("chunk '" + type + "' runs past the end of the file (truncated)");
    if (crc32(bytes.data() + at + 4, len + 4) != be32(bytes, at + 8 + len))
      bad("chunk '" + type + "' fails its CRC check (the file is damaged)");
    const std::string data = bytes.substr(at + 8, len);
    at += 12 + len;
    if (color < 0 && type != "IHDR") bad("the first chunk is '" + type + "', expected IHDR");
    if (type == "IHDR") {
      if (color >= 0) bad("a second IHDR chunk");
      if (len != 13) bad("an IHDR chunk of " + std::to_string(len) + " bytes, expected 13");
      width = be32(data, 0), height = be32(data, 4);
      const int depth = uint8_t(data[8]);
      color = uint8_t(data[9]);
      if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide)
        bad(std::to_string(width) + "x" + std::to_string(height) + " pixels, expected 1.." +
            std::to_string(kMaxSide) + " a side");
      if (depth != 8)
        bad("bit depth " + std::to_string(depth) + ", expected 8 bits per channel (save it as 8-bit)");
      if (color != 0 && color != 2 && color != 3 && color != 4 && color != 6)
        bad("colour type " + std::to_string(color) + " is not a PNG colour type");
      if (data[10] != 0 || data[11] != 0) bad("unknown compression or filter method");
      if (data[12] != 0) bad("an interlaced (Adam7) PNG; save it without interlacing");
    } else if (type == "PLTE") {
      palette = data;
    } else if (type == "IDAT") {
      idat += data;
    } else if (type == "IEND") {
      ended = true;
    } else if (std::isupper(static_cast<unsigned char>(type[0]))) {
      bad("an unknown critical chunk '" + type + "'");
    }  // ancillary chunks (gAMA, tEXt, ...) are skipped
  }
  const int file_channels = color == 0 ? 1 : color == 2 ? 3 : color == 3 ? 1 : color == 4 ? 2 : 4;
  if (color == 3 && (palette.empty() || palette.size() % 3 != 0))
    bad("a palette image without a valid PLTE chunk");
  const size_t stride = static_cast<size_t>(width) * static_cast<size_t>(file_channels);
  const size_t raw_size = static_cast<size_t>(height) * (stride + 1);
  const std::string raw = inflate_zlib(idat, raw_size, bad);
  if (raw.size() != raw_size)
    bad(std::to_string(raw.size()) + " bytes of pixel data, the header's " + std::to_string(width) +
        "x" + std::to_string(height) + " needs " + std::to_string(raw_size));

  // Undo the row filters (None, Sub, Up, Average, Paeth) on whole bytes.
  std::vector<uint8_t> prev(stride, 0), row(stride);
  PixelImage im;
  im.channels = (color == 0 || color == 4) ? 1 : 3;
  im.width = width, im.height = height;
  im.pixels.reserve(static_cast<size_t>(width * height * im.channels));
  const size_t bpp = static_cast<size_t>(file_channels);
  for (int64_t y = 0; y < height; ++y) {
    const char* line = raw.data() + static_cast<size_t>(y) * (stride + 1);
    const int filter = uint8_t(line[0]);
    if (filter > 4) bad("row " + std::to_string(y) + " has filter type " + std::to_string(filter));
    for (size_t i = 0; i < stride; ++i) {
      const int x = uint8_t(line[1 + i]);
      const int a = i >= bpp ? row[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      const int predicted = filter == 0 ? 0 : filter == 1 ? a : filter == 2 ? b
                          : filter == 3 ? (a + b) / 2 : paeth(a, b, c);
      row[i] = static_cast<uint8_t>(x + predicted);
    }
    for (int64_t px = 0; px < width; ++px) {
      const uint8_t* p = row.data() + px * file_channels;
      if (color == 3) {
        const size_t k = size_t{p[0]} * 3;
        if (k + 3 > palette.size())
          bad("palette index " + std::to_string(p[0]) + " beyond the " +
              std::to_string(palette.size() / 3) + " colours of PLTE");
        im.pixels.append(palette, k, 3);
      } else {
        for (int ch = 0; ch < im.channels; ++ch) im.pixels.push_back(static_cast<char>(p[ch]));
      }
    }
    std::swap(prev, row);
  }
  return im;
}

}  // namespace bitshift
