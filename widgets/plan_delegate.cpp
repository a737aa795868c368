#include "widgets/plan_delegate.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QItemSelectionModel>

#include "widgets/layer_table_model.h"

namespace bitshift::widgets {

PlanDelegate::PlanDelegate(QAbstractItemView* view, QObject* parent)
    : QStyledItemDelegate(parent), view_(view) {}

QWidget* PlanDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                                    const QModelIndex& index) const {
  const int column = index.column();
  if (column != LayerTableModel::ColWBits && column != LayerTableModel::ColABits &&
      column != LayerTableModel::ColMethod)
    return QStyledItemDelegate::createEditor(parent, option, index);
  auto* combo = new QComboBox(parent);
  if (column == LayerTableModel::ColMethod) {
    for (const MethodChoice& m : methods_) {
      combo->addItem(m.id, m.id);
      combo->setItemData(combo->count() - 1, m.name + QStringLiteral(": ") + m.description,
                         Qt::ToolTipRole);
    }
  } else {
    for (int bits : LayerTableModel::bitsChoices(column))
      combo->addItem(LayerTableModel::bitsText(bits), bits);
  }
  // A choice is an edit: commit at once instead of waiting for the focus to leave.
  connect(combo, &QComboBox::activated, this, [this, combo]() {
    auto* self = const_cast<PlanDelegate*>(this);
    Q_EMIT self->commitData(combo);
    Q_EMIT self->closeEditor(combo);
  });
  return combo;
}

void PlanDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
  auto* combo = qobject_cast<QComboBox*>(editor);
  if (!combo) return QStyledItemDelegate::setEditorData(editor, index);
  const int i = combo->findData(index.data(Qt::EditRole));
  if (i >= 0) combo->setCurrentIndex(i);
}

void PlanDelegate::setModelData(QWidget* editor, QAbstractItemModel* model,
                                const QModelIndex& index) const {
  auto* combo = qobject_cast<QComboBox*>(editor);
  auto* table = qobject_cast<LayerTableModel*>(model);
  if (!combo || !table) return QStyledItemDelegate::setModelData(editor, model, index);
  QList<int> rows;
  if (view_ && view_->selectionModel()) {
    for (const QModelIndex& r : view_->selectionModel()->selectedRows()) rows.push_back(r.row());
  }
  if (!rows.contains(index.row())) rows = {index.row()};
  table->setColumnForRows(rows, index.column(), combo->currentData());
}

}  // namespace bitshift::widgets
