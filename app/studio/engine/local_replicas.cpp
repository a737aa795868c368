#include "engine/local_replicas.h"

#include <signal.h>

#include <cstdio>
#include <thread>

#include "dist/gloo_replicas.h"
#include "dist/replica_processes.h"
#include "engine/studio_engine.h"
#include "util/error.h"

namespace bitshift::studio {

namespace {

constexpr int kMeetSeconds = 300;        // helpers load the model and data first
constexpr int kPauseSeconds = 7 * 86400;  // a paused run keeps its helpers waiting this long
constexpr int kFinishSeconds = 30;       // after the run, before helpers are stopped

std::string number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", x);
  return text;
}

}  // namespace

LocalReplicas::LocalReplicas(const TrainRequest& r, const std::string& plan_file, const std::string& augment) {
  const int n = r.processes;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads_ = std::max(1, cores / n);
  DistConfig c;
  c.world_size = n;
  c.rank = 0;
  c.master_port = free_local_port();
  c.timeout_seconds = kPauseSeconds;
  c.rendezvous_timeout_seconds = kMeetSeconds;
  const std::string cli = find_cli();
  for (int rank = 1; rank < n; ++rank)
    helpers_.push_back(start_replica_process(
        {cli, "quantize", "--model", r.model, "--data", r.data, "--plan", plan_file,
         "--epochs", std::to_string(r.epochs), "--lr", number(r.lr),
         "--train-limit", std::to_string(r.train_limit), "--test-limit", std::to_string(r.test_limit),
         "--seed", std::to_string(r.seed), "--augment", augment, "--threads", std::to_string(threads_),
         "--world-size", std::to_string(n), "--rank", std::to_string(rank),
         "--master", "127.0.0.1:" + std::to_string(c.master_port),
         "--dist-timeout", std::to_string(kPauseSeconds), "--out", plan_file + ".replica.bsck"},
        /*quiet=*/true));
  try {
    group_ = join_replicas(c);
  } catch (...) {
    for (pid_t p : helpers_) ::kill(p, SIGKILL);
    throw;
  }
}

LocalReplicas::~LocalReplicas() {
  group_.reset();  // closes the connections: helpers still in a collective fail at once
  stop_replicas(helpers_, kFinishSeconds);
}

}  // namespace bitshift::studio
