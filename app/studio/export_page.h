#pragma once
// The export page: pick a finished run, one button writes the bundle and verifies it on
// OpenCL; shows pass/fail, the first mismatches if any, the agreement with the simulation,
// the FPGA resource estimate and the folder.
#include <QWidget>

#include "engine/studio_engine.h"
#include "widgets/studio_types.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace bitshift::app {

class ExportPage : public QWidget {
  Q_OBJECT
 public:
  explicit ExportPage(QWidget* parent = nullptr);

  void setRuns(const QVector<widgets::RunRow>& runs);  // newest selected
  int selectedRun() const;  // index into the runs, or -1
  QPushButton* exportButton() const { return export_; }
  QString verdictText() const;

  void started(const QString& bundle);
  void showStage(const QString& stage);
  void showOutcome(const studio::ExportOutcome& outcome);
  void showFailure(const QString& message);

 Q_SIGNALS:
  void exportRequested();

 private:
  QComboBox* runs_;
  QPushButton* export_;
  QPushButton* open_folder_;
  QLabel* verdict_;
  QLabel* bundle_;
  QPlainTextEdit* details_;
  QString bundle_path_;
};

}  // namespace bitshift::app
