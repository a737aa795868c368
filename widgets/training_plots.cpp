#include "widgets/training_plots.h"

#include <QHBoxLayout>
#include <QListWidget>
#include <QSplitter>
#include <QVBoxLayout>
#include "widgets/qcp.h"

namespace bitshift::widgets {

namespace {

constexpr int kShownByDefault = 4;

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
  plot->setMinimumSize(260, 180);
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
      weight_hist_(make_plot(tr("Weight quantization error"), tr("quantized − float"), tr("count"), this)),
      act_hist_(make_plot(tr("Activation quantization error"), tr("quantized − float"), tr("count"), this)),
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
  loss_plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignVCenter);

  trace_plot_->legend->setVisible(true);
  trace_plot_->legend->setFont(QFont(font().family(), 8));
  trace_plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignTop);
  weight_bars_ = make_bars(weight_hist_, series_colors()[0]);
  act_bars_ = make_bars(act_hist_, series_colors()[1]);

  layers_->setToolTip(tr("Tick layers to plot their quantizer parameters; the selected layer's "
                         "error histograms are shown on the right"));
  layers_->setMaximumWidth(200);
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
  trace_graphs_.clear();
  trace_plot_->clearGraphs();
  histograms_.clear();
  last_step_ = 0;
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
  loss_plot_->graph(0)->rescaleAxes();
  loss_plot_->xAxis->setRange(0, std::max<double>(1.0, last_step_));
  loss_plot_->yAxis->setRangeLower(0.0);

  QSet<QString> shown;
  for (int i = 0; i < layers_->count(); ++i)
    if (layers_->item(i)->checkState() == Qt::Checked) shown.insert(layers_->item(i)->text());
  bool any = false;
  for (auto it = trace_graphs_.begin(); it != trace_graphs_.end(); ++it) {
    const LiveSeries& s = traces_[it.key()];
    it.value()->setData(s.keys(), s.values(), true);
    const bool visible = shown.contains(split_key(it.key(), 0));
    it.value()->setVisible(visible);
    if (visible) {
      it.value()->addToLegend();
      it.value()->rescaleAxes(any);
      any = true;
    } else {
      it.value()->removeFromLegend();
    }
  }
  if (any) trace_plot_->yAxis->scaleRange(1.1, trace_plot_->yAxis->range().center());
  trace_plot_->xAxis->setRange(0, std::max<double>(1.0, last_step_));
  drawHistograms();

  for (QCustomPlot* p : {loss_plot_, trace_plot_, weight_hist_, act_hist_})
    p->replot(QCustomPlot::rpQueuedReplot);
  ++replots_;
}

void TrainingPlots::drawHistograms() {
  const auto draw = [&](QCPBars* bars, QCustomPlot* plot, const QString& kind) {
    const auto it = histograms_.constFind(histogram_layer_ + '\t' + kind);
    if (it == histograms_.constEnd() || it->counts.isEmpty()) {
      bars->data()->clear();
      return;
    }
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
    plot->rescaleAxes();
    plot->yAxis->setRangeLower(0.0);
    plot->xAxis->scaleRange(1.05, plot->xAxis->range().center());
  };
  draw(weight_bars_, weight_hist_, QStringLiteral("weight"));
  draw(act_bars_, act_hist_, QStringLiteral("activation"));
  const QString title = histogram_layer_.isEmpty() ? QString() : histogram_layer_ + ": ";
  const bool activation_only = activation_only_.contains(histogram_layer_);
  if (auto* t = qobject_cast<QCPTextElement*>(weight_hist_->plotLayout()->element(0, 0)))
    t->setText(title + (activation_only ? tr("no weights") : tr("weight quantization error")));
  if (auto* t = qobject_cast<QCPTextElement*>(act_hist_->plotLayout()->element(0, 0)))
    t->setText(title + (activation_only ? tr("activation quantization error")
                                        : tr("input-activation quantization error")));
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
