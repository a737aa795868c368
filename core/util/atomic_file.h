#pragma once
// Writing files so that nothing is ever left half-written: data goes to a temporary name in the
// same folder, then is renamed over the target in one step.
#include <string>

namespace bitshift {

// Writes `bytes` to `path` atomically; throws Error naming the path on failure.
void write_file_atomic(const std::string& path, const std::string& bytes);

// Reads a whole file; throws Error naming the path if it cannot be opened.
std::string read_file(const std::string& path);

}  // namespace bitshift
