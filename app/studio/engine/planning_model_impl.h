#pragma once
// What a PlanningModel holds (engine-internal; its functions live in several files).
#include <string>

#include "engine/studio_engine.h"
#include "train/model_source.h"

namespace bitshift::studio {

struct PlanningModel::Impl {
  LoadedModel loaded;
  std::string source, data;
  const Graph& graph() const { return loaded.module->graph(); }
};

}  // namespace bitshift::studio
