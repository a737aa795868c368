#include "export_job.h"

#include "convert.h"

namespace bitshift::app {

ExportJob::ExportJob(QObject* parent) : QObject(parent) {
  qRegisterMetaType<studio::ExportOutcome>();
}

ExportJob::~ExportJob() { wait(); }

bool ExportJob::start(const studio::ExportRequest& request) {
  if (running()) return false;
  if (thread_) {
    thread_->wait();
    delete thread_;
  }
  thread_ = QThread::create([this, request] {
    auto result = studio::run_export(request, [this](const std::string& s) { Q_EMIT stage(qs(s)); });
    if (result)
      Q_EMIT finished(result.value());
    else
      Q_EMIT failed(qs(result.error()));
  });
  thread_->setParent(this);
  thread_->start();
  return true;
}

bool ExportJob::running() const { return thread_ && thread_->isRunning(); }

void ExportJob::wait() {
  if (thread_) thread_->wait();
}

}  // namespace bitshift::app
