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

void ExportJob::cancel() { thread_.cancel(); }

bool ExportJob::start(const studio::ExportRequest& request) {
  return thread_.start([this, request] {
    auto result = studio::run_export(request, [this](const studio::ExportProgress& p) {
      Q_EMIT progress(qs(p.stage), qs(p.detail), p.fraction);
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

bool ExportJob::running() const { return thread_.running(); }

void ExportJob::wait() { thread_.wait(); }

}  // namespace bitshift::app
