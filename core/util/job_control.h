#pragma once
// Pause, resume and cancel of a long job from another thread (the studio's buttons, a signal
// handler). The job calls proceed() at its safe points, typically from its progress callback:
//   run_qat(model, data, config, [&](const QatSnapshot& s) { report(s); return control.proceed(); });
// proceed() blocks while the job is paused and returns false once it is cancelled, which is
// exactly what a ProgressFn returns to stop the work.
#include <condition_variable>
#include <mutex>

namespace bitshift {

class JobControl {
 public:
  void pause() {
    std::lock_guard<std::mutex> lock(mutex_);
    paused_ = true;
  }
  void resume() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      paused_ = false;
    }
    changed_.notify_all();
  }
  // Also wakes a paused job, so that it can stop.
  void cancel() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cancelled_ = true;
    }
    changed_.notify_all();
  }
  bool paused() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return paused_ && !cancelled_;
  }
  bool cancelled() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cancelled_;
  }
  // For the job: waits while paused; false when cancelled (now or while waiting).
  bool proceed() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return !paused_ || cancelled_; });
    return !cancelled_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool paused_ = false;
  bool cancelled_ = false;
};

}  // namespace bitshift
