#include "job_thread.h"

namespace bitshift::app {

JobThread::~JobThread() {
  cancel();
  wait();
}

bool JobThread::start(std::function<void()> work) {
  if (running()) return false;
  if (thread_) {
    thread_->wait();
    delete thread_;
  }
  cancel_ = false;
  thread_ = QThread::create(std::move(work));
  thread_->setParent(owner_);
  thread_->start();
  return true;
}

void JobThread::wait() {
  if (thread_) thread_->wait();
}

}  // namespace bitshift::app
