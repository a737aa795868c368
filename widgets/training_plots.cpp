#include "widgets/training_plots.h"

#include <QHBoxLayout>
#include <QListWidget>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

#include "widgets/plot_view.h"
#include "widgets/qcp.h"

namespace bitshift::widgets {

namespace {

constexpr int kShownByDefault = 4;
constexpr double kNone = std::numeric_limits<double>::infinity();
constexpr double kPileFactor = 20.0;  // a bin this many times the median bin is a pile

// Whether one bin towers over the median of the non-empty ones.
bool piled(const QVector<qint64>& counts) {
  QVector<qint64> filled;
  for (qint64 c : counts)
    if (c > 0) filled << c;
  if (filled.size() < 3) return false;
  std::sort(filled.begin(), filled.end());
  return static_cast<double>(filled.back()) > kPileFactor * static_cast<double>(filled[filled.size() / 2]);
}

const QVector<QColor>& series_colors() {
  static const QVector<QColor> colors = {
      QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44), QColor(214, 39, 40),
      QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194), QColor(127, 127, 127),
      QColor(188, 189, 34), QColor(23, 190, 207)};
  return colors;
}

QCustomPlot* make_plot(const QString& title, const QString& x, const QString& y, QWidget* parent) {
  auto* plot = new QCustomPlot(parent);
  plot->plotLayout()->insertRow(0);
  auto* text = new QCPTextElement(plot, title, QFont(plot->font().family(), 10, QFont::Bold));
  plot->plotLayout()->addElement(0, 0, text);
  plot->xAxis->setLabel(x);
  plot->yAxis->setLabel(y);
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot->setMinimumSize(200, 160);  // three side by side fit a 1000x700 window
  plot->setNoAntialiasingOnDrag(true);
  return plot;
}

QString split_key(const QString& key, int part) { return key.section('\t', part, part); }

QCPBars* make_bars(QCustomPlot* plot, const QColor& color) {
  auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
  bars->setPen(QPen(color.darker(130)));
  bars->setBrush(color);
  return bars;
}

}  // namespace

TrainingPlots::TrainingPlots(QWidget* parent)
    : QWidget(parent),
      loss_(4000), train_acc_(4000), test_acc_(400),
      loss_plot_(make_plot(tr("Loss and top-1"), tr("step"), tr("loss"), this)),
      trace_plot_(make_plot(tr("Quantizer parameters (clamp / step)"), tr("step"), tr("value"), this)),
      weight_hist_(make_plot(tr("Weight error"), tr("quantized − float"), tr("count"), this)),
      act_hist_(make_plot(tr("Input-activation error"), tr("quantized − float"), tr("count"), this)),
      layers_(new QListWidget(this)) {
  timer_.setSingleShot(true);
  timer_.setInterval(kMinReplotMs);
  connect(&timer_, &QTimer::timeout, this, &TrainingPlots::flush);

  loss_plot_->addGraph();  // loss, left axis
  loss_plot_->graph(0)->setName(tr("training loss"));
  loss_plot_->graph(0)->setPen(QPen(series_colors()[0], 1.5));
  loss_plot_->addGraph(loss_plot_->xAxis, loss_plot_->yAxis2);  // running train top-1
  loss_plot_->graph(1)->setName(tr("train top-1 %"));
  loss_plot_->graph(1)->setPen(QPen(series_colors()[2], 1.5));
  loss_plot_->addGraph(loss_plot_->xAxis, loss_plot_->yAxis2);  // test top-1 per evaluation
  loss_plot_->graph(2)->setName(tr("test top-1 %"));
  loss_plot_->graph(2)->setLineStyle(QCPGraph::lsNone);
  loss_plot_->graph(2)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, series_colors()[3], 8));
  loss_plot_->yAxis2->setVisible(true);
  loss_plot_->yAxis2->setLabel(tr("top-1 %"));
  loss_plot_->yAxis2->setRange(0, 100);
  loss_plot_->legend->setVisible(true);
  trace_plot_->legend->setVisible(true);
  trace_plot_->legend->setFont(QFont(font().family(), 8));
  loss_view_ = new PlotView(loss_plot_, 3);
  trace_view_ = new PlotView(trace_plot_, 2);
  // Colour = the layer (as in the list beside the histograms), line = weights or activations:
  // a two-entry legend instead of one per series, which buried the plot.
  for (const bool activation : {false, true}) {
    auto* key = trace_plot_->addGraph();
    key->setName(activation ? tr("activations") : tr("weights"));  // the key's line shows which
    key->setPen(QPen(QColor(90, 90, 90), 1.5, activation ? Qt::DashLine : Qt::SolidLine));
  }
  weight_view_ = new PlotView(weight_hist_, 0);  // no legend: the title names the layer
  act_view_ = new PlotView(act_hist_, 0);
  for (PlotView* v : {loss_view_, trace_view_, weight_view_, act_view_})
    connect(v, &PlotView::resetRequested, this, &TrainingPlots::flush);
  for (QCustomPlot* hist : {weight_hist_, act_hist_}) hist->xAxis->ticker()->setTickCount(4);  // labels apart
  weight_bars_ = make_bars(weight_hist_, series_colors()[0]);
  act_bars_ = make_bars(act_hist_, series_colors()[1]);

  layers_->setToolTip(tr("Tick layers to plot their quantizer parameters; the selected layer's "
                         "error histograms are shown on the right"));
  layers_->setMaximumWidth(180);
  connect(layers_, &QListWidget::itemChanged, this, &TrainingPlots::onItemChanged);
  connect(layers_, &QListWidget::currentTextChanged, this, &TrainingPlots::setHistogramLayer);

  auto* top = new QSplitter(Qt::Horizontal);
  top->addWidget(loss_plot_);
  top->addWidget(trace_plot_);
  auto* bottom = new QSplitter(Qt::Horizontal);
  bottom->addWidget(layers_);
  bottom->addWidget(weight_hist_);
  bottom->addWidget(act_hist_);
  bottom->setStretchFactor(1, 1);
  bottom->setStretchFactor(2, 1);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(top);
  split->addWidget(bottom);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);
}

