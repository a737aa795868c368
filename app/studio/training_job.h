#pragma once
// The QAT job adapter: runs studio::run_training on its own thread and turns its reports into
// signals carrying plain values (TrainingTick, RunRow). Pause, resume and cancel are safe from
// the GUI thread; the destructor cancels and waits, so closing the window never leaves the
// thread running.
#include <QObject>
#include <QThread>
#include <memory>

#include "engine/studio_engine.h"
#include "widgets/studio_types.h"

namespace bitshift::app {

class TrainingJob : public QObject {
  Q_OBJECT
 public:
  explicit TrainingJob(QObject* parent = nullptr);
  ~TrainingJob() override;

  // Starts `request` (its plan rows become the RunRow's plan); false while a run is going.
  bool start(const studio::TrainRequest& request);
  void pause();
  void resume();
  void cancel();
  // Cancels and blocks until the thread has ended.
  void stop();
  bool running() const;
  bool paused() const;

 Q_SIGNALS:
  void ticked(const bitshift::widgets::TrainingTick& tick);
  void finishedRun(const bitshift::widgets::RunRow& run);
  // `checkpoint`: the last finished epoch's (empty when none finished).
  void cancelled(int epochs_done, const QString& checkpoint);
  void failed(const QString& message);
  void stateChanged();  // started, paused, resumed, ended

 private:
  std::unique_ptr<JobControl> control_;
  QThread* thread_ = nullptr;
};

}  // namespace bitshift::app
