#pragma once
// Editors of the plan table: a combo of bit-widths (1..8, 16 for activations, FP32) or of
// methods (tooltips say what each does). An edit on a selected row goes to every selected row.
#include <QStyledItemDelegate>

#include "widgets/studio_types.h"

class QAbstractItemView;

namespace bitshift::widgets {

class PlanDelegate : public QStyledItemDelegate {
  Q_OBJECT
 public:
  PlanDelegate(QAbstractItemView* view, QObject* parent = nullptr);
  void setMethods(const QVector<MethodChoice>& methods) { methods_ = methods; }

  QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                        const QModelIndex& index) const override;
  void setEditorData(QWidget* editor, const QModelIndex& index) const override;
  void setModelData(QWidget* editor, QAbstractItemModel* model,
                    const QModelIndex& index) const override;

 private:
  QAbstractItemView* view_;
  QVector<MethodChoice> methods_;
};

}  // namespace bitshift::widgets
