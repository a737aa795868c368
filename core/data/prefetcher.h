#pragma once
// Makes one epoch's batches on a background thread, a few ahead of the consumer, so that
// decoding and augmenting images overlap the training step. Batches come out in order and are
// the same as Batcher::get's (they are deterministic in seed, epoch and index).
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "data/batcher.h"

namespace bitshift {

class Prefetcher {
 public:
  // Starts making batches 0 .. batcher.num_batches()-1 of the batcher's current epoch; the
  // batcher must outlive the prefetcher and not start another epoch meanwhile.
  explicit Prefetcher(const Batcher& batcher, int64_t depth = 2);
  ~Prefetcher();  // stops the thread (the batch being made is finished first)
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The next batch, waiting for it if needed; rethrows what making it threw.
  Batch next();
  // Seconds next() spent waiting: how long training waited on data.
  double waited_seconds() const { return waited_; }

 private:
  void run();

  const Batcher& batcher_;
  const int64_t depth_;
  const int
      threads_;  // LibTorch's intra-op threads of the creating thread (OpenMP's are per thread)
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;
  std::exception_ptr error_;
  bool stop_ = false;
  int64_t taken_ = 0;
  double waited_ = 0.0;
  std::thread thread_;  // last: started once the rest is initialised
};

}  // namespace bitshift
