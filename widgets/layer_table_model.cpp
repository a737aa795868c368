#include "widgets/layer_table_model.h"

#include <QBrush>
#include <QColor>
#include <QLocale>
#include <QUndoCommand>
#include <QUndoStack>

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

}  // namespace

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayerTableModel::setRows(const QVector<LayerRow>& rows) {
  beginResetModel();
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
    }
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
    if (c == ColParams || c == ColMacs || c == ColWBits || c == ColABits)
      return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  } else if (role == Qt::BackgroundRole) {
    if (isInvalid(index.row(), index.column())) return QBrush(QColor(0xf8, 0xd7, 0xda));
  } else if (role == Qt::ToolTipRole) {
    const int c = index.column();
    if (isInvalid(index.row(), c)) return invalid_why_;
    if (c == ColWBits || c == ColABits || c == ColMethod)
      return tr("Double-click to edit; with several rows selected, the value goes to all of them.");
  }
  return {};
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal) return QAbstractTableModel::headerData(section, o, role);
  if (role == Qt::DisplayRole) {
    static const char* names[] = {"Layer", "Type", "Output", "Params", "MACs", "W bits",
                                  "A bits", "Method"};
    return section >= 0 && section < ColCount ? tr(names[section]) : QVariant();
  }
  if (role == Qt::ToolTipRole) {
    if (section == ColWBits) return tr("Bits per stored weight (FP32 = not quantized)");
    if (section == ColABits) return tr("Bits of the input activation the layer reads");
    if (section == ColMacs) return tr("Multiply-accumulates per image");
  }
  return {};
}

Qt::ItemFlags LayerTableModel::flags(const QModelIndex& index) const {
  Qt::ItemFlags f = QAbstractTableModel::flags(index);
  const int c = index.column();
  if (c == ColWBits || c == ColABits || c == ColMethod) f |= Qt::ItemIsEditable;
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
  if (role != Qt::EditRole || !index.isValid()) return false;
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
