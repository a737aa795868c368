#include "import/imported_graph.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace bitshift {

Checkpoint imported_checkpoint(const Graph& built, int output,
                               const std::map<std::string, torch::Tensor>& tensors) {
  std::vector<bool> needed(built.size(), false);
  needed[output] = true;
  for (int i = output; i > 0; --i)
    if (needed[i])
      for (int in : built.node(i).inputs) needed[in] = true;
  nlohmann::json j = built.to_json();
  nlohmann::json kept = nlohmann::json::array();
  for (int i = 1; i <= output; ++i)
    if (needed[i]) kept.push_back(j["nodes"][i - 1]);
  j["nodes"] = kept;
  j["num_classes"] = built.node(output).out_shape.c;
  Checkpoint ck;
  ck.graph = Graph::from_json(j);
  for (const auto& [name, t] : tensors) {
    const std::string layer = name.substr(0, name.rfind('.'));
    if (ck.graph.find(layer) >= 0) ck.tensors[name] = t;
  }
  return ck;
}

}  // namespace bitshift
