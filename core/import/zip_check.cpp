#include "import/zip_check.h"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift {

namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50, kDirectoryEntry = 0x02014b50, kLocalHeader = 0x04034b50;
constexpr uint32_t kZip64 = 0xffffffffu;  // a size or offset kept in the zip64 extra field
// A compressed entry of a TorchScript archive is code or a small pickle (tensors are stored
// uncompressed); more than this inflated is a damaged size or a zip bomb.
constexpr uint64_t kMaxInflatedBytes = uint64_t{1} << 28;

uint32_t u32(const std::string& b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);  // little-endian, as zip is and every machine we run on
  return v;
}
uint16_t u16(const std::string& b, size_t at) {
  uint16_t v;
  std::memcpy(&v, b.data() + at, 2);
  return v;
}

// CRC-32 of an entry's data: stored as is, or raw deflate inflated into `size` bytes.
uint32_t entry_crc(const std::string& b, size_t at, uint64_t packed, uint64_t size, int method,
                   const std::string& where) {
  if (method == 0) {
    require(packed == size, where + ": stored with " + std::to_string(packed) + " bytes but recorded as " +
                                std::to_string(size));
    return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(b.data() + at), static_cast<uInt>(packed)));
  }
  require(method == 8, where + ": compression method " + std::to_string(method) + " (expected stored or deflate)");
  require(size <= kMaxInflatedBytes, where + ": " + std::to_string(size) + " bytes once inflated, more than the " +
                                         std::to_string(kMaxInflatedBytes >> 20) + " MiB a compressed entry may hold");
  std::vector<Bytef> out(size + 1);  // one spare byte: more output than recorded is damage too
  z_stream z{};
  require(inflateInit2(&z, -MAX_WBITS) == Z_OK, where + ": cannot start zlib");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(b.data() + at));
  z.avail_in = static_cast<uInt>(packed);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const uint64_t produced = z.total_out;
  inflateEnd(&z);
  require(rc == Z_STREAM_END && produced == size, where + ": its compressed data is damaged");
  return static_cast<uint32_t>(crc32(0L, out.data(), static_cast<uInt>(size)));
}

}  // namespace

void check_zip_entries(const std::string& path, const std::string& where) {
  const std::string b = read_file(path);
  // The end-of-directory record: in the last 22 + 65,535 (comment) bytes.
  size_t eocd = std::string::npos;
  if (b.size() >= 22) {
    const size_t lowest = b.size() - 22 > 65535 ? b.size() - 22 - 65535 : 0;
    for (size_t i = b.size() - 22 + 1; i-- > lowest;)
      if (u32(b, i) == kEndOfDirectory) {
        eocd = i;
        break;
      }
  }
  require(eocd != std::string::npos, where + ": not a zip archive (no end-of-directory record)");
  const uint64_t entries = u16(b, eocd + 10), dir_offset = u32(b, eocd + 16);
  if (dir_offset == kZip64) return;  // a zip64 archive (over 4 GiB): left to LibTorch
  size_t at = dir_offset;
  for (uint64_t e = 0; e < entries; ++e) {
    require(at + 46 <= b.size() && u32(b, at) == kDirectoryEntry,
            where + ": its zip directory is damaged (entry " + std::to_string(e) + ")");
    const int method = u16(b, at + 10);
    const uint32_t crc = u32(b, at + 16), packed = u32(b, at + 20), size = u32(b, at + 24);
    const size_t name_len = u16(b, at + 28), extra_len = u16(b, at + 30), comment_len = u16(b, at + 32);
    const uint32_t local = u32(b, at + 42);
    require(at + 46 + name_len <= b.size(), where + ": its zip directory is damaged");
    const std::string name = b.substr(at + 46, name_len);
    const std::string entry = where + ": entry '" + name + "'";
    at += 46 + name_len + extra_len + comment_len;
    if (packed == kZip64 || size == kZip64 || local == kZip64) continue;
    require(uint64_t{local} + 30 <= b.size() && u32(b, local) == kLocalHeader, entry + " is outside the file");
    const uint64_t data = uint64_t{local} + 30 + u16(b, local + 26) + u16(b, local + 28);
    require(data <= b.size() && packed <= b.size() - data, entry + " is outside the file");
    // Its recorded size bounds the inflated data; a damaged size cannot exceed 4 GiB, and a
    // real entry cannot expand more than 1032:1 (deflate's limit).
    require(uint64_t{size} <= uint64_t{packed} * 1032 + 64, entry + ": recorded size " + std::to_string(size) +
                                                                " is more than its data can inflate to");
    const uint32_t actual = entry_crc(b, data, packed, size, method, entry);
    require(actual == crc, entry + " is damaged (CRC-32 " + std::to_string(actual) + ", the archive records " +
                               std::to_string(crc) + ")");
  }
}

}  // namespace bitshift
