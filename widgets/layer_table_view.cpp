#include "widgets/layer_table_view.h"

#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "widgets/layer_table_model.h"
#include "widgets/plan_delegate.h"

namespace bitshift::widgets {

namespace {

QComboBox* bits_combo(int column, QWidget* parent) {
  auto* combo = new QComboBox(parent);
  combo->addItem(QObject::tr("keep"), 0);
  for (int bits : LayerTableModel::bitsChoices(column))
    combo->addItem(LayerTableModel::bitsText(bits), bits);
  return combo;
}

}  // namespace

LayerTableView::LayerTableView(LayerTableModel* model, QWidget* parent)
    : QWidget(parent), model_(model), table_(new QTableView(this)) {
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::SelectedClicked |
                          QAbstractItemView::EditKeyPressed);
  table_->setAlternatingRowColors(true);
  table_->setTabKeyNavigation(false);  // Tab leaves the table for the bulk bar below
  table_->verticalHeader()->setVisible(false);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(LayerTableModel::ColName, QHeaderView::Stretch);
  delegate_ = new PlanDelegate(table_, this);
  table_->setItemDelegate(delegate_);

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Selected rows:"), this));
  bar->addWidget(new QLabel(tr("W"), this));
  w_bits_ = bits_combo(LayerTableModel::ColWBits, this);
  w_bits_->setToolTip(tr("Weight bits for every selected row"));
  bar->addWidget(w_bits_);
  bar->addWidget(new QLabel(tr("A"), this));
  a_bits_ = bits_combo(LayerTableModel::ColABits, this);
  a_bits_->setToolTip(tr("Input-activation bits for every selected row"));
  bar->addWidget(a_bits_);
  auto* apply = new QPushButton(tr("Apply"), this);
  apply->setToolTip(tr("Set the chosen bits on every selected row"));
  connect(apply, &QPushButton::clicked, this, &LayerTableView::applyToSelection);
  bar->addWidget(apply);
  bar->addStretch(1);

  notice_ = new QFrame(this);
  notice_->setObjectName(QStringLiteral("plan-notice"));
  notice_->setStyleSheet(QStringLiteral("#plan-notice { background: #fff4ce; border: 1px solid #e0c060; }"));
  notice_text_ = new QLabel(notice_);
  notice_text_->setWordWrap(true);
  notice_text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  notice_button_ = new QPushButton(notice_);
  connect(notice_button_, &QPushButton::clicked, this, &LayerTableView::noticeActionClicked);
  auto* notice_layout = new QHBoxLayout(notice_);
  notice_layout->setContentsMargins(8, 4, 8, 4);
  notice_layout->addWidget(notice_text_, 1);
  notice_layout->addWidget(notice_button_);
  notice_->hide();

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(notice_);
  layout->addWidget(table_, 1);
  layout->addLayout(bar);
}

void LayerTableView::setNotice(const QString& text, const QString& action) {
  notice_text_->setText(text);
  notice_button_->setText(action);
  notice_button_->setVisible(!action.isEmpty());
  notice_->setVisible(!text.isEmpty());
}

QString LayerTableView::notice() const { return notice_->isVisibleTo(this) ? notice_text_->text() : QString(); }

void LayerTableView::setMethods(const QVector<MethodChoice>& methods) {
  delegate_->setMethods(methods);
}

QList<int> LayerTableView::selectedRows() const {
  QList<int> rows;
  for (const QModelIndex& i : table_->selectionModel()->selectedRows()) rows.push_back(i.row());
  std::sort(rows.begin(), rows.end());
  return rows;
}

void LayerTableView::applyToSelection() {
  const QList<int> rows = selectedRows();
  if (rows.isEmpty()) return;
  if (int w = w_bits_->currentData().toInt(); w > 0)
    model_->setColumnForRows(rows, LayerTableModel::ColWBits, w);
  if (int a = a_bits_->currentData().toInt(); a > 0)
    model_->setColumnForRows(rows, LayerTableModel::ColABits, a);
}

}  // namespace bitshift::widgets
