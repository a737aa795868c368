#pragma once
// The plan table with its bulk editor: select rows (shift/ctrl-click), pick W and A bits,
// Apply. Editing one cell of a selection also sets every selected row (PlanDelegate).
#include <QWidget>

#include "widgets/studio_types.h"

class QComboBox;
class QFrame;
class QLabel;
class QPushButton;
class QTableView;

namespace bitshift::widgets {

class LayerTableModel;
class PlanDelegate;

class LayerTableView : public QWidget {
  Q_OBJECT
 public:
  LayerTableView(LayerTableModel* model, QWidget* parent = nullptr);
  void setMethods(const QVector<MethodChoice>& methods);
  QTableView* table() const { return table_; }
  QList<int> selectedRows() const;
  // Applies the bulk bar's W/A choice to the selected rows (what the Apply button does).
  void applyToSelection();
  // A warning above the table (e.g. "this plan will not export"), with a button offering the
  // fix when `action` is not empty; an empty `text` hides it.
  void setNotice(const QString& text, const QString& action = QString());
  QString notice() const;
  QPushButton* noticeButton() const { return notice_button_; }

 Q_SIGNALS:
  void noticeActionClicked();

 private:
  LayerTableModel* model_;
  QTableView* table_;
  PlanDelegate* delegate_;
  QComboBox* w_bits_;
  QComboBox* a_bits_;
  QFrame* notice_;
  QLabel* notice_text_;
  QPushButton* notice_button_;
};

}  // namespace bitshift::widgets
