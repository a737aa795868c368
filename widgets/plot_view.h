#pragma once
// What every studio plot does besides drawing its data: ranges fitted to the data (with a
// margin) until the user zooms or pans, a context menu (reset zoom, copy, save image), the
// legend below the axes (never over the data) and a note in the middle when there is nothing to
// draw and why.
#include <QObject>
#include <QString>

class QCPAxis;
class QCPItemText;
class QCustomPlot;

namespace bitshift::widgets {

class PlotView : public QObject {
  Q_OBJECT
 public:
  // Takes over `plot`'s context menu and, with `legend_columns` > 0, puts its legend below the
  // axes with that many entries per row.
  explicit PlotView(QCustomPlot* plot, int legend_columns = 3);

  // Whether the user has zoomed or panned since the last fit: fitted ranges then stay put.
  bool userView() const { return user_view_; }
  // Sets `axis` to [lo, hi] widened by `margin` of the span on each side (a flat series gets a
  // small span around its value); nothing when lo > hi (no data) or while userView().
  void fit(QCPAxis* axis, double lo, double hi, double margin = 0.06);
  // The note in the middle of the axes; empty hides it.
  void setNote(const QString& note);
  QString note() const;

 Q_SIGNALS:
  void resetRequested();  // "Reset zoom": the owner fits the ranges again

 private:
  void showMenu(const QPoint& at);

  QCustomPlot* plot_;
  QCPItemText* note_;
  bool user_view_ = false;
};

// Lowest and highest of `values` into *lo, *hi (left alone for an empty list; NaN skipped).
void widen(const QVector<double>& values, double* lo, double* hi);

}  // namespace bitshift::widgets
