#include "widgets/layer_table_model.h"

#include <QBrush>
#include <QColor>
#include <QLocale>
#include <QUndoCommand>
#include <QUndoStack>
#include <algorithm>
#include <cmath>
#include <limits>

namespace bitshift::widgets {

// One plan edit on the undo stack: the rows before and after (a plan is a few hundred rows at
// most, so whole copies keep this simple and exact).
class PlanEdit : public QUndoCommand {
 public:
  PlanEdit(LayerTableModel* model, QVector<LayerRow> before, QVector<LayerRow> after, const QString& text)
      : QUndoCommand(text), model_(model), before_(std::move(before)), after_(std::move(after)) {}
  void redo() override { model_->replaceRows(after_); }
  void undo() override { model_->replaceRows(before_); }

 private:
  LayerTableModel* model_;
  QVector<LayerRow> before_, after_;
};

namespace {

bool same_layers(const QVector<LayerRow>& a, const QVector<LayerRow>& b) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name) return false;
  return true;
}

bool same_plan(const LayerRow& a, const LayerRow& b) {
  return a.w_bits == b.w_bits && a.a_bits == b.a_bits && a.method == b.method;
}

// The shading of a loss increase: white at none, orange at `top`, on a log scale (the
// increases of one network span orders of magnitude between 8 and 2 bits).
QColor heat(double loss, double top) {
  constexpr double kFloor = 1e-3;  // increases below this look harmless
  const double t = top > 0 ? std::clamp(std::log1p(std::max(0.0, loss) / kFloor) / std::log1p(top / kFloor), 0.0, 1.0) : 0.0;
  const QColor hot(0xf5, 0x9e, 0x42);
  auto mix = [t](int hot_part) { return static_cast<int>(std::lround(255 + t * (hot_part - 255))); };
  return QColor(mix(hot.red()), mix(hot.green()), mix(hot.blue()));
}

QString bits_line(const QMap<int, double>& losses) {
  QStringList parts;
  for (auto it = losses.begin(); it != losses.end(); ++it)
    parts << QStringLiteral("%1 bits %2").arg(it.key()).arg(it.value(), 0, 'f', 4);
  return parts.join(QStringLiteral(", "));
}

}  // namespace

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayerTableModel::setRows(const QVector<LayerRow>& rows) {
  beginResetModel();
  if (!same_layers(rows_, rows)) {  // another model: its sensitivity and locks do not apply
    sensitivity_.clear();
    locked_.clear();
  }
  rows_ = rows;
  endResetModel();
  Q_EMIT planEdited();
}

void LayerTableModel::replaceRows(const QVector<LayerRow>& rows) {
  if (!same_layers(rows_, rows)) {
    setRows(rows);
    return;
  }
  for (int r = 0; r < rows.size(); ++r) {
    if (same_plan(rows_[r], rows[r])) continue;
    rows_[r] = rows[r];
    Q_EMIT dataChanged(index(r, 0), index(r, ColCount - 1));
  }
  Q_EMIT planEdited();
}

bool LayerTableModel::editRows(const QVector<LayerRow>& rows, const QString& text) {
  bool changed = !same_layers(rows_, rows);
  for (int r = 0; !changed && r < rows.size(); ++r) changed = !same_plan(rows_[r], rows[r]);
  if (!changed) return false;
  if (undo_)
    undo_->push(new PlanEdit(this, rows_, rows, text));  // push() applies it
  else
    replaceRows(rows);
  return true;
}

void LayerTableModel::setInvalidCells(const QList<int>& w_rows, const QList<int>& a_rows, const QString& why) {
  if (w_rows == invalid_w_ && a_rows == invalid_a_ && why == invalid_why_) return;
  invalid_w_ = w_rows;
  invalid_a_ = a_rows;
  invalid_why_ = why;
  if (!rows_.isEmpty()) Q_EMIT dataChanged(index(0, ColWBits), index(rows_.size() - 1, ColABits));
}

bool LayerTableModel::isInvalid(int row, int column) const {
  return (column == ColWBits && invalid_w_.contains(row)) || (column == ColABits && invalid_a_.contains(row));
}

