#include "sensitivity_job.h"

#include "convert.h"

namespace bitshift::app {

SensitivityJob::SensitivityJob(QObject* parent) : QObject(parent) {
  qRegisterMetaType<studio::EngineSensitivity>();
}

SensitivityJob::~SensitivityJob() {
  cancel();
  wait();
}

void SensitivityJob::cancel() { cancel_ = true; }

bool SensitivityJob::start(std::shared_ptr<studio::PlanningModel> model, const QString& method) {
  if (running() || !model) return false;
  if (thread_) {
    thread_->wait();
    delete thread_;
  }
  cancel_ = false;
  thread_ = QThread::create([this, model, method = ss(method)] {
    auto result = model->sensitivity(method, [this](int done, int total) {
      Q_EMIT progress(done, total);
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

bool SensitivityJob::running() const { return thread_ && thread_->isRunning(); }

void SensitivityJob::wait() {
  if (thread_) thread_->wait();
}

}  // namespace bitshift::app