void TrainingPlots::startRun(const QStringList& plan_layers, const QStringList& activation_only) {
  const QStringList layers = plan_layers + activation_only;
  activation_only_ = QSet<QString>(activation_only.begin(), activation_only.end());
  timer_.stop();
  pending_.clear();
  loss_.clear();
  train_acc_.clear();
  test_acc_.clear();
  traces_.clear();
  trace_order_.clear();
  for (QCPGraph* g : trace_graphs_) trace_plot_->removeGraph(g);  // the two legend keys stay
  trace_graphs_.clear();
  histograms_.clear();
  last_step_ = 0;
  started_ = true;
  reported_ = false;
  {
    const QSignalBlocker block(layers_);
    layers_->clear();
    for (int i = 0; i < layers.size(); ++i) {
      auto* item = new QListWidgetItem(layers[i], layers_);
      item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
      item->setCheckState(i < kShownByDefault ? Qt::Checked : Qt::Unchecked);
      item->setForeground(series_colors()[i % series_colors().size()]);
    }
  }
  histogram_layer_ = layers.isEmpty() ? QString() : layers.front();
  if (!layers.isEmpty()) layers_->setCurrentRow(0);
  flush();
}

void TrainingPlots::appendTicks(const QVector<TrainingTick>& ticks) {
  pending_ += ticks;
  if (!timer_.isActive()) timer_.start();
}

void TrainingPlots::absorb(const TrainingTick& t) {
  if (t.has_train) last_step_ = std::max(last_step_, t.step);
  reported_ = reported_ || t.has_train;
  const double x = static_cast<double>(last_step_);
  if (t.has_train) {
    loss_.append(x, t.loss);
    train_acc_.append(x, t.train_top1);
  }
  if (t.has_test) test_acc_.append(x, t.test_top1);
  for (const TraceValue& v : t.traces) {
    const QString key = v.layer + '\t' + v.kind + '\t' + v.quantity;
    auto it = traces_.find(key);
    if (it == traces_.end()) {
      it = traces_.insert(key, LiveSeries(1000));
      trace_order_ << key;
      traces_dirty_ = true;
    }
    it->append(x, v.value);
  }
  for (const ErrorHistogramData& h : t.histograms) histograms_[h.layer + '\t' + h.kind] = h;
}

