#pragma once
// The per-layer plan table: name, type, output shape, params, MACs (read-only) and W bits,
// A bits, method (editable, one row or many at once). Says planEdited() after every change.
// With an undo stack, every edit (a cell, a bulk apply, a preset) is one undoable step.
#include <QAbstractTableModel>
#include <QList>

class QUndoStack;

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
  // Edits go on `stack` from now on (the caller clears it when a new model's rows arrive).
  void setUndoStack(QUndoStack* stack) { undo_ = stack; }
  // The whole plan replaced as one edit called `text` (a preset); false when nothing changes.
  bool editRows(const QVector<LayerRow>& rows, const QString& text);
  // Cells the engine refuses (a method that cannot take these bits): shaded, with `why` as
  // their tooltip. Rows by index; empty lists clear the marks.
  void setInvalidCells(const QList<int>& w_rows, const QList<int>& a_rows, const QString& why);
  bool isInvalid(int row, int column) const;
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
  friend class PlanEdit;
  bool assign(LayerRow& row, int column, const QVariant& value);
  // Shows `rows` (same layers: changed rows repainted; else a reset) and says planEdited().
  void replaceRows(const QVector<LayerRow>& rows);

  QVector<LayerRow> rows_;
  QUndoStack* undo_ = nullptr;
  QList<int> invalid_w_, invalid_a_;
  QString invalid_why_;
};

}  // namespace bitshift::widgets
