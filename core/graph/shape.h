#pragma once
// The shape of one sample flowing between graph nodes (batch dimension excluded).
#include <cstdint>
#include <string>

namespace bitshift {

struct Shape {
  int64_t c = 0;
  int64_t h = 1;
  int64_t w = 1;
  bool flat = false;  // a feature vector [C] (after Flatten or global pooling), not a C×H×W map

  int64_t numel() const { return c * h * w; }
  bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w && flat == o.flat; }
  bool operator!=(const Shape& o) const { return !(*this == o); }
  std::string str() const {
    return flat ? std::to_string(c)
                : std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
  }
};

}  // namespace bitshift
