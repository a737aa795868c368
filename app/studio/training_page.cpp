#include "training_page.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace bitshift::app {

QString format_duration(double seconds) {
  const qint64 s = static_cast<qint64>(seconds + 0.5);
  if (s >= 3600)
    return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

TrainingPage::TrainingPage(QWidget* parent) : QWidget(parent) {
  train_ = new QPushButton(tr("Train"), this);
  train_->setToolTip(tr("Fine-tune the model with the plan (Ctrl+T)"));
  pause_ = new QPushButton(tr("Pause"), this);
  pause_->setToolTip(tr("Pause or resume the running fine-tuning (Ctrl+P)"));
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setToolTip(tr("Stop the run; the last finished epoch's checkpoint stays (Esc)"));
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setTextVisible(true);
  progress_->setFormat(QStringLiteral("%p%"));
  status_ = new QLabel(tr("Press Train to fine-tune the model with the plan."), this);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  plots_ = new widgets::TrainingPlots(this);

  auto* bar = new QHBoxLayout;
  bar->addWidget(train_);
  bar->addWidget(pause_);
  bar->addWidget(cancel_);
  bar->addWidget(progress_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(status_);
  layout->addWidget(plots_, 1);
  setRunning(false, false);
}

QString TrainingPage::statusText() const { return status_->text(); }

void TrainingPage::started(const QString& label, const QStringList& layers,
                           const QStringList& activation_only) {
  label_ = label;
  plots_->startRun(layers, activation_only);
  progress_->setValue(0);
  clock_.start();
  paused_ms_ = 0;
  paused_at_ms_ = -1;
  eta_.reset();
  last_text_ = tr("%1: loading the model and data, calibrating…").arg(label);
  status_->setText(last_text_);
}

void TrainingPage::setRunning(bool running, bool paused) {
  train_->setEnabled(!running);
  pause_->setEnabled(running);
  cancel_->setEnabled(running);
  pause_->setText(paused ? tr("Resume") : tr("Pause"));
  paused = paused && running;
  if (paused == paused_) return;
  paused_ = paused;
  // Paused time is neither elapsed time nor steps: the ETA's interval starts again on resume.
  if (paused) {
    paused_at_ms_ = clock_.isValid() ? clock_.elapsed() : -1;
    status_->setText(tr("Paused — %1").arg(last_text_));
    progress_->setFormat(tr("Paused at %p%"));
  } else {
    if (paused_at_ms_ >= 0) paused_ms_ += clock_.elapsed() - paused_at_ms_;
    paused_at_ms_ = -1;
    eta_.restart();
    if (running) status_->setText(last_text_);  // (an ended run keeps its closing message)
    progress_->setFormat(QStringLiteral("%p%"));
  }
}

void TrainingPage::showTick(const widgets::TrainingTick& t) {
  plots_->appendTicks({t});
  if (t.steps_total > 0)
    progress_->setValue(static_cast<int>(1000 * t.step / t.steps_total));
  QString text = tr("%1 — epoch %2/%3, step %4/%5").arg(label_).arg(t.epoch + 1).arg(t.epochs)
                     .arg(t.step).arg(t.steps_total);
  if (t.num_stages > 0)
    text += t.stage < t.num_stages ? tr(", gradual stage %1/%2").arg(t.stage + 1).arg(t.num_stages)
                                   : tr(", all layers quantized");
  if (t.has_train) text += tr(", loss %1, train top-1 %2 %").arg(t.loss, 0, 'f', 4).arg(t.train_top1, 0, 'f', 2);
  if (t.has_test) text += tr(", test top-1 %1 %").arg(t.test_top1, 0, 'f', 2);
  // Elapsed from pressing Train (calibration included, pauses not); the ETA from a smoothed
  // step rate, steady under load.
  const double elapsed = clock_.isValid() ? (clock_.elapsed() - paused_ms_) / 1000.0 : t.elapsed_seconds;
  if (t.has_train) eta_.update(t.step, elapsed);
  const double left = eta_.secondsLeft(t.steps_total - t.step);
  text += tr(" — %1 img/s, elapsed %2, ETA %3").arg(t.images_per_second, 0, 'f', 0)
              .arg(format_duration(elapsed), left < 0 ? tr("…") : format_duration(left));
  last_text_ = text;
  status_->setText(paused_ ? tr("Paused — %1").arg(text) : text);
}

void TrainingPage::showMessage(const QString& text) {
  plots_->flush();
  last_text_ = text;
  status_->setText(text);
}

}  // namespace bitshift::app
