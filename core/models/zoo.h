#pragma once
// The model zoo: well-known CNNs written as graphs, for any input shape and class count.
#include <string>
#include <vector>

#include "graph/graph.h"

namespace bitshift {

struct ZooEntry {
  std::string name;
  std::string description;
};

// Every model build_model() knows, with a one-line description each.
const std::vector<ZooEntry>& zoo_models();

// Builds a zoo model by name; `width` is MobileNetV2's width multiplier (ignored by others).
// Throws Error listing the known names for an unknown one.
Graph build_model(const std::string& name, Shape input, int num_classes, double width = 1.0);

Graph lenet5(Shape input, int num_classes);
Graph cnv(Shape input, int num_classes);
Graph cnn3(Shape input, int num_classes);
Graph resnet20(Shape input, int num_classes);
Graph resnet18(Shape input, int num_classes);
Graph mobilenetv2(Shape input, int num_classes, double width = 1.0);

}  // namespace bitshift
