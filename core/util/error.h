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

// Runs `fn`; an Error whose message does not mention `name` is rethrown as
// "<kind> '<name>': <message>", so an error found deep inside (a layer's shape, a quantizer)
// still says which file it came from.
template <class Fn>
auto naming_file(const std::string& kind, const std::string& name, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.find(name) != std::string::npos) throw;
    throw Error(kind + " '" + name + "': " + what);
  }
}

}  // namespace bitshift
