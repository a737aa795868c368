#pragma once
// What the benchmark programs share: wall time since a point and the process's peak memory.
#include <sys/resource.h>

#include <chrono>

namespace bitshift::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

inline double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;  // Linux reports KiB
}

}  // namespace bitshift::bench
