#pragma once
// SHA-256 (FIPS 180-4), small and self-contained (std only): the export bundle's MANIFEST
// lists every file's digest, and the bundle's standalone host program checks them without
// any library beside OpenCL.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace bitshift {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t bytes);
  void update(const std::string& bytes) { update(bytes.data(), bytes.size()); }
  std::array<uint8_t, 32> digest();  // finishes; the object is spent afterwards
  std::string hex_digest();          // 64 lower-case hex digits

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buffer_;
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes seen
};

// The digest of `bytes` as 64 lower-case hex digits.
std::string sha256_hex(const std::string& bytes);

}  // namespace bitshift
