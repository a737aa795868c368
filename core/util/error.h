#pragma once
// Errors inside core/: one exception type whose message names the file, layer or value and
// what was expected. Public entry points turn it into a Result (see result.h).
#include <stdexcept>
#include <string>

namespace bitshift {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Error(message) when `condition` is false.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}

}  // namespace bitshift
