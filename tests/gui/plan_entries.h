#pragma once
// The plan table's rows as engine_reference.h takes them: "conv1=nice:4/8".
#include <string>
#include <vector>

#include "widgets/layer_table_model.h"

namespace bitshift::test {

inline std::vector<std::string> plan_entries(const widgets::LayerTableModel& model) {
  std::vector<std::string> out;
  for (const auto& r : model.rows())
    out.push_back(QStringLiteral("%1=%2:%3/%4")
                      .arg(r.name, r.method)
                      .arg(r.w_bits)
                      .arg(r.a_bits)
                      .toStdString());
  return out;
}

}  // namespace bitshift::test
