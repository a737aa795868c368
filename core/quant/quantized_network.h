#pragma once
// A GraphModule with a QuantPlan attached: one weight quantizer per quantized Conv2d/Linear and
// one activation quantizer per activation site (the node whose output a quantized layer reads:
// a ReLU, the network input, ...), applied through the graph's ForwardHooks. The graph itself
// is not copied or re-described.
#include <torch/nn/module.h>

#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "graph/forward_hooks.h"
#include "graph/op.h"
#include "graph/graph_module.h"
#include "quant/plan.h"
#include "quant/quantizer.h"

namespace bitshift {

struct ActivationSite {
  int node = 0;          // the node whose output is quantized
  int observed = 0;      // the node whose output calibration observes (a ReLU's input)
  int bits = 32;
  bool is_signed = false;
  std::string method;
  std::vector<int> readers;  // weight layers that read this site, in graph order
  // Where the values matter: a tensor only table ops read needs no grid beyond where they are
  // flat (a hard-swish input below -3), so calibration sees its values clamped to this.
  ValueRange live;
};

// The node whose grid `node`'s output is on: itself, or what pools and reshapes pass codes from.
int grid_source(const Graph& graph, int node);

// The nodes whose outputs are quantized, each op treated as its QuantRole says (graph/op.h):
// - for each weight layer with a_bits < 32, the node whose output it reads, walking back through
//   what passes codes (max and average pools, flatten, dropout, slices, shuffles);
// - where the quantized network uses a table op (sigmoid, hard-swish, ...) or a product of two
//   tensors (squeeze-excitation gates), its output and inputs, with the bits of what reads it;
// - concat, add, batchnorm and ReLU stay wide: a grid sits where a quantized op reads them, so
//   the inputs of a concat meet on its output's grid and an add's inputs keep their own scales.
// Sites shared by several readers take the largest bits.
std::vector<ActivationSite> activation_sites(const Graph& graph, const QuantPlan& plan);

class QuantHooks : public ForwardHooks, public torch::nn::Module {
 public:
  QuantHooks(const Graph& graph, const QuantPlan& plan);

  torch::Tensor weight(int node, const torch::Tensor& w) override;
  // NICE layers whose weights and input are quantized: the bias on the 16-bit accumulator grid.
  torch::Tensor bias(int node, const torch::Tensor& b) override;
  torch::Tensor output(int node, const torch::Tensor& y) override;
  bool replaces(int node) const override;
  torch::Tensor replacement(int node, const torch::Tensor& input) override;

  // While calibrating, values pass through unchanged and sites observe them.
  void set_calibrating(bool on) { calibrating_ = on; }
  // Data-parallel calibration: each replica runs its rows of a batch and every site observes
  // the whole batch (all replicas' rows gathered), so initialisations are the same as one
  // process's on the same batches. Null: observe this process's rows.
  void set_replicas(Replicas* r) { replicas_ = r; }

  // While recording, each site keeps its last quantization error (q - x) for the histograms.
  void set_recording(bool on) { recording_ = on; }
  const std::map<int, torch::Tensor>& recorded_errors() const { return errors_; }

  // While set, weight() returns these quantized weights (in the dtype asked for) instead of
  // quantizing again: a float64 evaluation then keeps the float32 weight codes the lowering
  // exports, rather than re-rounding weights that lie within float32 rounding of a boundary.
  void freeze_weights(std::map<int, torch::Tensor> quantized) { frozen_ = std::move(quantized); }

  std::shared_ptr<WeightQuantizer> weight_quantizer(int node) const;
  std::shared_ptr<ActivationQuantizer> activation_quantizer(int site_node) const;
  const std::vector<ActivationSite>& sites() const { return sites_; }
  // Every weight layer that has a weight quantizer, in graph order.
  std::vector<int> quantized_layers() const;

 private:
  std::map<int, std::shared_ptr<WeightQuantizer>> weights_;
  std::map<int, std::shared_ptr<ActivationQuantizer>> activations_;  // by site node
  std::map<int, std::vector<int>> observed_to_sites_;  // a ReLU site observes its input
  std::map<int, ValueRange> live_;                     // by site node
  std::map<int, int> input_site_;  // weight layer -> the site it reads
  std::set<int> relu_sites_;  // sites that are a ReLU's output
  std::vector<ActivationSite> sites_;
  std::map<int, torch::Tensor> errors_;
  std::map<int, torch::Tensor> frozen_;
  bool calibrating_ = false;
  Replicas* replicas_ = nullptr;
  bool recording_ = false;
};

// The model with the plan's quantizers attached (hooks installed on `model`).
struct QuantizedNetwork {
  GraphModule model{nullptr};
  std::shared_ptr<QuantHooks> hooks;
  QuantPlan plan;
};

// Validates the plan against the graph and installs the quantizers.
QuantizedNetwork attach_quantizers(GraphModule model, const QuantPlan& plan);

// Runs `batches` of inputs through the FP network so activation sites see their statistics,
// then initialises every quantizer (weights from the FP32 weights).
void calibrate(QuantizedNetwork& net, const std::vector<torch::Tensor>& batches);

}  // namespace bitshift
