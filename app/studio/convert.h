#pragma once
// Engine values (std) <-> the widgets' values (Qt). The one place the two vocabularies meet.
#include "engine/studio_engine.h"
#include "widgets/studio_types.h"

namespace bitshift::app {

QString qs(const std::string& s);
std::string ss(const QString& s);

widgets::LayerRow to_row(const studio::EngineLayer& layer);
studio::EngineLayer to_engine(const widgets::LayerRow& row);
QVector<widgets::LayerRow> to_rows(const std::vector<studio::EngineLayer>& layers);
std::vector<studio::EngineLayer> to_engine(const QVector<widgets::LayerRow>& rows);

widgets::CostTotals to_totals(const studio::EngineCost& cost);
widgets::TrainingTick to_tick(const studio::TrainReport& report);
widgets::FpgaTotals to_fpga(const studio::EngineEstimate& estimate);
QVector<widgets::MethodChoice> method_choices();

// "nice w4a4": the method and bits most quantized layers use, "+" when others differ.
QString plan_label(const QVector<widgets::LayerRow>& rows);

}  // namespace bitshift::app
