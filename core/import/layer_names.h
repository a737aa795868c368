#pragma once
// Layer names as the user knows them: module paths such as "layer1.0.conv1", recovered from
// what exporters write (ONNX node names "/layer1/layer1.0/conv1/Conv", parameter names
// "layer1.0.conv1.weight"), made valid and unique for the graph.
#include <set>
#include <string>

namespace bitshift {

// The module path in an exporter's scope name: "/layer1/layer1.0/conv1/Conv" -> "layer1.0.conv1",
// "/features/features.0/features.0.0/Conv" -> "features.0.0"; "" when there is no scope.
std::string module_path_from_scope(const std::string& onnx_node_name);

// "layer1.0.conv1.weight" -> "layer1.0.conv1"; "" for names that are not a module's parameter
// (e.g. "onnx::Conv_193", which the exporter gives to folded weights).
std::string module_path_from_parameter(const std::string& parameter_name);

// Hands out unique names made of [A-Za-z0-9_] parts joined by dots (what GraphModule's
// parameter paths and `--layer NAME=W/A` can carry).
class LayerNamer {
 public:
  std::string unique(const std::string& wanted, const std::string& fallback);
  bool taken(const std::string& name) const { return used_.count(name) > 0; }

 private:
  std::set<std::string> used_;
};

}  // namespace bitshift
