#pragma once
// The live training dashboard's plots: loss and accuracy against the step; every selected
// layer's clamp/step/threshold values against the step (legend, layer list to pick them); the
// current layer's weight and activation quantization-error histograms.
//
// Reports are buffered and drawn by a single-shot timer at most every kMinReplotMs (~20 times
// a second, replot(rpQueuedReplot)) however fast they arrive; series are LiveSeries (bounded).
#include <QHash>
#include <QSet>
#include <QTimer>
#include <QWidget>

#include "widgets/live_series.h"
#include "widgets/studio_types.h"

class QCPBars;
class QCPGraph;
class QCustomPlot;
class QListWidget;
class QListWidgetItem;

namespace bitshift::widgets {

class PlotView;

class TrainingPlots : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kMinReplotMs = 50;

  explicit TrainingPlots(QWidget* parent = nullptr);

  // A new run: clears every series and lists `layers` (the first few checked), then the
  // quantized tensors no layer reads (`activation_only`: gates, tables' inputs).
  void startRun(const QStringList& layers, const QStringList& activation_only = {});
  // Buffers reports; they are drawn at the next timer tick.
  void appendTicks(const QVector<TrainingTick>& ticks);
  // Draws what is buffered now (the timer calls it; tests and the end of a run too).
  void flush();

  void setLayerShown(const QString& layer, bool shown);
  void setHistogramLayer(const QString& layer);

  // For tests and the status line.
  QStringList layers() const;         // listed: the plan's layers, then activation-only sites
  int lossPoints() const { return loss_.size(); }
  int accuracyPoints() const { return train_acc_.size() + test_acc_.size(); }
  int tracePoints() const;            // over every trace series
  int visibleTraceGraphs() const;
  int histogramBins() const;          // bars drawn for the current layer (weight + activation)
  int replotCount() const { return replots_; }
  int pendingTicks() const { return pending_.size(); }

  QCustomPlot* lossPlot() const { return loss_plot_; }
  QCustomPlot* tracePlot() const { return trace_plot_; }
  QCustomPlot* weightHistogramPlot() const { return weight_hist_; }
  QCustomPlot* activationHistogramPlot() const { return act_hist_; }
  // The note a plot shows instead of data ("No run yet", "this method learns no clamp"), or empty.
  QString note(QCustomPlot* plot) const;

 private:
  void absorb(const TrainingTick& tick);
  void rebuildTraceGraphs();
  void drawHistograms();
  void onItemChanged(QListWidgetItem* item);

  QTimer timer_;
  QVector<TrainingTick> pending_;
  int replots_ = 0;
  qint64 last_step_ = 0;

  LiveSeries loss_, train_acc_, test_acc_;
  QHash<QString, LiveSeries> traces_;  // "layer\tkind\tquantity"
  QHash<QString, QCPGraph*> trace_graphs_;
  QStringList trace_order_;            // first-seen order, for stable colours
  QHash<QString, ErrorHistogramData> histograms_;  // "layer\tkind": the latest one
  bool traces_dirty_ = false;
  QString histogram_layer_;
  QSet<QString> activation_only_;
  bool started_ = false;   // a run has started (the notes say "no run yet" before)
  bool reported_ = false;  // its first training step has been reported

  QCustomPlot* loss_plot_;
  QCustomPlot* trace_plot_;
  QCustomPlot* weight_hist_;
  QCustomPlot* act_hist_;
  QCPBars* weight_bars_;
  QCPBars* act_bars_;
  QListWidget* layers_;
  PlotView *loss_view_, *trace_view_, *weight_view_, *act_view_;
};

}  // namespace bitshift::widgets
