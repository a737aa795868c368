#pragma once
// Writing files so that nothing is ever left half-written: data goes to a temporary name in the
// same folder, then is renamed over the target in one step.
#include <cstdint>
#include <string>

namespace bitshift {

// Files read whole are refused beyond this many bytes before anything is allocated (a sparse
// or endless file is not read into memory); callers reading small formats pass less.
constexpr uint64_t kMaxFileBytes = 4ULL << 30;
// JSON documents (run records, plans): far above any real one.
constexpr uint64_t kMaxJsonFileBytes = 256ULL << 20;

// Throws Error naming `path` when a file could not be written there later (its folder missing
// or not writable, or `path` a folder): checked before long work, so that a typo costs seconds,
// not a night of training.
void require_writable(const std::string& path);

// Writes `bytes` to `path` atomically; throws Error naming the path on failure.
void write_file_atomic(const std::string& path, const std::string& bytes);

// Reads a whole regular file of at most `max_bytes`; throws Error naming the path if it cannot
// be opened, is not a regular file (a FIFO would block, a device never end) or is larger.
std::string read_file(const std::string& path, uint64_t max_bytes = kMaxFileBytes);

}  // namespace bitshift
