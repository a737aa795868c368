// MainWindow: per-layer sensitivity in the plan table, and fitting the plan to a budget.
#include <QStatusBar>

#include "convert.h"
#include "main_window.h"
#include "model_panel.h"
#include "sensitivity_job.h"
#include "widgets/budget_bar.h"
#include "widgets/cost_summary.h"
#include "widgets/layer_table_model.h"

namespace bitshift::app {

namespace {

QVector<widgets::LayerSensitivity> to_widgets(const studio::EngineSensitivity& s) {
  QVector<widgets::LayerSensitivity> out;
  for (const auto& l : s.layers) {
    widgets::LayerSensitivity row;
    row.name = qs(l.name);
    for (const auto& [bits, loss] : l.w) row.w[bits] = loss;
    for (const auto& [bits, loss] : l.a) row.a[bits] = loss;
    out.push_back(row);
  }
  return out;
}

}  // namespace

bool MainWindow::measureSensitivity() {
  if (!planning_) return false;
  if (sensitivity_job_->running()) {
    showError(tr("The sensitivity is still being measured (Cancel in the budget bar stops it)"));
    return false;
  }
  budget_bar_->showMeasuring(0, 1);
  measuring_ = planning_;
  return sensitivity_job_->start(planning_, panel_->method());
}

bool MainWindow::fitToBudget() {
  if (!planning_) return false;
  if (sensitivity_ && qs(sensitivity_->method) == panel_->method()) return applyFit();
  fit_after_measuring_ = true;
  if (measureSensitivity()) return true;
  fit_after_measuring_ = false;
  return false;
}

void MainWindow::showSensitivity(const studio::EngineSensitivity& sensitivity) {
  const bool fit = fit_after_measuring_ && qs(sensitivity.method) == panel_->method();
  fit_after_measuring_ = false;
  if (measuring_ != planning_) return showBudgetUsage();  // another model opened meanwhile
  sensitivity_ = sensitivity;
  layer_model_->setSensitivity(
      to_widgets(sensitivity),
      tr("%1 at its initialisation, %2 calibration images%3")
          .arg(qs(sensitivity.method))
          .arg(sensitivity.images)
          .arg(sensitivity.cached ? tr(", from the cache") : QString()));
  statusBar()->showMessage(
      sensitivity.cached ? tr("Sensitivity of %1 read from the cache").arg(qs(sensitivity.method))
                         : tr("Sensitivity of %1 measured").arg(qs(sensitivity.method)),
      5000);
  if (fit)  // and not when the method changed while measuring: that one is not measured
    applyFit();
  else
    showBudgetUsage();
}

bool MainWindow::applyFit() {
  std::vector<std::string> locked;
  for (const QString& name : layer_model_->lockedLayers()) locked.push_back(ss(name));
  const QString budget = budget_bar_->budgetText();
  auto fit = planning_->fit_to_budget(to_engine(layer_model_->rows()), locked, ss(panel_->method()),
                                      ss(panel_->edges()), ss(budget), *sensitivity_);
  if (!fit) {
    showError(qs(fit.error()));
    showBudgetUsage();
    return false;
  }
  fitted_ = fit.value();
  layer_model_->editRows(to_rows(fitted_->rows), tr("Fit to budget %1").arg(budget));
  statusBar()->showMessage(tr("Fitted to %1: predicted loss increase %2 (optimality gap %3); %4")
                               .arg(budget)
                               .arg(fitted_->predicted_loss, 0, 'f', 4)
                               .arg(fitted_->gap, 0, 'f', 4)
                               .arg(fitted_->locked.size() == 1 ? tr("1 layer kept its bits")
                                                                : tr("%1 layers kept their bits").arg(fitted_->locked.size())),
                           15000);
  showBudgetUsage();
  return true;
}

void MainWindow::showBudgetUsage() {
  if (!fitted_) return budget_bar_->showIdle();
  const widgets::CostTotals& t = cost_->totals();
  if (!t.problem.isEmpty()) return budget_bar_->showIdle();
  const bool bops = fitted_->unit == "BOPs";
  budget_bar_->showUsage(bops ? t.bops : static_cast<double>(t.weight_bits), fitted_->budget, qs(fitted_->unit));
}

}  // namespace bitshift::app
