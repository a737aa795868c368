#include "codec.h"

#include <stdexcept>

#include "../device/weight_storage.h"

namespace bitshift {

namespace {

struct CodeRange {
  int64_t lo, hi;
};

CodeRange code_range(int w_bits, bool has_table) {
  const int bits = BS_WEIGHT_FORMAT(w_bits);  // 4, 8 or 32
  if (has_table) return {0, bits == 32 ? INT32_MAX : (int64_t{1} << bits) - 1};
  return {-(int64_t{1} << (bits - 1)), (int64_t{1} << (bits - 1)) - 1};
}

}  // namespace

const char* weight_encoding(int w_bits, bool has_table) {
  switch (BS_WEIGHT_FORMAT(w_bits)) {
    case BS_WEIGHTS_PACKED4: return has_table ? "uint4" : "int4";
    case BS_WEIGHTS_INT8: return has_table ? "uint8" : "int8";
    default: return "int32";
  }
}

size_t packed_weight_bytes(int64_t count, int w_bits) {
  return static_cast<size_t>(BS_WEIGHT_BYTES(BS_WEIGHT_FORMAT(w_bits), count));
}

std::string pack_weight_codes(const std::vector<int32_t>& codes, int w_bits, bool has_table) {
  if (w_bits < 1 || w_bits > 32)
    throw std::runtime_error("w_bits " + std::to_string(w_bits) + " is not in 1..32");
  const CodeRange r = code_range(w_bits, has_table);
  const int format = BS_WEIGHT_FORMAT(w_bits);
  std::string out(packed_weight_bytes(static_cast<int64_t>(codes.size()), w_bits), '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(&out[0]);
  for (size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] < r.lo || codes[i] > r.hi)
      throw std::runtime_error("weight code " + std::to_string(codes[i]) + " at index " +
                               std::to_string(i) + " does not fit " +
                               weight_encoding(w_bits, has_table) + " [" + std::to_string(r.lo) +
                               ", " + std::to_string(r.hi) + "]");
    const auto bits = static_cast<uint32_t>(codes[i]);
    if (format == BS_WEIGHTS_PACKED4)
      bytes[i / 2] |= static_cast<unsigned char>((bits & 0xFu) << (i % 2 == 0 ? 0 : 4));
    else if (format == BS_WEIGHTS_INT8)
      bytes[i] = static_cast<unsigned char>(bits);
    else
      for (size_t b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<unsigned char>(bits >> (8 * b));
  }
  return out;
}

std::vector<int32_t> unpack_weight_codes(const std::string& bytes, int64_t count, int w_bits,
                                         bool has_table) {
  const size_t n = static_cast<size_t>(count);
  if (bytes.size() < packed_weight_bytes(count, w_bits))
    throw std::runtime_error(std::to_string(bytes.size()) + " bytes hold fewer than " +
                             std::to_string(count) + " " + weight_encoding(w_bits, has_table) +
                             " codes");
  const int format = BS_WEIGHT_FORMAT(w_bits);
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  std::vector<int32_t> codes(n);
  for (size_t i = 0; i < n; ++i)
    codes[i] = BS_WEIGHT_CODE(BS_WEIGHT_BITS(b, format, i), format, has_table);
  return codes;
}

void append_le32(std::string& out, const std::vector<int32_t>& values) {
  for (int32_t v : values) {
    const uint32_t u = static_cast<uint32_t>(v);
    for (int b = 0; b < 4; ++b) out += static_cast<char>((u >> (8 * b)) & 0xFFu);
  }
}

void append_le64(std::string& out, const std::vector<int64_t>& values) {
  for (int64_t v : values) {
    const uint64_t u = static_cast<uint64_t>(v);
    for (int b = 0; b < 8; ++b) out += static_cast<char>((u >> (8 * b)) & 0xFFu);
  }
}

std::vector<int32_t> read_le32(const std::string& bytes, size_t offset, size_t count) {
  if (offset > bytes.size() || (bytes.size() - offset) / 4 < count)
    throw std::runtime_error("reading " + std::to_string(count) + " int32 at byte " +
                             std::to_string(offset) + " runs past the end (" +
                             std::to_string(bytes.size()) + " bytes)");
  std::vector<int32_t> v(count);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data()) + offset;
  for (size_t i = 0; i < count; ++i, p += 4)
    v[i] = static_cast<int32_t>(uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
                                uint32_t{p[3]} << 24);
  return v;
}

std::vector<int64_t> read_le64(const std::string& bytes, size_t offset, size_t count) {
  if (offset > bytes.size() || (bytes.size() - offset) / 8 < count)
    throw std::runtime_error("reading " + std::to_string(count) + " int64 at byte " +
                             std::to_string(offset) + " runs past the end (" +
                             std::to_string(bytes.size()) + " bytes)");
  std::vector<int64_t> v(count);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data()) + offset;
  for (size_t i = 0; i < count; ++i, p += 8) {
    uint64_t u = 0;
    for (int b = 7; b >= 0; --b) u = u << 8 | p[b];
    v[i] = static_cast<int64_t>(u);
  }
  return v;
}

}  // namespace bitshift
