#pragma once
// Plain values the widgets show: one layer of a quantization plan, one live training report,
// one finished run. app/ fills them from the engine; no LibTorch type ever reaches widgets/.
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QVector>

namespace bitshift::widgets {

constexpr int kFpBits = 32;  // "full precision" in a bits column

// One weight layer (Conv2d/Linear) of the model with its plan entry.
struct LayerRow {
  QString name, type, shape;  // node name, "conv2d → relu"/"linear", output shape "16x14x14"
  qint64 params = 0, macs = 0;
  int w_bits = kFpBits, a_bits = kFpBits;
  QString method;
};

// How much the network suffers with only this layer quantized (loss increase on calibration
// images), per bit-width of its weights (w) and of the activation it reads (a).
struct LayerSensitivity {
  QString name;
  QMap<int, double> w, a;
};

// One value a quantizer reports during training: e.g. conv1 / weight / clamp = 0.83.
struct TraceValue {
  QString layer, kind, quantity;  // kind: "weight" or "activation"
  double value = 0.0;
};

// Quantization error (quantized − float) of one layer's weights or activations, binned over
// [lo, hi].
struct ErrorHistogramData {
  QString layer, kind;
  double lo = 0.0, hi = 0.0;
  QVector<qint64> counts;
};

// What a running QAT job reports, copied across threads by value.
struct TrainingTick {
  qint64 step = 0, steps_total = 0;  // global step (the final report repeats the last one)
  int epoch = 0, epochs = 0;
  double loss = 0.0, train_top1 = 0.0;
  bool has_train = false;  // loss/train_top1 are valid (false on the closing report)
  bool has_test = false;   // test_top1 is valid (after an epoch's evaluation, and at the end)
  double test_top1 = 0.0;
  double elapsed_seconds = 0.0, eta_seconds = 0.0, images_per_second = 0.0;
  int stage = 0, num_stages = 0;  // gradual methods
  QVector<TraceValue> traces;
  QVector<ErrorHistogramData> histograms;
};

// A finished quantization run, as the runs table and the comparison plot show it.
struct RunRow {
  QString name;       // e.g. "resnet20 nice w4a4 #2"
  QString model, data, method, preset;
  double top1 = 0.0, top5 = 0.0, fp32_top1 = 0.0;
  double bops = 0.0, fp32_bops = 0.0;
  qint64 weight_bits = 0;
  double wall_seconds = 0.0;
  QString checkpoint;  // the quantized checkpoint it wrote
  QString started_at;
  QVector<LayerRow> plan;
  // This run's last export: where it went and its verdict line ("PASS: ...", "WRITTEN: ...").
  QString export_path, export_verdict;
};

// Why a run's plan cannot export to integers as it stands (its FP32 layers), or empty.
QString notExportableReason(const RunRow& run);

// A quantization method as the method combos offer it; the description is the tooltip.
struct MethodChoice {
  QString id, name, description;
};

// Totals the cost summary shows; FP32 values are the same model with every layer at 32 bits.
struct CostTotals {
  double bops = 0.0, fp32_bops = 0.0;
  qint64 weight_bits = 0, fp32_weight_bits = 0;
  qint64 macs = 0;
  QString problem;  // the engine's objection to the plan, empty when it is valid
  QList<int> bad_w_rows, bad_a_rows;  // with a problem: the rows whose bits it refuses
};

// The FPGA resource estimate of the current plan, as the cost strip shows it.
struct FpgaTotals {
  bool pending = false;  // being computed for the latest edit
  QString device;
  QString logic_name = QStringLiteral("LUT"), ram_name = QStringLiteral("RAM blocks");  // the device's own units
  qint64 dsps = 0, luts = 0, ram_blocks = 0;
  double dsp_use = 0, lut_use = 0, ram_use = 0;  // fractions of the device
  bool fits = false;
  double images_per_second = 0;
  QString problem;  // why there is no estimate, or empty
};

}  // namespace bitshift::widgets

Q_DECLARE_METATYPE(bitshift::widgets::FpgaTotals)
Q_DECLARE_METATYPE(bitshift::widgets::TrainingTick)
Q_DECLARE_METATYPE(bitshift::widgets::RunRow)
