#pragma once
// Helpers every core test folder shares.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "util/error.h"

namespace bitshift::testing {

// The message of the bitshift::Error that `fn` throws, or "" when it throws none.
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace bitshift::testing

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "message: " << (text)
