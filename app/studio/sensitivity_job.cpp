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

void SensitivityJob::cancel() { thread_.cancel(); }

bool SensitivityJob::start(std::shared_ptr<studio::PlanningModel> model, const QString& method) {
  if (!model) return false;
  return thread_.start([this, model, method = ss(method)] {
    auto result = model->sensitivity(method, [this](int done, int total) {
      Q_EMIT progress(done, total);
      return !thread_.cancelled();
    });
    if (result)
      Q_EMIT finished(result.value());
    else if (thread_.cancelled())
      Q_EMIT cancelled();
    else
      Q_EMIT failed(qs(result.error()));
  });
}

bool SensitivityJob::running() const { return thread_.running(); }

void SensitivityJob::wait() { thread_.wait(); }

}  // namespace bitshift::app
