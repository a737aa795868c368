#pragma once
// The model graph: the single description of a CNN that training, cost metrics, quantization,
// lowering and export all read. Nodes are kept in topological order; node 0 is the input.
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "graph/node.h"

namespace bitshift {

class Graph {
 public:
  Graph() = default;
  Graph(std::string name, Shape input, int num_classes);

  // Appends a node after validating its inputs and inferring its output shape; returns its
  // index. Throws Error naming the node when shapes do not fit.
  int add(Node node);

  const std::string& name() const { return name_; }
  int num_classes() const { return num_classes_; }
  Shape input_shape() const { return nodes_.front().out_shape; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& node(int index) const { return nodes_.at(index); }
  int size() const { return static_cast<int>(nodes_.size()); }
  int output() const { return size() - 1; }
  // Index of the node called `name`, or -1.
  int find(const std::string& name) const;
  // Indices of the nodes that consume node `index`.
  std::vector<int> consumers(int index) const;
  // Indices of Conv2d and Linear nodes, in order: the layers that get quantized.
  std::vector<int> weight_layers() const;

  // Trainable parameter count and multiply-accumulates per sample, of one node and in total.
  int64_t params(int index) const;
  int64_t macs(int index) const;
  int64_t total_params() const;
  int64_t total_macs() const;

  nlohmann::json to_json() const;
  // Rebuilds (and re-validates) a graph; throws Error naming the bad node or field.
  static Graph from_json(const nlohmann::json& j);

 private:
  std::string name_;
  int num_classes_ = 0;
  std::vector<Node> nodes_;
};

// A one-line-per-node table: name, op, output shape, params, MACs, and totals.
std::string summary_table(const Graph& graph);

}  // namespace bitshift
