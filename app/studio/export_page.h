#pragma once
// The export page: pick a finished run and a format, one button exports it. The OpenCL bundle
// is verified: pass/fail, the first mismatches if any, the agreement with the simulation, the
// FPGA resource estimate and the folder. QDQ ONNX (for ONNX Runtime) shows what was written
// and the notes of layers written in another form.
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
  int selectedRun() const;                             // index into the runs, or -1
  QString format() const;                              // "bundle" or "qdq"
  QComboBox* formatBox() const { return format_; }
  QPushButton* exportButton() const { return export_; }
  QString verdictText() const;

  void started(const QString& bundle);
  void showStage(const QString& stage);
  void showOutcome(const studio::ExportOutcome& outcome);
  void showFailure(const QString& message);

 Q_SIGNALS:
  void exportRequested();

 private:
  void showOnnxOutcome(const studio::ExportOutcome& outcome);

  QComboBox* runs_;
  QComboBox* format_;
  QPushButton* export_;
  QPushButton* open_folder_;
  QLabel* verdict_;
  QLabel* bundle_;
  QPlainTextEdit* details_;
  QString bundle_path_;
};

}  // namespace bitshift::app
