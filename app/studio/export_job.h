#pragma once
// The export job adapter: lowers, writes and verifies a bundle on its own thread (the same
// job as `bitshift-cli export`); says each stage as it starts and the outcome as plain values.
#include <QObject>
#include <QThread>

#include "engine/studio_engine.h"

Q_DECLARE_METATYPE(bitshift::studio::ExportOutcome)

namespace bitshift::app {

class ExportJob : public QObject {
  Q_OBJECT
 public:
  explicit ExportJob(QObject* parent = nullptr);
  ~ExportJob() override;  // waits for a running export (it cannot be cancelled midway)

  bool start(const studio::ExportRequest& request);
  bool running() const;
  void wait();

 Q_SIGNALS:
  void stage(const QString& name);
  void finished(const bitshift::studio::ExportOutcome& outcome);
  void failed(const QString& message);

 private:
  QThread* thread_ = nullptr;
};

}  // namespace bitshift::app
