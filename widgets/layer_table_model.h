#pragma once
// The per-layer plan table: name, type, output shape, params, MACs (read-only) and W bits,
// A bits, method (editable, one row or many at once). Says planEdited() after every change.
// With an undo stack, every edit (a cell, a bulk apply, a preset) is one undoable step.
// Once measured, a Sensitivity column shows each layer's loss increase at its bits, shaded
// from white (harmless) to orange (the layer that suffers most); a Lock column marks the
// layers "Fit to budget" must leave as they are.
#include <QAbstractTableModel>
#include <QList>
#include <QMap>
#include <QStringList>

class QUndoStack;

#include "widgets/studio_types.h"

namespace bitshift::widgets {

class LayerTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { ColName, ColType, ColShape, ColParams, ColMacs, ColWBits, ColABits, ColMethod,
                ColSensitivity, ColLock, ColCount };

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
  // Per-layer sensitivity by layer name (`about`: what was measured, for the tooltips); an
  // empty list clears the column.
  void setSensitivity(const QVector<LayerSensitivity>& layers, const QString& about);
  bool hasSensitivity() const { return !sensitivity_.isEmpty(); }
  // Loss increase of `row` at its current bits (weights + activations); NaN where unmeasured.
  double sensitivityAt(int row) const;
  // Locked layers keep their bits through "Fit to budget" (not a plan edit: no undo step).
  QStringList lockedLayers() const;
  void setLocked(const QString& layer, bool locked);
  // Replaces every lock (names of layers not in the table are dropped).
  void setLockedLayers(const QStringList& layers);
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
  void locksChanged();

 private:
  friend class PlanEdit;
  bool assign(LayerRow& row, int column, const QVariant& value);
  // Shows `rows` (same layers: changed rows repainted; else a reset) and says planEdited().
  void replaceRows(const QVector<LayerRow>& rows);

  QVector<LayerRow> rows_;
  QUndoStack* undo_ = nullptr;
  QList<int> invalid_w_, invalid_a_;
  QString invalid_why_;
  QMap<QString, LayerSensitivity> sensitivity_;
  QString sensitivity_about_;
  double sensitivity_max_ = 0.0;  // the largest loss increase measured: the shading's top
  QStringList locked_;
};

}  // namespace bitshift::widgets
