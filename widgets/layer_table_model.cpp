#include "widgets/layer_table_model.h"

#include <QLocale>

namespace bitshift::widgets {

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayerTableModel::setRows(const QVector<LayerRow>& rows) {
  beginResetModel();
  rows_ = rows;
  endResetModel();
  Q_EMIT planEdited();
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
  } else if (role == Qt::ToolTipRole) {
    const int c = index.column();
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
  bool changed = false;
  for (int r : rows) {
    if (r < 0 || r >= rows_.size()) continue;
    if (assign(rows_[r], column, value)) {
      changed = true;
      Q_EMIT dataChanged(index(r, column), index(r, column));
    }
  }
  if (changed) Q_EMIT planEdited();
  return changed;
}

}  // namespace bitshift::widgets
