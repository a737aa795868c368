#pragma once
// The per-layer plan table: name, type, output shape, params, MACs (read-only) and W bits,
// A bits, method (editable, one row or many at once). Says planEdited() after every change.
#include <QAbstractTableModel>
#include <QList>

#include "widgets/studio_types.h"

namespace bitshift::widgets {

class LayerTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { ColName, ColType, ColShape, ColParams, ColMacs, ColWBits, ColABits, ColMethod,
                ColCount };

  explicit LayerTableModel(QObject* parent = nullptr);

  void setRows(const QVector<LayerRow>& rows);  // a new model or plan: resets the view
  const QVector<LayerRow>& rows() const { return rows_; }
  // Sets one editable column (ColWBits, ColABits: int; ColMethod: id) on many rows at once;
  // one planEdited() for the whole change. Returns false for a non-editable column.
  bool setColumnForRows(const QList<int>& rows, int column, const QVariant& value);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

  // "FP32" for 32 bits, else the number.
  static QString bitsText(int bits);
  // The choices of a bits column: weights 1..8 and FP; activations also 16.
  static QVector<int> bitsChoices(int column);

 Q_SIGNALS:
  void planEdited();

 private:
  bool assign(LayerRow& row, int column, const QVariant& value);

  QVector<LayerRow> rows_;
};

}  // namespace bitshift::widgets
