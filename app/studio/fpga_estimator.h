#pragma once
// Keeps the cost strip's FPGA estimate current: each plan edit (re)arms a short timer; when it
// fires, the engine estimates the latest plan on a worker thread (calibration and lowering take
// up to a second). Edits during a computation are estimated when it ends; results of plans that
// were edited since are dropped.
#include <QObject>
#include <QThread>
#include <QTimer>
#include <memory>
#include <vector>

#include "engine/studio_engine.h"
#include "widgets/studio_types.h"

namespace bitshift::app {

class FpgaEstimator : public QObject {
  Q_OBJECT
 public:
  static constexpr int kDebounceMs = 300;

  explicit FpgaEstimator(QObject* parent = nullptr);
  ~FpgaEstimator() override;  // waits for a computation under way

  void request(std::shared_ptr<studio::PlanningModel> model,
               const std::vector<studio::EngineLayer>& rows);
  bool idle() const;  // nothing armed, computing or waiting

 Q_SIGNALS:
  void pending();
  void estimated(const bitshift::widgets::FpgaTotals& totals);

 private:
  void launch();

  QTimer debounce_;
  QThread* thread_ = nullptr;
  std::shared_ptr<studio::PlanningModel> model_;
  std::vector<studio::EngineLayer> rows_;
  quint64 generation_ = 0;  // of the latest request
  bool waiting_ = false;    // a request arrived while computing
};

}  // namespace bitshift::app
