#pragma once
// The always-visible cost strip: BOPs, weight memory and MACs of the current plan, each with
// its change from the FP32 model, the engine's objection when the plan is not valid, and the
// FPGA resource estimate (a second line, filled in when it arrives).
#include <QWidget>

#include "widgets/studio_types.h"

class QLabel;

namespace bitshift::widgets {

class CostSummary : public QWidget {
  Q_OBJECT
 public:
  explicit CostSummary(QWidget* parent = nullptr);
  void setTotals(const CostTotals& totals);
  void setFpga(const FpgaTotals& fpga);
  const FpgaTotals& fpga() const { return fpga_; }
  QString fpgaText() const;
  const CostTotals& totals() const { return totals_; }
  QString bopsText() const;     // what the BOPs label reads, for tests
  QString weightsText() const;  // what the weights label reads

  // "3.41e+10", and "133.8 KiB" / "1.2 MiB" for a number of bits.
  static QString formatBops(double bops);
  static QString formatBits(qint64 bits);

 private:
  CostTotals totals_;
  FpgaTotals fpga_;
  QLabel* fpga_label_;
  QLabel* bops_;
  QLabel* weights_;
  QLabel* macs_;
  QLabel* problem_;
};

}  // namespace bitshift::widgets
