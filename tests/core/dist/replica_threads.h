#pragma once
// Replicas of a data-parallel run as threads of the test process: each thread joins a real
// c10d Gloo group over 127.0.0.1 (a TCPStore, real sockets), so collectives run for real
// without starting processes.
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "dist/gloo_replicas.h"

namespace bitshift::testing {

// Runs fn(replicas) on `world` threads, one replica each; rethrows the first replica's error.
inline void with_replicas(int world, const std::function<void(Replicas&)>& fn) {
  const int port = free_local_port();
  std::vector<std::exception_ptr> errors(world);
  std::vector<std::thread> threads;
  for (int r = 0; r < world; ++r)
    threads.emplace_back([&, r] {
      try {
        DistConfig c;
        c.world_size = world;
        c.rank = r;
        c.master_port = port;
        c.timeout_seconds = 30;
        auto replicas = join_replicas(c);
        fn(*replicas);
      } catch (...) {
        errors[r] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace bitshift::testing