void LayerTableModel::setSensitivity(const QVector<LayerSensitivity>& layers, const QString& about) {
  sensitivity_.clear();
  sensitivity_max_ = 0.0;
  for (const LayerSensitivity& l : layers) {
    sensitivity_[l.name] = l;
    double w = 0, a = 0;
    for (double v : l.w) w = std::max(w, v);
    for (double v : l.a) a = std::max(a, v);
    sensitivity_max_ = std::max(sensitivity_max_, w + a);
  }
  sensitivity_about_ = about;
  if (!rows_.isEmpty()) Q_EMIT dataChanged(index(0, ColSensitivity), index(rows_.size() - 1, ColSensitivity));
}

double LayerTableModel::sensitivityAt(int row) const {
  constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
  if (row < 0 || row >= rows_.size() || !sensitivity_.contains(rows_[row].name)) return kUnknown;
  const LayerRow& r = rows_[row];
  const LayerSensitivity& s = sensitivity_[r.name];
  const double w = r.w_bits >= kFpBits ? 0.0 : s.w.value(r.w_bits, kUnknown);
  const double a = r.a_bits >= kFpBits ? 0.0 : s.a.value(r.a_bits, kUnknown);
  if (std::isnan(w) || std::isnan(a)) return kUnknown;  // bits not measured (5, 7, 16)
  return std::max(0.0, w) + std::max(0.0, a);
}

QStringList LayerTableModel::lockedLayers() const { return locked_; }

void LayerTableModel::setLockedLayers(const QStringList& layers) {
  QStringList kept;
  for (const LayerRow& r : rows_)
    if (layers.contains(r.name)) kept << r.name;
  if (kept == locked_) return;
  locked_ = kept;
  if (!rows_.isEmpty()) Q_EMIT dataChanged(index(0, ColLock), index(rows_.size() - 1, ColLock));
  Q_EMIT locksChanged();
}

void LayerTableModel::setLocked(const QString& layer, bool locked) {
  if (locked_.contains(layer) == locked) return;
  if (locked)
    locked_ << layer;
  else
    locked_.removeAll(layer);
  for (int r = 0; r < rows_.size(); ++r)
    if (rows_[r].name == layer) Q_EMIT dataChanged(index(r, ColLock), index(r, ColLock));
  Q_EMIT locksChanged();
}

int LayerTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : rows_.size();
}

int LayerTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColCount;
}

QString LayerTableModel::bitsText(int bits) {
  return bits >= kFpBits ? QStringLiteral("FP32") : QString::number(bits);
}

