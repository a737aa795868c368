#include "widgets/budget_bar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <algorithm>
#include <cmath>

#include "widgets/cost_summary.h"

namespace bitshift::widgets {

BudgetBar::BudgetBar(QWidget* parent)
    : QWidget(parent),
      kind_(new QComboBox(this)),
      value_(new QLineEdit(this)),
      fit_(new QPushButton(tr("Fit to budget"), this)),
      bar_(new QProgressBar(this)),
      cancel_(new QPushButton(tr("Cancel"), this)) {
  kind_->addItem(tr("BOPs"));
  kind_->addItem(tr("Weight memory (KiB)"));
  kind_->setToolTip(tr("What the budget limits: bit operations per image, or the memory of the "
                       "weights"));
  value_->setText(QStringLiteral("w3a3"));
  value_->setPlaceholderText(tr("w3a3, or a number"));
  value_->setToolTip(tr("A number (BOPs, or KiB of weights), or a uniform plan such as w3a3 "
                        "whose cost is the budget"));
  value_->setMaximumWidth(140);
  fit_->setToolTip(tr("Choose every unlocked layer's bits so that the predicted loss is smallest "
                      "within the budget (measures the sensitivity first, once per model and "
                      "method)"));
  bar_->setTextVisible(true);
  bar_->setMinimumWidth(220);
  cancel_->setVisible(false);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(new QLabel(tr("Budget:"), this));
  layout->addWidget(kind_);
  layout->addWidget(value_);
  layout->addWidget(fit_);
  layout->addWidget(bar_, 1);
  layout->addWidget(cancel_);
  connect(fit_, &QPushButton::clicked, this, &BudgetBar::fitRequested);
  connect(value_, &QLineEdit::returnPressed, this, &BudgetBar::fitRequested);
  connect(cancel_, &QPushButton::clicked, this, &BudgetBar::cancelRequested);
  connect(kind_, &QComboBox::currentIndexChanged, this, &BudgetBar::budgetEdited);
  connect(value_, &QLineEdit::textChanged, this, &BudgetBar::budgetEdited);
  showIdle();
}

QString BudgetBar::budgetText() const {
  return (kind() == KindBops ? QStringLiteral("bops=") : QStringLiteral("weights=")) +
         value_->text().trimmed();
}

void BudgetBar::setBudget(Kind kind, const QString& value) {
  kind_->setCurrentIndex(kind);
  value_->setText(value);
}

void BudgetBar::setBudgetText(const QString& text) {
  for (const Kind k : {KindBops, KindWeights}) {
    const QString prefix = k == KindBops ? QStringLiteral("bops=") : QStringLiteral("weights=");
    if (text.startsWith(prefix)) return setBudget(k, text.mid(prefix.size()));
  }
}

BudgetBar::Kind BudgetBar::kind() const { return kind_->currentIndex() == 1 ? KindWeights : KindBops; }

void BudgetBar::showMeasuring(int done, int total) {
  fit_->setEnabled(false);
  cancel_->setVisible(true);
  bar_->setRange(0, std::max(1, total));
  bar_->setValue(done);
  bar_->setFormat(tr("Measuring sensitivity %1/%2").arg(done).arg(total));
  bar_->setStyleSheet(QString());
}

void BudgetBar::showUsage(double spent, double budget, const QString& unit) {
  fit_->setEnabled(true);
  cancel_->setVisible(false);
  const double share = budget > 0 ? spent / budget : 0.0;
  bar_->setRange(0, 1000);
  bar_->setValue(static_cast<int>(std::lround(std::min(1.0, share) * 1000)));
  const bool bops = unit == QStringLiteral("BOPs");
  const QString used = bops ? CostSummary::formatBops(spent) : CostSummary::formatBits(static_cast<qint64>(spent));
  const QString of = bops ? CostSummary::formatBops(budget) : CostSummary::formatBits(static_cast<qint64>(budget));
  bar_->setFormat(tr("%1 % of the budget: %2 of %3").arg(share * 100, 0, 'f', 1).arg(used, of));
  // Over budget (edits after the fit, or the gates the allocation does not price): red.
  bar_->setStyleSheet(share > 1.0 ? QStringLiteral("QProgressBar::chunk { background: #c62828; }")
                                  : QString());
}

void BudgetBar::showIdle() {
  fit_->setEnabled(true);
  cancel_->setVisible(false);
  bar_->setRange(0, 1);
  bar_->setValue(0);
  bar_->setFormat(tr("No budget fitted"));
  bar_->setStyleSheet(QString());
}

}  // namespace bitshift::widgets
