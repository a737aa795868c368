#pragma once
// The element count of a shape read from a file, bounded before anything is allocated.
#include <cstdint>
#include <string>
#include <vector>

#include "util/error.h"

namespace bitshift {

// Elements of a tensor of `dims`; throws Error starting with `what` for a negative dimension or
// when the nonzero dimensions multiply past `max_elements`. A zero dimension empties the
// tensor but not its strides, which LibTorch still computes: [0, 2^62, 2^62] must be refused
// too (its strides overflow, and LibTorch crashes).
inline int64_t checked_numel(const std::vector<int64_t>& dims, int64_t max_elements, const std::string& what) {
  int64_t nonzero = 1;
  bool empty = false;
  for (int64_t d : dims) {
    require(d >= 0, what + ": negative dimension " + std::to_string(d));
    if (d == 0) {
      empty = true;
      continue;
    }
    require(nonzero <= max_elements / d,
            what + ": dims would need more than " + std::to_string(max_elements) + " elements");
    nonzero *= d;
  }
  return empty ? 0 : nonzero;
}

}  // namespace bitshift
