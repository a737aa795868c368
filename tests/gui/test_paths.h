#pragma once
// Where the studio tests write and find their files, and how long they wait for the studio.
#include <QLatin1String>
#include <QString>

namespace bitshift::test {

constexpr int kOpenTimeoutMs = 60'000;       // opening (importing) a model file
constexpr int kTrainingTimeoutMs = 240'000;  // a short training run to its end

inline QString tmp(const char* name) { return QStringLiteral(BITSHIFT_TEST_TMP "/") + name; }

// A model file written by the real exporters (tests/core/import/make_fixtures.py).
inline QString fixture(const char* file) {
  return QStringLiteral(BITSHIFT_IMPORT_FIXTURES "/") + QLatin1String(file);
}

}  // namespace bitshift::test
