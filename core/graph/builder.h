#pragma once
// GraphBuilder: a terse way to write a network as a graph (used by the model zoo and tests).
// Each call appends one node and returns its index, to be passed on as the next input.
#include <string>

#include "graph/graph.h"

namespace bitshift {

class GraphBuilder {
 public:
  GraphBuilder(std::string name, Shape input, int num_classes)
      : graph_(std::move(name), input, num_classes) {}

  int input() const { return 0; }
  int conv(const std::string& name, int from, int64_t out_channels, int64_t kernel,
           int64_t stride = 1, int64_t padding = 0, int64_t groups = 1, bool bias = false);
  int linear(const std::string& name, int from, int64_t out_features, bool bias = true);
  int bn(const std::string& name, int from);
  int relu(const std::string& name, int from);
  int relu6(const std::string& name, int from);
  int maxpool(const std::string& name, int from, int64_t kernel, int64_t stride,
              int64_t padding = 0);
  int avgpool(const std::string& name, int from, int64_t kernel, int64_t stride,
              int64_t padding = 0);
  int global_avgpool(const std::string& name, int from);
  int add(const std::string& name, int a, int b);
  int flatten(const std::string& name, int from);
  int dropout(const std::string& name, int from, double p);

  // Any op: `attrs` carries the attributes of its kind (ops/<name>.cpp says which).
  int add_node(const std::string& name, OpKind kind, std::vector<int> inputs, Node attrs = {});

  const Node& node(int index) const { return graph_.node(index); }
  Graph build() { return std::move(graph_); }

 private:
  Graph graph_;
};

}  // namespace bitshift
