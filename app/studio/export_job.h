#pragma once
// The export job adapter: lowers, writes and verifies a bundle on its own thread (the same
// job as `bitshift-cli export`); says each stage as it starts and the outcome as plain values.
#include <QObject>

#include "engine/studio_engine.h"
#include "job_thread.h"

Q_DECLARE_METATYPE(bitshift::studio::ExportOutcome)

namespace bitshift::app {

class ExportJob : public QObject {
  Q_OBJECT
 public:
  explicit ExportJob(QObject* parent = nullptr);
  ~ExportJob() override;  // cancels a running export and waits for it

  bool start(const studio::ExportRequest& request);
  bool running() const;
  // Stops the export at its next step (between agreement batches at the latest); it then
  // says cancelled() and has written nothing.
  void cancel();
  void wait();

 Q_SIGNALS:
  void progress(const QString& stage, const QString& detail, double fraction);
  void finished(const bitshift::studio::ExportOutcome& outcome);
  void failed(const QString& message);
  void cancelled();

 private:
  JobThread thread_{this};
};

}  // namespace bitshift::app
