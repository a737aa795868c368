#pragma once
// The export bundle's binary encodings, shared by the writer (Bitshift) and the reader (the
// bundle's standalone host program), so both sides use one definition: little-endian int32 and
// int64 arrays, and weight codes packed by bit-width (FORMAT.md, "weights.bin"). Std only.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bitshift {

// How a layer's weight codes are stored (device/weight_storage.h, shared with the kernels):
// w_bits <= 4: two per byte, element 0 in the low nibble
// ("int4": two's complement nibbles, "uint4": table indices); w_bits <= 8: one byte ("int8",
// "uint8"); wider: "int32" little-endian.
const char* weight_encoding(int w_bits, bool has_table);
size_t packed_weight_bytes(int64_t count, int w_bits);

// Packs codes; throws std::runtime_error naming the first code that does not fit
// ("weight code 9 at index 12 does not fit int4 [-8, 7]").
std::string pack_weight_codes(const std::vector<int32_t>& codes, int w_bits, bool has_table);
// Unpacks `count` codes from `bytes` (packed_weight_bytes(count, w_bits) of them).
std::vector<int32_t> unpack_weight_codes(const std::string& bytes, int64_t count, int w_bits,
                                         bool has_table);

// Little-endian arrays, independent of the host's byte order.
void append_le32(std::string& out, const std::vector<int32_t>& values);
void append_le64(std::string& out, const std::vector<int64_t>& values);
std::vector<int32_t> read_le32(const std::string& bytes, size_t offset, size_t count);
std::vector<int64_t> read_le64(const std::string& bytes, size_t offset, size_t count);

}  // namespace bitshift
