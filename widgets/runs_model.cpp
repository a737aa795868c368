#include "widgets/runs_model.h"

#include <QBrush>
#include <QColor>

#include "widgets/cost_summary.h"
#include "widgets/pareto.h"

namespace bitshift::widgets {

RunsModel::RunsModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunsModel::addRun(const RunRow& run) {
  beginInsertRows({}, runs_.size(), runs_.size());
  runs_.push_back(run);
  endInsertRows();
  updateFront();
}

void RunsModel::setRuns(const QVector<RunRow>& runs) {
  beginResetModel();
  runs_ = runs;
  endResetModel();
  updateFront();
}

void RunsModel::updateFront() {
  QVector<CostAccuracy> points;
  for (const RunRow& r : runs_) points.push_back({r.bops, r.top1});
  front_ = paretoFront(points);
  if (!runs_.isEmpty()) Q_EMIT dataChanged(index(0, 0), index(runs_.size() - 1, ColCount - 1));
}

int RunsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : runs_.size();
}

int RunsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColCount;
}

QVariant RunsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= runs_.size()) return {};
  const RunRow& r = runs_[index.row()];
  const bool on_front = front_.contains(index.row());
  if (role == Qt::DisplayRole || role == Qt::EditRole) {
    const bool edit = role == Qt::EditRole;  // CSV: full precision, no units
    switch (index.column()) {
      case ColName: return r.name;
      case ColMethod: return r.method;
      case ColBits: return r.preset;
      case ColTop1: return edit ? QVariant(r.top1) : QString::number(r.top1, 'f', 2);
      case ColDelta:
        return edit ? QVariant(r.top1 - r.fp32_top1)
                    : QString::asprintf("%+.2f", r.top1 - r.fp32_top1);
      case ColBops: return edit ? QVariant(r.bops) : CostSummary::formatBops(r.bops);
      case ColWeights:
        return edit ? QVariant(r.weight_bits) : CostSummary::formatBits(r.weight_bits);
      case ColSeconds: return edit ? QVariant(r.wall_seconds) : QString::number(r.wall_seconds, 'f', 1);
      case ColPareto: return on_front ? tr("yes") : QString();
    }
  } else if (role == Qt::ForegroundRole && on_front && index.column() == ColName) {
    return QBrush(QColor(200, 30, 30));
  } else if (role == Qt::ToolTipRole) {
    return tr("%1 on %2, checkpoint %3, started %4")
        .arg(r.model, r.data, r.checkpoint, r.started_at);
  } else if (role == Qt::TextAlignmentRole && index.column() >= ColTop1) {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  return {};
}

QVariant RunsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole)
    return QAbstractTableModel::headerData(section, o, role);
  static const char* names[] = {"Run", "Method", "Bits", "Top-1 %", "Δ vs FP32", "BOPs",
                                "Weights", "Seconds", "Pareto"};
  return section >= 0 && section < ColCount ? tr(names[section]) : QVariant();
}

}  // namespace bitshift::widgets
