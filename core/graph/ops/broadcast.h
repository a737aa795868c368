#pragma once
// NumPy broadcasting of two sample shapes, as Add and Mul take them: each of C, H, W equal or
// 1 on one side (a squeeze-excitation gate C×1×1 times a C×H×W map).
#include <string>

#include "graph/shape.h"
#include "util/error.h"

namespace bitshift {

inline Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& where) {
  auto dim = [&](int64_t x, int64_t y) {
    require(x == y || x == 1 || y == 1,
            where + ": shapes " + a.str() + " and " + b.str() + " do not broadcast");
    return std::max(x, y);
  };
  require(a.flat == b.flat, where + ": cannot combine a flat vector with a CxHxW map (" + a.str() +
                                " and " + b.str() + ")");
  return Shape{dim(a.c, b.c), dim(a.h, b.h), dim(a.w, b.w), a.flat};
}

}  // namespace bitshift
