#include "export_job.h"

#include "convert.h"

namespace bitshift::app {

ExportJob::ExportJob(QObject* parent) : QObject(parent) {
  qRegisterMetaType<studio::ExportOutcome>();
}

ExportJob::~ExportJob() {
  cancel();
  wait();
}

void ExportJob::cancel() { cancel_ = true; }

bool ExportJob::start(const studio::ExportRequest& request) {
  if (running()) return false;
  if (thread_) {
    thread_->wait();
    delete thread_;
  }
  cancel_ = false;
  thread_ = QThread::create([this, request] {
    auto result = studio::run_export(request, [this](const studio::ExportProgress& p) {
      Q_EMIT progress(qs(p.stage), qs(p.detail), p.fraction);
      return !cancel_;
    });
    if (result)
      Q_EMIT finished(result.value());
    else if (cancel_)
      Q_EMIT cancelled();
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