QVector<int> LayerTableModel::bitsChoices(int column) {
  QVector<int> out = {1, 2, 3, 4, 5, 6, 7, 8};
  if (column == ColABits) out.push_back(16);
  out.push_back(kFpBits);
  return out;
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rows_.size()) return {};
  const LayerRow& r = rows_[index.row()];
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case ColName: return r.name;
      case ColType: return r.type;
      case ColShape: return r.shape;
      case ColParams: return QLocale(QLocale::English).toString(r.params);
      case ColMacs: return QLocale(QLocale::English).toString(r.macs);
      case ColWBits: return bitsText(r.w_bits);
      case ColABits: return bitsText(r.a_bits);
      case ColMethod: return r.method;
      case ColSensitivity: {
        if (!hasSensitivity()) return QString();
        const double v = sensitivityAt(index.row());
        return std::isnan(v) ? QStringLiteral("–") : QString::number(v, 'f', 3);
      }
    }
  } else if (role == Qt::CheckStateRole && index.column() == ColLock) {
    return locked_.contains(r.name) ? Qt::Checked : Qt::Unchecked;
  } else if (role == Qt::EditRole) {
    switch (index.column()) {
      case ColWBits: return r.w_bits;
      case ColABits: return r.a_bits;
      case ColMethod: return r.method;
      case ColParams: return r.params;
      case ColMacs: return r.macs;
      default: return data(index, Qt::DisplayRole);
    }
  } else if (role == Qt::TextAlignmentRole) {
    const int c = index.column();
    if (c == ColParams || c == ColMacs || c == ColWBits || c == ColABits || c == ColSensitivity)
      return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  } else if (role == Qt::BackgroundRole) {
    if (isInvalid(index.row(), index.column())) return QBrush(QColor(0xf8, 0xd7, 0xda));
    if (index.column() == ColSensitivity && hasSensitivity()) {
      const double v = sensitivityAt(index.row());
      if (!std::isnan(v)) return QBrush(heat(v, sensitivity_max_));
    }
  } else if (role == Qt::ToolTipRole) {
    const int c = index.column();
    if (isInvalid(index.row(), c)) return invalid_why_;
    if (c == ColSensitivity && sensitivity_.contains(r.name)) {
      const LayerSensitivity& s = sensitivity_[r.name];
      return tr("%1: loss increase with only this layer quantized (%2)\nweights: %3\nactivations: %4")
          .arg(r.name, sensitivity_about_, bits_line(s.w), bits_line(s.a));
    }
    if (c == ColLock) return tr("Locked layers keep their bits when the plan is fitted to a budget.");
    if (c == ColWBits || c == ColABits || c == ColMethod)
      return tr("Double-click to edit; with several rows selected, the value goes to all of them.");
  }
  return {};
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal) return QAbstractTableModel::headerData(section, o, role);
  if (role == Qt::DisplayRole) {
    static const char* names[] = {"Layer", "Type", "Output", "Params", "MACs", "W bits",
                                  "A bits", "Method", "Sensitivity", "Lock"};
    return section >= 0 && section < ColCount ? tr(names[section]) : QVariant();
  }
  if (role == Qt::ToolTipRole) {
    if (section == ColWBits) return tr("Bits per stored weight (FP32 = not quantized)");
    if (section == ColABits) return tr("Bits of the input activation the layer reads");
    if (section == ColMacs) return tr("Multiply-accumulates per image");
    if (section == ColSensitivity)
      return tr("Loss increase on calibration images with only this layer quantized at its bits "
                "(Plan › Measure sensitivity); darker: the layer suffers more");
    if (section == ColLock) return tr("Fit to budget leaves locked layers as they are");
  }
  return {};
}

Qt::ItemFlags LayerTableModel::flags(const QModelIndex& index) const {
  Qt::ItemFlags f = QAbstractTableModel::flags(index);
  const int c = index.column();
  if (c == ColWBits || c == ColABits || c == ColMethod) f |= Qt::ItemIsEditable;
  if (c == ColLock) f |= Qt::ItemIsUserCheckable;
  return f;
}

bool LayerTableModel::assign(LayerRow& row, int column, const QVariant& value) {
  if (column == ColMethod) {
    const QString m = value.toString();
    if (m.isEmpty() || m == row.method) return false;
    row.method = m;
    return true;
  }
  if (column != ColWBits && column != ColABits) return false;
  bool ok = false;
  const int bits = value.toInt(&ok);
  if (!ok || !bitsChoices(column).contains(bits)) return false;
  int& target = column == ColWBits ? row.w_bits : row.a_bits;
  if (target == bits) return false;
  target = bits;
  return true;
}

bool LayerTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!index.isValid() || index.row() >= rows_.size()) return false;
  if (role == Qt::CheckStateRole && index.column() == ColLock) {
    setLocked(rows_[index.row()].name, value.toInt() == Qt::Checked);
    return true;
  }
  if (role != Qt::EditRole) return false;
  return setColumnForRows({index.row()}, index.column(), value);
}

bool LayerTableModel::setColumnForRows(const QList<int>& rows, int column, const QVariant& value) {
  if (column != ColWBits && column != ColABits && column != ColMethod) return false;
  QVector<LayerRow> after = rows_;
  QStringList names;
  for (int r : rows) {
    if (r < 0 || r >= after.size()) continue;
    if (assign(after[r], column, value)) names << after[r].name;
  }
  if (names.isEmpty()) return false;
  const QString what = column == ColMethod ? value.toString()
                                           : headerData(column, Qt::Horizontal).toString() + " " +
                                                 bitsText(value.toInt());
  const QString where = names.size() == 1 ? names.front() : tr("%n layers", nullptr, names.size());
  return editRows(after, tr("%1 on %2").arg(what, where));
}

}  // namespace bitshift::widgets
