#pragma once
// Result<T>: a value or a readable error message. Every public long operation of core/
// returns one, so callers (CLI, GUI adapters) never need to catch.
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "util/error.h"

namespace bitshift {

template <class T>
class Result {
 public:
  static Result success(T value) { return Result(std::move(value), {}); }
  static Result failure(std::string message) { return Result(std::nullopt, std::move(message)); }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const std::string& error() const { return error_; }
  T& value() {
    require(ok(), "Result::value() on a failure: " + error_);
    return *value_;
  }
  const T& value() const {
    require(ok(), "Result::value() on a failure: " + error_);
    return *value_;
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Result(std::optional<T> v, std::string e) : value_(std::move(v)), error_(std::move(e)) {}
  std::optional<T> value_;
  std::string error_;
};

// Runs `fn` and turns any exception into a failure; the boundary between throwing internals
// and the public API.
template <class Fn>
auto capture(Fn&& fn) -> Result<decltype(fn())> {
  using T = decltype(fn());
  try {
    return Result<T>::success(fn());
  } catch (const std::exception& e) {
    return Result<T>::failure(e.what());
  }
}

}  // namespace bitshift
