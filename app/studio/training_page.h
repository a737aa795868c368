#pragma once
// The training dashboard: Train / Pause / Cancel, progress with ETA and speed, and the live
// plots (loss and accuracy, every layer's clamp/step/threshold, error histograms).
#include <QElapsedTimer>
#include <QWidget>

#include "widgets/eta_estimate.h"
#include "widgets/studio_types.h"
#include "widgets/training_plots.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace bitshift::app {

class TrainingPage : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingPage(QWidget* parent = nullptr);

  widgets::TrainingPlots* plots() const { return plots_; }
  QPushButton* trainButton() const { return train_; }
  QPushButton* pauseButton() const { return pause_; }
  QPushButton* cancelButton() const { return cancel_; }
  QString statusText() const;

  void started(const QString& label, const QStringList& layers,
               const QStringList& activation_only = {});
  void setRunning(bool running, bool paused);
  void showTick(const widgets::TrainingTick& tick);
  void showMessage(const QString& text);  // the end of a run, or why it failed

 private:
  widgets::TrainingPlots* plots_;
  QPushButton* train_;
  QPushButton* pause_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* status_;
  QString label_;
  QString last_text_;    // the last report's line (shown again after a pause)
  QElapsedTimer clock_;  // since Train was pressed: calibration counts as elapsed time
  qint64 paused_ms_ = 0, paused_at_ms_ = -1;
  bool paused_ = false;
  widgets::EtaEstimate eta_;
};

// "1:05" / "1:02:03".
QString format_duration(double seconds);

}  // namespace bitshift::app
