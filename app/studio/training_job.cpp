#include "training_job.h"

#include <QFileInfo>

#include "convert.h"

namespace bitshift::app {

TrainingJob::TrainingJob(QObject* parent) : QObject(parent) {
  qRegisterMetaType<widgets::TrainingTick>();
  qRegisterMetaType<widgets::RunRow>();
}

TrainingJob::~TrainingJob() { stop(); }

bool TrainingJob::start(const studio::TrainRequest& request) {
  if (running()) return false;
  if (thread_) {
    thread_->wait();
    delete thread_;
  }
  control_ = std::make_unique<JobControl>();
  JobControl* control = control_.get();
  // Runs on the worker thread; signals of this object (which lives in the GUI thread) are
  // queued to it. No exception leaves: run_training returns failures as values.
  thread_ = QThread::create([this, request, control] {
    auto result = studio::run_training(request, *control, [this](const studio::TrainReport& r) {
      Q_EMIT ticked(to_tick(r));
    });
    if (!result) {
      Q_EMIT failed(qs(result.error()));
    } else if (result->cancelled) {
      Q_EMIT cancelled(result->epochs_done, qs(result->checkpoint));
    } else {
      widgets::RunRow run;
      run.model = qs(request.model);
      run.data = qs(request.data);
      run.method = qs(request.plan.front().method);
      run.preset = qs(request.label).section(QLatin1Char(' '), 1);  // "w4a4" of "nice w4a4"
      const QFileInfo file(run.model);  // a model file is named by its file name
      run.name = QStringLiteral("%1 %2").arg(file.isFile() ? file.fileName() : run.model,
                                             qs(request.label));
      run.top1 = result->top1;
      run.top5 = result->top5;
      run.fp32_top1 = result->fp32_top1;
      run.bops = result->bops;
      run.fp32_bops = result->fp32_bops;
      run.weight_bits = result->weight_bits;
      run.wall_seconds = result->wall_seconds;
      run.checkpoint = qs(result->checkpoint);
      run.started_at = qs(result->started_at);
      for (const auto& l : request.plan) run.plan.push_back(to_row(l));
      Q_EMIT finishedRun(run);
    }
  });
  thread_->setParent(this);
  connect(thread_, &QThread::finished, this, &TrainingJob::stateChanged);
  thread_->start();
  Q_EMIT stateChanged();
  return true;
}

void TrainingJob::pause() {
  if (!running()) return;
  control_->pause();
  Q_EMIT stateChanged();
}

void TrainingJob::resume() {
  if (!control_) return;
  control_->resume();
  Q_EMIT stateChanged();
}

void TrainingJob::cancel() {
  if (control_) control_->cancel();
}

void TrainingJob::stop() {
  cancel();
  if (thread_) thread_->wait();
}

bool TrainingJob::running() const { return thread_ && thread_->isRunning(); }

bool TrainingJob::paused() const { return running() && control_->paused(); }

}  // namespace bitshift::app
