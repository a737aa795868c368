#include "data/prefetcher.h"

#include <ATen/Parallel.h>

#include <chrono>

#include "util/error.h"

namespace bitshift {

Prefetcher::Prefetcher(const Batcher& batcher, int64_t depth)
    : batcher_(batcher),
      depth_(std::max<int64_t>(1, depth)),
      threads_(at::get_num_threads()),
      thread_([this] { run(); }) {}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Prefetcher::run() {
  at::set_num_threads(threads_);  // else a new thread's OpenMP team has every core
  const int64_t n = batcher_.num_batches();
  for (int64_t i = 0; i < n; ++i) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return stop_ || static_cast<int64_t>(ready_.size()) < depth_; });
      if (stop_) return;
    }
    try {
      Batch b = batcher_.get(i);
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.push_back(std::move(b));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = std::current_exception();
      changed_.notify_all();
      return;
    }
    changed_.notify_all();
  }
}

Batch Prefetcher::next() {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  require(taken_ < batcher_.num_batches(), "Prefetcher::next() called after the last batch");
  changed_.wait(lock, [&] { return !ready_.empty() || error_; });
  waited_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (ready_.empty()) std::rethrow_exception(error_);
  Batch b = std::move(ready_.front());
  ready_.pop_front();
  ++taken_;
  lock.unlock();
  changed_.notify_all();
  return b;
}

}  // namespace bitshift
