#pragma once
// The worker thread a job adapter runs its engine call on: started with a function, asked to
// stop through a flag the function polls, waited for before the adapter goes away (its owner
// calls cancel() and wait() first thing in its destructor, while its signals still exist).
#include <QThread>
#include <atomic>
#include <functional>

namespace bitshift::app {

class JobThread {
 public:
  explicit JobThread(QObject* owner) : owner_(owner) {}
  ~JobThread();
  JobThread(const JobThread&) = delete;
  JobThread& operator=(const JobThread&) = delete;

  // Runs `work` on a new thread with the cancel flag cleared; false while the last one runs.
  bool start(std::function<void()> work);
  bool running() const { return thread_ && thread_->isRunning(); }
  void cancel() { cancel_ = true; }
  bool cancelled() const { return cancel_; }
  void wait();

 private:
  QObject* owner_;
  QThread* thread_ = nullptr;
  std::atomic<bool> cancel_{false};
};

}  // namespace bitshift::app
