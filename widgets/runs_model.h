#pragma once
// Finished runs as a table: name, method, bits, top-1 (and its change from FP32), BOPs,
// weight memory, time, whether it is on the Pareto front.
#include <QAbstractTableModel>

#include "widgets/studio_types.h"

namespace bitshift::widgets {

class RunsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { ColName, ColMethod, ColBits, ColTop1, ColDelta, ColBops, ColWeights, ColSeconds,
                ColPareto, ColExport, ColCount };

  explicit RunsModel(QObject* parent = nullptr);
  void addRun(const RunRow& run);
  void setRuns(const QVector<RunRow>& runs);
  const QVector<RunRow>& runs() const { return runs_; }
  // Records run `index`'s latest export (path and verdict line).
  void setExport(int index, const QString& path, const QString& verdict);
  const QVector<int>& front() const { return front_; }  // Pareto front, by cost

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

 private:
  void updateFront();

  QVector<RunRow> runs_;
  QVector<int> front_;
};

}  // namespace bitshift::widgets
