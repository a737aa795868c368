#include "codec.h"

#include <stdexcept>

namespace bitshift {

namespace {

struct CodeRange {
  int64_t lo, hi;
};

CodeRange code_range(int w_bits, bool has_table) {
  const int bits = w_bits <= 4 ? 4 : (w_bits <= 8 ? 8 : 32);
  if (has_table) return {0, bits == 32 ? INT32_MAX : (int64_t{1} << bits) - 1};
  return {-(int64_t{1} << (bits - 1)), (int64_t{1} << (bits - 1)) - 1};
}

}  // namespace

const char* weight_encoding(int w_bits, bool has_table) {
  if (w_bits <= 4) return has_table ? "uint4" : "int4";
  if (w_bits <= 8) return has_table ? "uint8" : "int8";
  return "int32";
}

size_t packed_weight_bytes(int64_t count, int w_bits) {
  const size_t n = static_cast<size_t>(count);
  if (w_bits <= 4) return (n + 1) / 2;
  if (w_bits <= 8) return n;
  return 4 * n;
}

std::string pack_weight_codes(const std::vector<int32_t>& codes, int w_bits, bool has_table) {
  if (w_bits < 1 || w_bits > 32)
    throw std::runtime_error("w_bits " + std::to_string(w_bits) + " is not in 1..32");
  const CodeRange r = code_range(w_bits, has_table);
  for (size_t i = 0; i < codes.size(); ++i)
    if (codes[i] < r.lo || codes[i] > r.hi)
      throw std::runtime_error("weight code " + std::to_string(codes[i]) + " at index " +
                               std::to_string(i) + " does not fit " +
                               weight_encoding(w_bits, has_table) + " [" + std::to_string(r.lo) +
                               ", " + std::to_string(r.hi) + "]");
  std::string out;
  if (w_bits <= 4) {
    out.assign(packed_weight_bytes(static_cast<int64_t>(codes.size()), w_bits), '\0');
    for (size_t i = 0; i < codes.size(); ++i) {
      const unsigned nibble = static_cast<unsigned>(codes[i]) & 0xFu;
      out[i / 2] = static_cast<char>(static_cast<unsigned char>(out[i / 2]) |
                                     (i % 2 == 0 ? nibble : nibble << 4));
    }
  } else if (w_bits <= 8) {
    for (int32_t c : codes) out += static_cast<char>(static_cast<uint8_t>(c));
  } else {
    append_le32(out, codes);
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
  std::vector<int32_t> codes(n);
  if (w_bits <= 4) {
    for (size_t i = 0; i < n; ++i) {
      const unsigned b = static_cast<unsigned char>(bytes[i / 2]);
      const int32_t nibble = static_cast<int32_t>(i % 2 == 0 ? b & 0xFu : b >> 4);
      codes[i] = (!has_table && nibble >= 8) ? nibble - 16 : nibble;  // sign-extend
    }
  } else if (w_bits <= 8) {
    for (size_t i = 0; i < n; ++i) {
      const uint8_t b = static_cast<uint8_t>(bytes[i]);
      codes[i] = has_table ? int32_t{b} : int32_t{static_cast<int8_t>(b)};
    }
  } else {
    codes = read_le32(bytes, 0, n);
  }
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
