#pragma once
// What max and average pools share: their window as attributes (JSON and checks in window.h),
// and that they keep their input's quantization codes (a max picks one; an average only sums).
#include <nlohmann/json.hpp>

#include "graph/op.h"
#include "graph/ops/window.h"

namespace bitshift {

struct WindowPoolOp : Op {
  QuantRole quant_role(const Node&) const override { return QuantRole::PassesCodes; }
  OutputSign output_sign(const Node&) const override { return OutputSign::AsInputs; }
  void write_attrs(const Node& n, nlohmann::json& j) const override { write_window(n.window, j); }
  void read_attrs(const nlohmann::json& j, Node& n) const override {
    n.window = read_window(j, "layer '" + n.name + "'");
  }
};

}  // namespace bitshift
