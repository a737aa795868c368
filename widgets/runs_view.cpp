#include "widgets/runs_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

#include "widgets/layer_table_model.h"
#include "widgets/plot_view.h"
#include "widgets/qcp.h"
#include "widgets/runs_model.h"

namespace bitshift::widgets {

namespace {
constexpr int kMaxLabels = 24;  // beyond this the names would only overlap
}

RunsView::RunsView(QWidget* parent)
    : QWidget(parent),
      model_(new RunsModel(this)),
      table_(new QTableView(this)),
      scatter_(new QCustomPlot(this)),
      compare_(new QTableWidget(this)),
      hint_(new QLabel(this)) {
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setToolTip(tr("Select two runs to compare their per-layer plans"));
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &RunsView::compareSelected);

  scatter_->plotLayout()->insertRow(0);
  scatter_->plotLayout()->addElement(
      0, 0, new QCPTextElement(scatter_, tr("Top-1 against BOPs (Pareto front in red)"),
                               QFont(font().family(), 10, QFont::Bold)));
  scatter_->xAxis->setLabel(tr("BOPs per image (log)"));
  scatter_->yAxis->setLabel(tr("top-1 %"));
  scatter_->xAxis->setScaleType(QCPAxis::stLogarithmic);
  scatter_->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
  // "2.5·10⁹": two significant digits, so ticks within one decade stay distinct.
  scatter_->xAxis->setNumberFormat("gb");
  scatter_->xAxis->setNumberPrecision(2);
  scatter_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  scatter_->setMinimumSize(300, 220);
  auto* all = scatter_->addGraph();
  all->setName(tr("runs"));
  all->setLineStyle(QCPGraph::lsNone);
  all->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(60, 90, 160), 9));
  auto* front = scatter_->addGraph();
  front->setName(tr("Pareto front"));
  front->setLineStyle(QCPGraph::lsStepLeft);
  front->setPen(QPen(QColor(200, 30, 30), 1.5, Qt::DashLine));
  front->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(200, 30, 30), 9));
  scatter_->legend->setVisible(true);
  view_ = new PlotView(scatter_, 2);
  connect(view_, &PlotView::resetRequested, this, &RunsView::redraw);

  compare_->setColumnCount(3);
  compare_->setHorizontalHeaderLabels({tr("Layer"), tr("A: W/A"), tr("B: W/A")});
  compare_->verticalHeader()->setVisible(false);
  compare_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  compare_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);  // whole names
  compare_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  compare_->setToolTip(tr("Per-layer plans of the two selected runs; differing layers are marked"));

  auto* lower = new QSplitter(Qt::Horizontal);
  lower->addWidget(scatter_);
  auto* compare_box = new QWidget;
  auto* compare_layout = new QVBoxLayout(compare_box);
  compare_layout->setContentsMargins(0, 0, 0, 0);
  hint_->setWordWrap(true);
  compare_layout->addWidget(hint_);
  compare_layout->addWidget(compare_);
  lower->addWidget(compare_box);
  lower->setStretchFactor(0, 3);
  lower->setStretchFactor(1, 2);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(table_);
  split->addWidget(lower);
  split->setStretchFactor(1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);
  redraw();
}

void RunsView::addRun(const RunRow& run) {
  model_->addRun(run);
  redraw();
}

void RunsView::setRuns(const QVector<RunRow>& runs) {
  model_->setRuns(runs);
  redraw();
}

const QVector<RunRow>& RunsView::runs() const { return model_->runs(); }

