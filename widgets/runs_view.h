#pragma once
// Comparison of finished runs: the runs table, top-1 against BOPs with the Pareto front
// highlighted, and the per-layer plans of two selected runs side by side.
#include <QWidget>

#include "widgets/studio_types.h"

class QCPItemText;
class QCustomPlot;
class QLabel;
class QTableView;
class QTableWidget;

namespace bitshift::widgets {

class PlotView;
class RunsModel;

class RunsView : public QWidget {
  Q_OBJECT
 public:
  explicit RunsView(QWidget* parent = nullptr);
  void addRun(const RunRow& run);
  void setRuns(const QVector<RunRow>& runs);
  const QVector<RunRow>& runs() const;

  RunsModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  QCustomPlot* scatter() const { return scatter_; }
  QTableWidget* comparison() const { return compare_; }
  // Selects rows a and b (as a user ctrl-clicking two runs) and compares their plans.
  void selectPair(int a, int b);
  int scatterPoints() const;  // drawn points, all runs
  int frontPoints() const;    // drawn points on the front
  QString comparisonHint() const;  // what the line above the side-by-side plans says
  QString scatterNote() const;     // the note an empty plot shows

 private:
  void redraw();
  void compareSelected();

  RunsModel* model_;
  QTableView* table_;
  QCustomPlot* scatter_;
  QTableWidget* compare_;
  QLabel* hint_;
  PlotView* view_;
  QVector<QCPItemText*> labels_;  // the runs' names beside their points
};

}  // namespace bitshift::widgets
