#include "fpga_estimator.h"

#include "convert.h"

namespace bitshift::app {

FpgaEstimator::FpgaEstimator(QObject* parent) : QObject(parent) {
  qRegisterMetaType<widgets::FpgaTotals>();
  debounce_.setSingleShot(true);
  debounce_.setInterval(kDebounceMs);
  connect(&debounce_, &QTimer::timeout, this, &FpgaEstimator::launch);
}

FpgaEstimator::~FpgaEstimator() {
  if (thread_) thread_->wait();
}

void FpgaEstimator::request(std::shared_ptr<studio::PlanningModel> model,
                            const std::vector<studio::EngineLayer>& rows) {
  model_ = std::move(model);
  rows_ = rows;
  ++generation_;
  Q_EMIT pending();
  if (thread_ && thread_->isRunning())
    waiting_ = true;
  else
    debounce_.start();
}

bool FpgaEstimator::idle() const {
  return !debounce_.isActive() && !waiting_ && !(thread_ && thread_->isRunning());
}

void FpgaEstimator::launch() {
  if (!model_) return;
  if (thread_) {
    thread_->wait();
    delete thread_;
  }
  waiting_ = false;
  const quint64 generation = generation_;
  thread_ = QThread::create([this, model = model_, rows = rows_, generation] {
    const widgets::FpgaTotals t = to_fpga(model->estimate(rows));
    // Back on the GUI thread: publish only the latest plan's estimate.
    QMetaObject::invokeMethod(this, [this, t, generation] {
      if (generation == generation_) Q_EMIT estimated(t);
      if (waiting_) debounce_.start();
    }, Qt::QueuedConnection);
  });
  thread_->start();
}

}  // namespace bitshift::app