void TrainingPlots::rebuildTraceGraphs() {
  QStringList layer_names;
  for (int i = 0; i < layers_->count(); ++i) layer_names << layers_->item(i)->text();
  for (const QString& key : trace_order_) {
    if (trace_graphs_.contains(key)) continue;
    const QString layer = split_key(key, 0), kind = split_key(key, 1);
    auto* g = trace_plot_->addGraph();
    g->removeFromLegend();
    const int index = std::max<qsizetype>(0, layer_names.indexOf(layer));
    QPen pen(series_colors()[index % series_colors().size()], 1.5);
    if (kind == QLatin1String("activation")) pen.setStyle(Qt::DashLine);
    g->setPen(pen);
    g->setName(QStringLiteral("%1 %2 %3")
                   .arg(layer, kind == QLatin1String("weight") ? "w" : "a", split_key(key, 2)));
    trace_graphs_.insert(key, g);
  }
  traces_dirty_ = false;
}

void TrainingPlots::flush() {
  timer_.stop();
  QVector<TrainingTick> ticks;
  ticks.swap(pending_);
  for (const TrainingTick& t : ticks) absorb(t);
  if (traces_dirty_) rebuildTraceGraphs();

  loss_plot_->graph(0)->setData(loss_.keys(), loss_.values(), true);
  loss_plot_->graph(1)->setData(train_acc_.keys(), train_acc_.values(), true);
  loss_plot_->graph(2)->setData(test_acc_.keys(), test_acc_.values(), true);
  // Ranges follow the data (with a margin) unless the user has zoomed or panned.
  const double last = std::max<double>(1.0, static_cast<double>(last_step_));
  double lo = kNone, hi = -kNone;
  widen(loss_.values(), &lo, &hi);
  loss_view_->fit(loss_plot_->yAxis, std::min(0.0, lo), hi);
  double acc_lo = kNone, acc_hi = -kNone;
  widen(train_acc_.values(), &acc_lo, &acc_hi);
  widen(test_acc_.values(), &acc_lo, &acc_hi);
  loss_view_->fit(loss_plot_->yAxis2, acc_lo, acc_hi);
  loss_view_->fit(loss_plot_->xAxis, 0.0, last, 0.03);  // the last test dot whole
  const QString waiting = started_ ? tr("Calibrating; the first step is on its way…")
                                   : tr("No run yet: press Train");
  loss_view_->setNote(loss_.size() == 0 ? waiting : QString());

  QSet<QString> shown;
  for (int i = 0; i < layers_->count(); ++i)
    if (layers_->item(i)->checkState() == Qt::Checked) shown.insert(layers_->item(i)->text());
  double trace_lo = kNone, trace_hi = -kNone;
  for (auto it = trace_graphs_.begin(); it != trace_graphs_.end(); ++it) {
    const LiveSeries& s = traces_[it.key()];
    it.value()->setData(s.keys(), s.values(), true);
    const bool visible = shown.contains(split_key(it.key(), 0));
    it.value()->setVisible(visible);
    if (visible) widen(s.values(), &trace_lo, &trace_hi);
  }
  trace_view_->fit(trace_plot_->yAxis, trace_lo, trace_hi);
  trace_view_->fit(trace_plot_->xAxis, 0.0, last, 0.03);
  QString trace_note;
  if (!reported_)
    trace_note = waiting;
  else if (traces_.isEmpty())
    trace_note = tr("This method learns no clamp, step or threshold: nothing to plot");
  else if (!(trace_lo <= trace_hi))
    trace_note = tr("Tick layers in the list to plot their quantizer parameters");
  trace_view_->setNote(trace_note);
  // Legends only beside data: no legend box over an empty plot.
  loss_plot_->legend->setVisible(loss_.size() > 0);
  trace_plot_->legend->setVisible(!trace_graphs_.isEmpty());
  drawHistograms();

  for (QCustomPlot* p : {loss_plot_, trace_plot_, weight_hist_, act_hist_})
    p->replot(QCustomPlot::rpQueuedReplot);
  ++replots_;
}

