#pragma once
// What the bundle round trip and the read-back tests compare of two lowered layers' requantization.
#include <gtest/gtest.h>

#include "integer/integer_model.h"

namespace bitshift::testing {

inline void expect_same_requant(const Requant& x, const Requant& y) {
  EXPECT_EQ(x.requantized, y.requantized);
  EXPECT_EQ(x.m, y.m);
  EXPECT_EQ(x.m2, y.m2);
  EXPECT_EQ(x.shift, y.shift);
  EXPECT_EQ(x.offset, y.offset);
  EXPECT_EQ(x.lo, y.lo);
  EXPECT_EQ(x.hi, y.hi);
}

}  // namespace bitshift::testing
