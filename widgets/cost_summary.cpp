#include "widgets/cost_summary.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>

namespace bitshift::widgets {

namespace {

QString change(double value, double fp32) {
  if (fp32 <= 0.0) return {};
  const double pct = 100.0 * (value - fp32) / fp32;
  return QStringLiteral(" (%1%2 % vs FP32, ×%3 smaller)")
      .arg(pct >= 0 ? "+" : "")
      .arg(pct, 0, 'f', 1)
      .arg(value > 0 ? fp32 / value : 0.0, 0, 'f', 1);
}

}  // namespace

CostSummary::CostSummary(QWidget* parent)
    : QWidget(parent),
      bops_(new QLabel(this)),
      weights_(new QLabel(this)),
      macs_(new QLabel(this)),
      problem_(new QLabel(this)) {
  bops_->setToolTip(tr("Bit operations per image (UNIQ): Σ MACs × (b_w·b_a + accumulator bits)"));
  weights_->setToolTip(tr("Weight memory: stored weights, biases and lookup tables"));
  macs_->setToolTip(tr("Multiply-accumulates per image (independent of the bits)"));
  problem_->setStyleSheet(QStringLiteral("color: #b00020;"));
  problem_->setWordWrap(true);
  for (QLabel* l : {bops_, weights_, macs_}) l->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(6, 3, 6, 3);
  layout->addWidget(bops_);
  layout->addSpacing(18);
  layout->addWidget(weights_);
  layout->addSpacing(18);
  layout->addWidget(macs_);
  layout->addSpacing(18);
  layout->addWidget(problem_, 1);
  setTotals({});
}

QString CostSummary::formatBops(double bops) { return QString::number(bops, 'e', 3); }

QString CostSummary::formatBits(qint64 bits) {
  const double kib = bits / 8192.0;
  if (kib >= 1024.0) return QStringLiteral("%1 MiB").arg(kib / 1024.0, 0, 'f', 2);
  return QStringLiteral("%1 KiB").arg(kib, 0, 'f', 1);
}

QString CostSummary::bopsText() const { return bops_->text(); }

void CostSummary::setTotals(const CostTotals& t) {
  totals_ = t;
  bops_->setText(tr("<b>BOPs</b> %1%2").arg(formatBops(t.bops), change(t.bops, t.fp32_bops)));
  weights_->setText(tr("<b>Weights</b> %1%2")
                        .arg(formatBits(t.weight_bits),
                             change(double(t.weight_bits), double(t.fp32_weight_bits))));
  macs_->setText(tr("<b>MACs</b> %1").arg(QLocale(QLocale::English).toString(t.macs)));
  problem_->setText(t.problem);
  problem_->setVisible(!t.problem.isEmpty());
}

}  // namespace bitshift::widgets
