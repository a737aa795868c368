#pragma once
// The sensitivity job adapter: measures a method's per-layer sensitivity on its own thread
// (PlanningModel::sensitivity; a cached result comes back at once) and says how far it is.
#include <QObject>
#include <memory>

#include "engine/studio_engine.h"
#include "job_thread.h"

Q_DECLARE_METATYPE(bitshift::studio::EngineSensitivity)

namespace bitshift::app {

class SensitivityJob : public QObject {
  Q_OBJECT
 public:
  explicit SensitivityJob(QObject* parent = nullptr);
  ~SensitivityJob() override;  // cancels a running measurement and waits for it

  bool start(std::shared_ptr<studio::PlanningModel> model, const QString& method);
  bool running() const;
  void cancel();  // stops after the measurement under way; then says cancelled()
  void wait();

 Q_SIGNALS:
  void progress(int done, int total);
  void finished(const bitshift::studio::EngineSensitivity& sensitivity);
  void failed(const QString& message);
  void cancelled();

 private:
  JobThread thread_{this};
};

}  // namespace bitshift::app
