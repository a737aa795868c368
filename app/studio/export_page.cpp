#include "export_page.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

#include "convert.h"
#include "widgets/runs_model.h"

namespace bitshift::app {

ExportPage::ExportPage(QWidget* parent) : QWidget(parent) {
  runs_ = new QComboBox(this);
  runs_->setToolTip(tr("The finished run whose quantized checkpoint is exported"));
  // Long run names scroll in the box instead of widening the window.
  runs_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  runs_->setMinimumContentsLength(16);
  format_ = new QComboBox(this);
  format_->addItem(tr("OpenCL bundle (FPGA), verified"), QStringLiteral("bundle"));
  format_->addItem(tr("ONNX QDQ (ONNX Runtime)"), QStringLiteral("qdq"));
  format_->addItem(tr("QONNX (FINN, hls4ml)"), QStringLiteral("qonnx"));
  format_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  format_->setMinimumContentsLength(14);
  format_->setToolTip(
      tr("The bundle: integer-only kernels, verified bit for bit on OpenCL. "
         "QDQ: the simulated network as ONNX QuantizeLinear/DequantizeLinear"));
  export_ = new QPushButton(tr("Export"), this);
  export_->setToolTip(
      tr("Bundle: lower to integers, write it, run it on OpenCL and compare "
         "every layer bit for bit. QDQ: write the .onnx file (Ctrl+E)"));
  open_folder_ = new QPushButton(tr("Open folder"), this);
  open_folder_->setEnabled(false);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setToolTip(tr("Stop the export; nothing is written, an earlier bundle stays as it was"));
  cancel_->hide();
  connect(cancel_, &QPushButton::clicked, this, &ExportPage::cancelRequested);
  progress_ = new QProgressBar(this);
  progress_->setRange(0, 1000);
  progress_->setTextVisible(true);
  progress_->hide();
  verdict_ = new QLabel(tr("No export yet."), this);
  QFont big = verdict_->font();
  big.setPointSizeF(big.pointSizeF() * 1.4);
  big.setBold(true);
  verdict_->setFont(big);
  verdict_->setWordWrap(true);
  bundle_ = new QLabel(this);
  bundle_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  bundle_->setWordWrap(true);
  bundle_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // a long path must not widen the window
  details_ = new QPlainTextEdit(this);
  details_->setReadOnly(true);
  details_->setLineWrapMode(QPlainTextEdit::NoWrap);
  details_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Run"), this));
  bar->addWidget(runs_, 1);
  bar->addWidget(format_);
  bar->addWidget(export_);
  bar->addWidget(open_folder_);
  bar->addWidget(cancel_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(verdict_);
  layout->addWidget(progress_);
  layout->addWidget(bundle_);
  layout->addWidget(details_, 1);
  connect(runs_, &QComboBox::currentIndexChanged, this, &ExportPage::showRun);
  setRuns({});

  connect(export_, &QPushButton::clicked, this, &ExportPage::exportRequested);
  connect(open_folder_, &QPushButton::clicked, this,
          [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(bundle_path_)); });
}

void ExportPage::setRuns(const QVector<widgets::RunRow>& runs) {
  const int keep = runs.size() == runs_data_.size() ? runs_->currentIndex() : runs.size() - 1;
  runs_data_ = runs;
  {
    const QSignalBlocker quiet(runs_);
    runs_->clear();
    for (const auto& r : runs)
      runs_->addItem(QStringLiteral("%1 — top-1 %2 %").arg(r.name).arg(r.top1, 0, 'f', 2));
    if (runs.isEmpty()) runs_->addItem(tr("(train a run first)"));
    runs_->setCurrentIndex(std::max(0, keep));
  }
  export_->setEnabled(!runs.isEmpty() && exporting_.isEmpty());
  showRun(runs_->currentIndex());
}

int ExportPage::selectedRun() const {
  return runs_data_.isEmpty() ? -1 : runs_->currentIndex();
}

QString ExportPage::verdictLine(const studio::ExportOutcome& o) {
  if (o.format != "bundle")
    return tr("WRITTEN: %1, %2 weight layers as integer codes, %3 activation sites quantized")
        .arg(o.format == "qdq" ? tr("QDQ ONNX") : tr("QONNX"))
        .arg(o.weight_layers)
        .arg(o.activation_sites);
  if (!o.verified || o.verdict == "no_device") return tr("NOT VERIFIED: no OpenCL device here");
  if (o.passed) return tr("PASS: all %1 layers equal the simulation's integers bit for bit").arg(o.layers);
  return tr("FAIL: %1 on %2").arg(qs(o.verdict), qs(o.device));
}

void ExportPage::showRun(int index) {
  if (index < 0 || index >= runs_data_.size()) {
    verdict_->setStyleSheet(QString());
    verdict_->setText(tr("No export yet."));
    bundle_->clear();
    details_->clear();
    open_folder_->setEnabled(false);
    return;
  }
  const widgets::RunRow& run = runs_data_[index];
  if (run.checkpoint == exporting_) {  // back on the run being exported: its next stage shows
    verdict_->setStyleSheet(QString());
    verdict_->setText(tr("Exporting…"));
    details_->clear();
    return;
  }
  if (const auto it = outcomes_.constFind(run.checkpoint); it != outcomes_.constEnd()) {
    open_folder_->setEnabled(true);
    return it->format == "bundle" ? renderBundle(*it) : showOnnxOutcome(*it);
  }
  if (const auto it = failures_.constFind(run.checkpoint); it != failures_.constEnd()) {
    verdict_->setStyleSheet(QStringLiteral("color: #b00000"));
    verdict_->setText(it->first);
    bundle_->clear();
    details_->setPlainText(it->second);
    open_folder_->setEnabled(false);
    return;
  }
  verdict_->setStyleSheet(QString());
  details_->clear();
  if (!run.export_verdict.isEmpty()) {  // recorded by the project: an earlier session's export
    verdict_->setText(run.export_verdict);
    bundle_path_ = QFileInfo(run.export_path).isDir() ? run.export_path : QFileInfo(run.export_path).absolutePath();
    bundle_->setText(tr("Exported to: %1").arg(run.export_path));
    details_->setPlainText(tr("Exported in an earlier session; export again for the details."));
    open_folder_->setEnabled(QFileInfo::exists(run.export_path));
    return;
  }
  verdict_->setText(tr("No export of this run yet."));
  bundle_->clear();
  open_folder_->setEnabled(false);
  const QString why = widgets::notExportableReason(run);
  if (!why.isEmpty())
    details_->setPlainText(tr("The OpenCL bundle will be refused: %1.\nQDQ ONNX and QONNX write such layers in float.").arg(why));
}

QString ExportPage::format() const { return format_->currentData().toString(); }

QString ExportPage::verdictText() const { return verdict_->text(); }

void ExportPage::started(const QString& bundle) {
  const int run = selectedRun();
  exporting_ = run >= 0 ? runs_data_[run].checkpoint : QString();
  outcomes_.remove(exporting_);
  failures_.remove(exporting_);
  bundle_path_ = bundle;
  export_->setEnabled(false);
  cancel_->show();
  progress_->setValue(0);
  progress_->show();
  open_folder_->setEnabled(false);
  verdict_->setStyleSheet(QString());
  verdict_->setText(tr("Exporting…"));
  bundle_->setText(bundle);
  details_->clear();
}

void ExportPage::showProgress(const QString& stage, const QString& detail, double fraction) {
  static const QHash<QString, QString> names = {
      {QStringLiteral("lower"), tr("Lowering to integers")},
      {QStringLiteral("vectors"), tr("Making test vectors")},
      {QStringLiteral("agreement"), tr("Measuring agreement with the simulation")},
      {QStringLiteral("write"), tr("Writing the bundle")},
      {QStringLiteral("verify"), tr("Verifying every layer on OpenCL")},
      {QStringLiteral("publish"), tr("Publishing")},
      {QStringLiteral("done"), tr("Done")}};
  progress_->setValue(static_cast<int>(1000 * std::clamp(fraction, 0.0, 1.0)));
  // Another run picked meanwhile keeps showing its own state; the bar says the export goes on.
  const int run = selectedRun();
  if (run < 0 || runs_data_[run].checkpoint != exporting_) return;
  const QString name = names.value(stage, stage);
  verdict_->setText(detail.isEmpty() ? tr("Exporting: %1…").arg(name)
                                     : tr("Exporting: %1: %2").arg(name, detail));
}

void ExportPage::showCancelled() {
  const QString done = exporting_;
  exporting_.clear();
  failures_[done] = {tr("Export cancelled"),
                     tr("Nothing was written; an earlier bundle of this run stays as it was.")};
  endRunning();
  const int run = selectedRun();
  if (run >= 0 && runs_data_[run].checkpoint == done) showRun(run);
}

void ExportPage::endRunning() {
  export_->setEnabled(!runs_data_.isEmpty());
  cancel_->hide();
  progress_->hide();
}

void ExportPage::showOutcome(const studio::ExportOutcome& o) {
  const QString done = exporting_;
  exporting_.clear();
  outcomes_[done] = o;
  endRunning();
  const int run = selectedRun();
  if (run >= 0 && runs_data_[run].checkpoint == done) showRun(run);  // else it waits for its run
}

void ExportPage::renderBundle(const studio::ExportOutcome& o) {
  bundle_path_ = qs(o.bundle);
  bundle_->setText(o.device.empty()
                       ? tr("Bundle: %1").arg(bundle_path_)
                       : tr("Bundle: %1\nOpenCL device: %2").arg(bundle_path_, qs(o.device)));
  verdict_->setStyleSheet(!o.verified || o.verdict == "no_device" ? QStringLiteral("color: #a06000")
                          : o.passed                                 ? QStringLiteral("color: #207020")
                                                                     : QStringLiteral("color: #b00000"));
  verdict_->setText(verdictLine(o));
  QString text = tr("Agreement on %1 test images: simulated top-1 %2 %, integer top-1 %3 %, "
                    "same class %4 %\n\n")
                     .arg(o.agreement_images)
                     .arg(o.simulated_top1, 0, 'f', 2)
                     .arg(o.integer_top1, 0, 'f', 2)
                     .arg(o.agreement, 0, 'f', 2);
  text += qs(o.verification) + "\n" + qs(o.estimate);
  details_->setPlainText(text);
}

void ExportPage::showOnnxOutcome(const studio::ExportOutcome& o) {
  const bool qdq = o.format == "qdq";
  bundle_path_ = QFileInfo(qs(o.bundle)).absolutePath();
  bundle_->setText(tr("Model: %1").arg(qs(o.bundle)));
  verdict_->setStyleSheet(QStringLiteral("color: #207020"));
  verdict_->setText(verdictLine(o));
  QString text =
      qdq ? tr("ONNX opset 13, for ONNX Runtime:\n"
               "  weights as DequantizeLinear of their integer codes,\n"
               "  activations as QuantizeLinear -> Clip -> DequantizeLinear,\n")
          : tr("ONNX opset 11 with qonnx.custom_op.general, for FINN and hls4ml:\n"
               "  weights and activations as Quant nodes (BipolarQuant for binary weights),\n"
               "  learned thresholds as MultiThreshold, every tensor's shape in value_info,\n");
  text += tr("  the input is the normalized image (mean and std in the model's metadata).\n");
  if (o.float_weights > 0)
    text += tr("%1 weight layers written in float (full precision or real-valued levels).\n")
                .arg(o.float_weights);
  for (const auto& note : o.notes) text += QStringLiteral("note: ") + qs(note) + "\n";
  if (!qdq) {
    text += o.finn_rejects.empty()
                ? tr("\nFINN: no layer breaks the QONNX import constraints checked here (zero "
                     "point 0, at most 8-bit activations, integer weights).\n")
                : tr("\nA FINN flow would refuse:\n");
    for (const auto& why : o.finn_rejects) text += QStringLiteral("  ") + qs(why) + "\n";
  }
  details_->setPlainText(text);
}

void ExportPage::showFailure(const QString& message) {
  const QString done = exporting_;
  failures_[done] = {tr("Export failed"), message};
  exporting_.clear();
  endRunning();
  const int run = selectedRun();
  if (run >= 0 && runs_data_[run].checkpoint == done) showRun(run);
}

}  // namespace bitshift::app
