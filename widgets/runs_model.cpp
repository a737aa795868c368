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
      case ColExport:
        if (!r.export_verdict.isEmpty()) return r.export_verdict.section(QLatin1Char(':'), 0, 0);
        return notExportableReason(r).isEmpty() ? tr("ready") : tr("no: FP32 layers");
    }
  } else if (role == Qt::ForegroundRole && on_front && index.column() == ColName) {
    return QBrush(QColor(200, 30, 30));
  } else if (role == Qt::ToolTipRole) {
    if (index.column() == ColExport) {
      if (!r.export_verdict.isEmpty()) return tr("%1\n%2").arg(r.export_verdict, r.export_path);
      const QString why = notExportableReason(r);
      return why.isEmpty() ? tr("Every layer is on integers: this run exports (Export page)") : why;
    }
    return tr("%1 on %2, checkpoint %3, started %4")
        .arg(r.model, r.data, r.checkpoint, r.started_at);
  } else if (role == Qt::TextAlignmentRole && index.column() >= ColTop1) {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  return {};
}

QVariant RunsModel::headerData(int section, Qt::Orientation o, int role) const {
  // The CSV's header (EditRole): the unit of its raw numbers.
  if (o == Qt::Horizontal && role == Qt::EditRole && section == ColWeights) return tr("Weights (bits)");
  if (o != Qt::Horizontal || role != Qt::DisplayRole)
    return QAbstractTableModel::headerData(section, o, role);
  static const char* names[] = {"Run", "Method", "Bits", "Top-1 %", "Δ vs FP32", "BOPs",
                                "Weights", "Seconds", "Pareto", "Export"};
  return section >= 0 && section < ColCount ? tr(names[section]) : QVariant();
}

void RunsModel::setExport(int index, const QString& path, const QString& verdict) {
  if (index < 0 || index >= runs_.size()) return;
  runs_[index].export_path = path;
  runs_[index].export_verdict = verdict;
  Q_EMIT dataChanged(this->index(index, ColExport), this->index(index, ColExport));
}

QString notExportableReason(const RunRow& run) {
  QStringList fp32;
  for (const LayerRow& l : run.plan)
    if (l.w_bits >= kFpBits || l.a_bits >= kFpBits) fp32 << l.name;
  if (fp32.isEmpty()) return {};
  return QObject::tr("%1 in FP32: an integer-only export needs every layer on integers")
      .arg(fp32.size() <= 3 ? fp32.join(QStringLiteral(", ")) : QObject::tr("%1 layers").arg(fp32.size()));
}

}  // namespace bitshift::widgets