void TrainingPlots::drawHistograms() {
  const bool activation_only = activation_only_.contains(histogram_layer_);
  const auto draw = [&](QCPBars* bars, PlotView* view, QCustomPlot* plot, const QString& kind) {
    const auto it = histograms_.constFind(histogram_layer_ + '\t' + kind);
    if (it == histograms_.constEnd() || it->counts.isEmpty()) {
      bars->data()->clear();
      view->setNote(!started_ ? tr("No run yet: press Train")
                    : kind == QLatin1String("weight") && activation_only
                        ? tr("No weights: this tensor is only an activation")
                        : tr("Drawn at the first report"));
      return;
    }
    view->setNote({});
    const int n = it->counts.size();
    const double width = (it->hi - it->lo) / n;
    QVector<double> x(n), y(n);
    for (int i = 0; i < n; ++i) {
      x[i] = it->lo + (i + 0.5) * width;
      y[i] = static_cast<double>(it->counts[i]);
    }
    bars->setWidth(width);
    bars->setData(x, y, true);
    bars->setName(histogram_layer_);
    double top = 0.0, unused = kNone;
    widen(y, &unused, &top);
    // One bin far above the rest (clipped values piled at one error, an image's background)
    // flattens every other bar to nothing: the count axis then goes logarithmic, and says so.
    const bool log = piled(it->counts);
    plot->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (log != (plot->yAxis->ticker().dynamicCast<QCPAxisTickerLog>() != nullptr)) {
      if (log)
        plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
      else
        plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    plot->yAxis->setLabel(log ? tr("count (log)") : tr("count"));
    bars->setBaseValue(log ? 0.5 : 0.0);  // a log axis has no 0: a count of 1 still shows
    if (log)
      view->fit(plot->yAxis, 0.5, top * 1.6, 0.0);
    else
      view->fit(plot->yAxis, 0.0, top * 1.06, 0.0);  // from 0: a margin on top only
    view->fit(plot->xAxis, it->lo, it->hi, 0.03);
  };
  draw(weight_bars_, weight_view_, weight_hist_, QStringLiteral("weight"));
  draw(act_bars_, act_view_, act_hist_, QStringLiteral("activation"));
  // The layer on its own line: long names no longer push the title out of a narrow plot.
  const QString title = histogram_layer_.isEmpty() ? QString() : histogram_layer_ + "\n";
  if (auto* t = qobject_cast<QCPTextElement*>(weight_hist_->plotLayout()->element(0, 0)))
    t->setText(title + (activation_only ? tr("no weights") : tr("weight error")));
  if (auto* t = qobject_cast<QCPTextElement*>(act_hist_->plotLayout()->element(0, 0)))
    t->setText(title + (activation_only ? tr("activation error") : tr("input-activation error")));
}

void TrainingPlots::onItemChanged(QListWidgetItem*) {
  if (!timer_.isActive()) timer_.start();
}

void TrainingPlots::setLayerShown(const QString& layer, bool shown) {
  for (int i = 0; i < layers_->count(); ++i)
    if (layers_->item(i)->text() == layer)
      layers_->item(i)->setCheckState(shown ? Qt::Checked : Qt::Unchecked);
}

void TrainingPlots::setHistogramLayer(const QString& layer) {
  histogram_layer_ = layer;
  if (!timer_.isActive()) timer_.start();
}

QString TrainingPlots::note(QCustomPlot* plot) const {
  if (plot == loss_plot_) return loss_view_->note();
  if (plot == trace_plot_) return trace_view_->note();
  if (plot == weight_hist_) return weight_view_->note();
  if (plot == act_hist_) return act_view_->note();
  return {};
}

int TrainingPlots::tracePoints() const {
  int n = 0;
  for (const LiveSeries& s : traces_) n += s.size();
  return n;
}

int TrainingPlots::visibleTraceGraphs() const {
  int n = 0;
  for (QCPGraph* g : trace_graphs_) n += g->visible() ? 1 : 0;
  return n;
}

QStringList TrainingPlots::layers() const {
  QStringList out;
  for (int i = 0; i < layers_->count(); ++i) out << layers_->item(i)->text();
  return out;
}

int TrainingPlots::histogramBins() const {
  return weight_bars_->data()->size() + act_bars_->data()->size();
}

}  // namespace bitshift::widgets
