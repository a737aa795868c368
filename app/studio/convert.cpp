#include "convert.h"

#include <QMap>

namespace bitshift::app {

QString qs(const std::string& s) { return QString::fromStdString(s); }
std::string ss(const QString& s) { return s.toStdString(); }

widgets::LayerRow to_row(const studio::EngineLayer& l) {
  widgets::LayerRow r;
  r.name = qs(l.name);
  r.type = qs(l.type);
  r.shape = qs(l.shape);
  r.params = l.params;
  r.macs = l.macs;
  r.w_bits = l.w_bits;
  r.a_bits = l.a_bits;
  r.method = qs(l.method);
  return r;
}

studio::EngineLayer to_engine(const widgets::LayerRow& r) {
  studio::EngineLayer l;
  l.name = ss(r.name);
  l.type = ss(r.type);
  l.shape = ss(r.shape);
  l.params = r.params;
  l.macs = r.macs;
  l.w_bits = r.w_bits;
  l.a_bits = r.a_bits;
  l.method = ss(r.method);
  return l;
}

QVector<widgets::LayerRow> to_rows(const std::vector<studio::EngineLayer>& layers) {
  QVector<widgets::LayerRow> rows;
  for (const auto& l : layers) rows.push_back(to_row(l));
  return rows;
}

std::vector<studio::EngineLayer> to_engine(const QVector<widgets::LayerRow>& rows) {
  std::vector<studio::EngineLayer> layers;
  for (const auto& r : rows) layers.push_back(to_engine(r));
  return layers;
}

widgets::CostTotals to_totals(const studio::EngineCost& c) {
  widgets::CostTotals t;
  t.bops = c.bops;
  t.fp32_bops = c.fp32_bops;
  t.weight_bits = c.weight_bits;
  t.fp32_weight_bits = c.fp32_weight_bits;
  t.macs = c.macs;
  t.problem = qs(c.problem);
  t.bad_w_rows = QList<int>(c.bad_weight_rows.begin(), c.bad_weight_rows.end());
  t.bad_a_rows = QList<int>(c.bad_activation_rows.begin(), c.bad_activation_rows.end());
  return t;
}

widgets::TrainingTick to_tick(const studio::TrainReport& r) {
  widgets::TrainingTick t;
  t.step = r.step;
  t.steps_total = r.steps_total;
  t.epoch = r.epoch;
  t.epochs = r.epochs;
  t.loss = r.loss;
  t.train_top1 = r.train_top1;
  t.has_train = r.has_train;
  t.has_test = r.has_test;
  t.test_top1 = r.test_top1;
  t.elapsed_seconds = r.elapsed_seconds;
  t.eta_seconds = r.eta_seconds;
  t.images_per_second = r.images_per_second;
  t.stage = r.stage;
  t.num_stages = r.num_stages;
  for (const auto& v : r.traces) t.traces.push_back({qs(v.layer), qs(v.kind), qs(v.quantity), v.value});
  for (const auto& h : r.histograms) {
    widgets::ErrorHistogramData d;
    d.layer = qs(h.layer);
    d.kind = qs(h.kind);
    d.lo = h.lo;
    d.hi = h.hi;
    for (int64_t c : h.counts) d.counts.push_back(c);
    t.histograms.push_back(d);
  }
  return t;
}

widgets::FpgaTotals to_fpga(const studio::EngineEstimate& e) {
  widgets::FpgaTotals t;
  t.device = qs(e.device);
  if (!e.logic_name.empty()) t.logic_name = qs(e.logic_name);
  if (!e.ram_name.empty()) t.ram_name = qs(e.ram_name);
  t.dsps = e.dsps;
  t.luts = e.luts;
  t.ram_blocks = e.ram_blocks;
  t.dsp_use = e.dsp_use;
  t.lut_use = e.lut_use;
  t.ram_use = e.ram_use;
  t.fits = e.fits;
  t.images_per_second = e.images_per_second;
  t.problem = qs(e.problem);
  return t;
}

QVector<widgets::MethodChoice> method_choices() {
  QVector<widgets::MethodChoice> out;
  for (const auto& m : studio::methods()) out.push_back({qs(m.id), qs(m.name), qs(m.description)});
  return out;
}

QString plan_label(const QVector<widgets::LayerRow>& rows) {
  // The (method, w, a) most layers use; "+" marks a plan with other entries too.
  QMap<QString, int> counts;
  for (const auto& r : rows)
    if (r.w_bits != widgets::kFpBits || r.a_bits != widgets::kFpBits)
      ++counts[QStringLiteral("%1 w%2a%3").arg(r.method).arg(r.w_bits).arg(r.a_bits)];
  if (counts.isEmpty()) return QStringLiteral("fp32");
  QString best;
  for (auto it = counts.cbegin(); it != counts.cend(); ++it)
    if (best.isEmpty() || it.value() > counts.value(best)) best = it.key();
  return counts.size() == 1 ? best : best + "+";
}

}  // namespace bitshift::app
