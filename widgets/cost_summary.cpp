#include "widgets/cost_summary.h"

#include <QHBoxLayout>
#include <QVBoxLayout>
#include <QLabel>
#include <QLocale>

namespace bitshift::widgets {

namespace {

// " (×47.6 smaller than FP32)": short, so that the strip fits a small window.
QString change(double value, double fp32) {
  if (fp32 <= 0.0 || value <= 0.0) return {};
  if (value >= fp32) return QStringLiteral(" (same as FP32)");
  return QStringLiteral(" (×%1 smaller than FP32)").arg(fp32 / value, 0, 'f', 1);
}

}  // namespace

CostSummary::CostSummary(QWidget* parent)
    : QWidget(parent),
      fpga_label_(new QLabel(this)),
      bops_(new QLabel(this)),
      weights_(new QLabel(this)),
      macs_(new QLabel(this)),
      problem_(new QLabel(this)) {
  bops_->setToolTip(tr("Bit operations per image (UNIQ): Σ MACs × (b_w·b_a + accumulator bits)"));
  weights_->setToolTip(tr("Weight memory: stored weights, biases and lookup tables"));
  macs_->setToolTip(tr("Multiply-accumulates per image (independent of the bits)"));
  problem_->setStyleSheet(QStringLiteral("color: #b00020;"));
  problem_->setWordWrap(true);
  for (QLabel* l : {bops_, weights_, macs_}) {
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setWordWrap(true);  // in a small window they wrap rather than widen it
  }
  fpga_label_->setToolTip(tr("Dataflow accelerator, one engine per layer, 16 products × 16 lanes "
                             "at 200 MHz; the export's reports/estimate.txt names every formula"));
  fpga_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  fpga_label_->setWordWrap(true);  // a lowering objection can be long: it must not widen the window
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(6, 3, 6, 3);
  outer->setSpacing(2);
  auto* layout = new QHBoxLayout;
  outer->addLayout(layout);
  outer->addWidget(fpga_label_);
  layout->addWidget(bops_);
  layout->addSpacing(18);
  layout->addWidget(weights_);
  layout->addSpacing(18);
  layout->addWidget(macs_);
  layout->addSpacing(18);
  layout->addWidget(problem_, 1);
  setTotals({});
  setFpga({});
}

QString CostSummary::formatBops(double bops) { return QString::number(bops, 'e', 3); }

QString CostSummary::formatBits(qint64 bits) {
  const double kib = bits / 8192.0;
  if (kib >= 1024.0) return QStringLiteral("%1 MiB").arg(kib / 1024.0, 0, 'f', 2);
  return QStringLiteral("%1 KiB").arg(kib, 0, 'f', 1);
}

QString CostSummary::bopsText() const { return bops_->text(); }
QString CostSummary::weightsText() const { return weights_->text(); }

void CostSummary::setTotals(const CostTotals& t) {
  totals_ = t;
  if (!t.problem.isEmpty()) {  // an invalid plan has no cost: no numbers rather than zeros
    bops_->setText(tr("<b>BOPs</b> —"));
    weights_->setText(tr("<b>Weights</b> —"));
  } else {
    bops_->setText(tr("<b>BOPs</b> %1%2").arg(formatBops(t.bops), change(t.bops, t.fp32_bops)));
    weights_->setText(tr("<b>Weights</b> %1%2")
                          .arg(formatBits(t.weight_bits),
                               change(double(t.weight_bits), double(t.fp32_weight_bits))));
  }
  macs_->setText(tr("<b>MACs</b> %1").arg(QLocale(QLocale::English).toString(t.macs)));
  problem_->setText(t.problem);
  problem_->setVisible(!t.problem.isEmpty());
}

QString CostSummary::fpgaText() const { return fpga_label_->text(); }

void CostSummary::setFpga(const FpgaTotals& f) {
  fpga_ = f;
  if (f.pending) {
    fpga_label_->setText(tr("<b>FPGA</b> estimating…"));
  } else if (!f.problem.isEmpty()) {
    fpga_label_->setText(tr("<b>FPGA</b> no estimate: %1").arg(f.problem.toHtmlEscaped()));
  } else if (f.device.isEmpty()) {
    fpga_label_->setText(tr("<b>FPGA</b> —"));
  } else {
    const QLocale en(QLocale::English);
    fpga_label_->setText(
        tr("<b>FPGA</b> (%1) %2 DSP (%3 %), %4 %5 (%6 %), %7 %8 (%9 %): %10, "
           "%11 images/s pipelined")
            .arg(f.device, en.toString(f.dsps)).arg(100 * f.dsp_use, 0, 'f', 1)
            .arg(en.toString(f.luts), f.logic_name).arg(100 * f.lut_use, 0, 'f', 1)
            .arg(en.toString(f.ram_blocks), f.ram_name).arg(100 * f.ram_use, 0, 'f', 1)
            .arg(f.fits ? tr("fits") : tr("<span style='color:#b00020'>does not fit</span>"))
            .arg(en.toString(qRound64(f.images_per_second))));
  }
}

}  // namespace bitshift::widgets
