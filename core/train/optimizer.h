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

// `extra` parameters (quantizer clamps, steps) form a second group, whose learning rate is
// `extra_lr_scale` times the model's (N2UQ trains its thresholds at lr/10) and which has weight
// decay only when `extra_weight_decay` (NICE's c_a and PACT's α take the global L2).
std::unique_ptr<torch::optim::Optimizer> make_optimizer(GraphModule& model, const TrainConfig& c,
                                                        const std::vector<torch::Tensor>& extra = {},
                                                        double extra_lr_scale = 1.0,
                                                        bool extra_weight_decay = false);
// Sets the model group's learning rate to `lr` and the extra group's to lr·extra_lr_scale.
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr, double extra_lr_scale = 1.0);
// The optimizer's state (momentum buffers...) as bytes, for checkpoints.
std::string save_optimizer_state(torch::optim::Optimizer& optimizer);
// Restores it onto `device`, where the optimizer's parameters live.
void load_optimizer_state(torch::optim::Optimizer& optimizer, const std::string& bytes,
                          torch::Device device = torch::kCPU);

}  // namespace bitshift
