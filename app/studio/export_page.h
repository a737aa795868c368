#pragma once
// The export page: pick a finished run and a format, one button exports it. The OpenCL bundle
// is verified: pass/fail, the first mismatches if any, the agreement with the simulation, the
// FPGA resource estimate and the folder. QDQ ONNX (for ONNX Runtime) shows what was written
// and the notes of layers written in another form.
#include <QHash>
#include <QWidget>

#include "engine/studio_engine.h"
#include "widgets/studio_types.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace bitshift::app {

class ExportPage : public QWidget {
  Q_OBJECT
 public:
  explicit ExportPage(QWidget* parent = nullptr);

  // The runs offered; the newest is selected when one was added, else the selection stays.
  // Each run shows its own export: this session's outcome, or the verdict its project recorded.
  void setRuns(const QVector<widgets::RunRow>& runs);
  int selectedRun() const;                             // index into the runs, or -1
  QString exportingCheckpoint() const { return exporting_; }  // the run being exported
  QString format() const;                              // "bundle" or "qdq"
  QComboBox* formatBox() const { return format_; }
  QComboBox* runBox() const { return runs_; }
  QPushButton* exportButton() const { return export_; }
  QPushButton* cancelButton() const { return cancel_; }
  QProgressBar* progressBar() const { return progress_; }
  QString verdictText() const;

  void started(const QString& bundle);
  // Where the running export is: "Measuring agreement with the simulation: 1200 of 2000 images".
  void showProgress(const QString& stage, const QString& detail, double fraction);
  void showCancelled();
  void showOutcome(const studio::ExportOutcome& outcome);
  void showFailure(const QString& message);

  // "PASS: all 23 layers ...", "WRITTEN: QDQ ONNX, ...": the first line of an outcome.
  static QString verdictLine(const studio::ExportOutcome& outcome);

 Q_SIGNALS:
  void exportRequested();
  void cancelRequested();

 private:
  void showOnnxOutcome(const studio::ExportOutcome& outcome);
  void showRun(int index);  // the selected run's own export state
  void renderBundle(const studio::ExportOutcome& outcome);
  void endRunning();  // the buttons and bar of an export no longer running

  // Outcomes (or failure messages) of this session's exports, by the run's checkpoint.
  QHash<QString, studio::ExportOutcome> outcomes_;
  QHash<QString, QPair<QString, QString>> failures_;  // verdict line, details
  QVector<widgets::RunRow> runs_data_;
  QString exporting_;  // checkpoint of the run being exported, while it is

  QComboBox* runs_;
  QComboBox* format_;
  QPushButton* export_;
  QPushButton* open_folder_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* verdict_;
  QLabel* bundle_;
  QPlainTextEdit* details_;
  QString bundle_path_;
};

}  // namespace bitshift::app
