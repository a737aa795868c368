#pragma once
// The budget strip above the plan table: a budget (BOPs, or weight memory in KiB; a number or
// a uniform preset such as w3a3, whose cost it then is), the "Fit to budget" button, and one
// bar that shows the sensitivity measurement while it runs (with Cancel) and afterwards how
// much of the budget the plan spends, following every edit.
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace bitshift::widgets {

class BudgetBar : public QWidget {
  Q_OBJECT
 public:
  enum Kind { KindBops, KindWeights };

  explicit BudgetBar(QWidget* parent = nullptr);

  // "bops=w3a3", "weights=96": what `bitshift-cli allocate --budget` takes.
  QString budgetText() const;
  void setBudget(Kind kind, const QString& value);
  // "bops=..." or "weights=..." as budgetText() gives it; other text is ignored.
  void setBudgetText(const QString& text);
  Kind kind() const;

  // While the sensitivity is measured: "Measuring sensitivity 12/50", Cancel shown.
  void showMeasuring(int done, int total);
  // The plan spends `spent` of `budget` (`unit`: "BOPs", "weight bits"); over 100 % in red.
  void showUsage(double spent, double budget, const QString& unit);
  void showIdle();  // no budget fitted yet, nothing running

  QPushButton* fitButton() const { return fit_; }
  QPushButton* cancelButton() const { return cancel_; }
  QProgressBar* bar() const { return bar_; }

 Q_SIGNALS:
  void fitRequested();
  void budgetEdited();  // the kind or value changed
  void cancelRequested();

 private:
  QComboBox* kind_;
  QLineEdit* value_;
  QPushButton* fit_;
  QProgressBar* bar_;
  QPushButton* cancel_;
};

}  // namespace bitshift::widgets
