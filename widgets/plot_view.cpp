#include "widgets/plot_view.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>

#include <cmath>

#include "widgets/plot_export.h"
#include "widgets/qcp.h"

namespace bitshift::widgets {

PlotView::PlotView(QCustomPlot* plot, int legend_columns) : QObject(plot), plot_(plot) {
  // The legend in its own row under the axes, filled left to right.
  if (legend_columns > 0 && plot_->axisRect()->insetLayout()->take(plot_->legend)) {
    plot_->plotLayout()->addElement(plot_->plotLayout()->rowCount(), 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(plot_->plotLayout()->rowCount() - 1, 0.001);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->legend->setWrap(legend_columns);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setMargins(QMargins(4, 0, 4, 2));
  }
  note_ = new QCPItemText(plot_);
  note_->setClipToAxisRect(false);
  note_->position->setType(QCPItemPosition::ptAxisRectRatio);
  note_->position->setCoords(0.5, 0.45);
  note_->setPositionAlignment(Qt::AlignCenter);
  note_->setColor(QColor(110, 110, 110));
  note_->setVisible(false);

  // A press that drags or a wheel turn is the user's own view: fitting stops until Reset zoom.
  connect(plot_, &QCustomPlot::mouseWheel, this, [this] { user_view_ = true; });
  connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
    if (e->buttons() & Qt::LeftButton) user_view_ = true;
  });
  plot_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(plot_, &QWidget::customContextMenuRequested, this, &PlotView::showMenu);
}

void PlotView::fit(QCPAxis* axis, double lo, double hi, double margin) {
  if (user_view_ || !(lo <= hi) || !std::isfinite(lo) || !std::isfinite(hi)) return;
  double span = hi - lo;
  if (span <= 0.0) {  // one value: a span of 20 % of it around it (or ±0.5 around zero)
    span = std::abs(hi) > 0.0 ? 0.2 * std::abs(hi) : 1.0;
    lo -= span / 2;
    hi += span / 2;
    margin = 0.0;
  }
  axis->setRange(lo - margin * span, hi + margin * span);
}

void PlotView::setNote(const QString& note) {
  note_->setText(note);
  note_->setVisible(!note.isEmpty());
}

QString PlotView::note() const { return note_->visible() ? note_->text() : QString(); }


void PlotView::showMenu(const QPoint& at) {
  QMenu menu(plot_);
  menu.addAction(tr("Reset zoom"), this, [this] {
    user_view_ = false;
    Q_EMIT resetRequested();
  });
  menu.addAction(tr("Copy image"), this, [this] { QApplication::clipboard()->setPixmap(plot_->toPixmap()); });
  menu.addAction(tr("Save image…"), this, [this] {
    const QString path = QFileDialog::getSaveFileName(plot_, tr("Save plot"), QStringLiteral("plot.png"), plotFileFilter());
    QString error;
    if (!path.isEmpty() && !savePlot(plot_, path, &error)) QMessageBox::warning(plot_, tr("Save plot"), error);
  });
  menu.exec(plot_->mapToGlobal(at));
}

void widen(const QVector<double>& values, double* lo, double* hi) {
  for (double v : values) {
    if (std::isnan(v)) continue;
    *lo = std::min(*lo, v);
    *hi = std::max(*hi, v);
  }
}

}  // namespace bitshift::widgets
