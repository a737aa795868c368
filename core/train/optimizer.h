#pragma once
// Optimizers for training runs: SGD (momentum, Nesterov, weight decay) or Adam, built from a
// TrainConfig, with the learning rate set per step by the schedule.
#include <torch/optim/optimizer.h>

#include <memory>
#include <string>
#include <vector>

#include "graph/graph_module.h"
#include "train/train_config.h"

namespace bitshift {

// `extra` parameters (quantizer clamps, steps) form a second group without weight decay.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(GraphModule& model, const TrainConfig& c,
                                                        const std::vector<torch::Tensor>& extra = {});
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);
// The optimizer's state (momentum buffers...) as bytes, for checkpoints.
std::string save_optimizer_state(torch::optim::Optimizer& optimizer);
void load_optimizer_state(torch::optim::Optimizer& optimizer, const std::string& bytes);

}  // namespace bitshift