void RunsView::redraw() {
  const QVector<RunRow>& runs = model_->runs();
  QVector<double> x, y, fx, fy;
  for (const RunRow& r : runs) {
    x << std::max(r.bops, 1.0);
    y << r.top1;
  }
  for (int i : model_->front()) {
    fx << std::max(runs[i].bops, 1.0);
    fy << runs[i].top1;
  }
  scatter_->graph(0)->setData(x, y);
  scatter_->graph(1)->setData(fx, fy, true);
  for (QCPItemText* label : labels_) scatter_->removeItem(label);  // not clearItems(): the note stays
  labels_.clear();
  view_->setNote(runs.isEmpty() ? tr("No runs yet: each finished run appears here") : QString());
  if (runs.isEmpty()) {
    scatter_->xAxis->setRange(1e6, 1e11);
    scatter_->yAxis->setRange(0, 100);
  } else {
    // Fitted to the runs: a log axis a little wider than their BOPs, top-1 with a margin (more
    // below, where the legend sits) and never past 100 %.
    double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
    widen(x, &x_lo, &x_hi);
    widen(y, &y_lo, &y_hi);
    if (!view_->userView()) {
      scatter_->xAxis->setRange(x_lo / 1.3, x_hi * 1.3);
      const double margin = std::max(0.5, 0.1 * (y_hi - y_lo));
      scatter_->yAxis->setRange(y_lo - 2 * margin, std::min(100.5, y_hi + margin));
    }
  }
  // Names beside their points: to the left in the right half of the axis (they would run off
  // it), and one below instead of above when two points are close (they would overlap).
  const QCPRange xr = scatter_->xAxis->range(), yr = scatter_->yAxis->range();
  const double x_mid = std::sqrt(xr.lower * xr.upper);
  for (int i = 0; i < runs.size() && i < kMaxLabels; ++i) {
    bool crowded = false;
    for (int j = 0; j < i && j < kMaxLabels; ++j)
      crowded = crowded || (std::abs(y[i] - y[j]) < 0.06 * yr.size() &&
                            std::abs(std::log(x[i] / x[j])) < 0.25 * std::log(xr.upper / xr.lower));
    auto* label = new QCPItemText(scatter_);
    labels_ << label;
    label->position->setCoords(x[i], y[i]);
    const Qt::Alignment side = x[i] > x_mid ? Qt::AlignRight : Qt::AlignLeft;
    label->setPositionAlignment(side | (crowded ? Qt::AlignTop : Qt::AlignBottom));
    label->setPadding(side == Qt::AlignLeft ? QMargins(6, 4, 0, 4) : QMargins(0, 4, 6, 4));
    label->setText(runs[i].name);
    label->setFont(QFont(font().family(), 8));
  }
  scatter_->replot(QCustomPlot::rpQueuedReplot);
  compareSelected();
}

void RunsView::selectPair(int a, int b) {
  auto* sel = table_->selectionModel();
  sel->clearSelection();
  for (int r : {a, b})
    sel->select(model_->index(r, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

void RunsView::compareSelected() {
  QList<int> rows;
  for (const QModelIndex& i : table_->selectionModel()->selectedRows()) rows << i.row();
  std::sort(rows.begin(), rows.end());
  compare_->setRowCount(0);
  if (rows.size() != 2) {
    hint_->setText(rows.isEmpty() || model_->runs().size() < 2
                       ? tr("Select two runs (Ctrl+click) to compare their plans.")
                       : tr("%1 selected: select exactly two runs to compare their plans.")
                             .arg(rows.size() == 1 ? tr("1 run") : tr("%1 runs").arg(rows.size())));
    return;
  }
  const RunRow &a = model_->runs()[rows[0]], &b = model_->runs()[rows[1]];
  hint_->setText(tr("A: %1\nB: %2").arg(a.name, b.name));
  compare_->horizontalHeaderItem(1)->setToolTip(a.name);
  compare_->horizontalHeaderItem(2)->setToolTip(b.name);
  const auto bits = [](const LayerRow* l) {
    return l ? QStringLiteral("%1 / %2  %3")
                   .arg(LayerTableModel::bitsText(l->w_bits), LayerTableModel::bitsText(l->a_bits),
                        l->method)
             : QStringLiteral("—");
  };
  QStringList layers;
  for (const LayerRow& l : a.plan) layers << l.name;
  for (const LayerRow& l : b.plan)
    if (!layers.contains(l.name)) layers << l.name;
  compare_->setRowCount(layers.size());
  for (int r = 0; r < layers.size(); ++r) {
    const LayerRow *la = nullptr, *lb = nullptr;
    for (const LayerRow& l : a.plan) if (l.name == layers[r]) la = &l;
    for (const LayerRow& l : b.plan) if (l.name == layers[r]) lb = &l;
    const QString ta = bits(la), tb = bits(lb);
    compare_->setItem(r, 0, new QTableWidgetItem(layers[r]));
    compare_->setItem(r, 1, new QTableWidgetItem(ta));
    compare_->setItem(r, 2, new QTableWidgetItem(tb));
    if (ta != tb)
      for (int c = 0; c < 3; ++c) compare_->item(r, c)->setBackground(QColor(255, 236, 200));
  }
}

QString RunsView::comparisonHint() const { return hint_->text(); }
QString RunsView::scatterNote() const { return view_->note(); }

int RunsView::scatterPoints() const { return scatter_->graph(0)->dataCount(); }
int RunsView::frontPoints() const { return scatter_->graph(1)->dataCount(); }

}  // namespace bitshift::widgets
