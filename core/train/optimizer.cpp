#include "train/optimizer.h"

#include <torch/torch.h>

#include <sstream>

namespace bitshift {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(GraphModule& model, const TrainConfig& c,
                                                        const std::vector<torch::Tensor>& extra,
                                                        double extra_lr_scale,
                                                        bool extra_weight_decay) {
  const double extra_wd = extra_weight_decay ? c.weight_decay : 0.0;
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (c.optimizer == OptimizerKind::OptimizerAdam) {
    auto opts = torch::optim::AdamOptions(c.lr).weight_decay(c.weight_decay);
    groups.emplace_back(model->parameters(), std::make_unique<torch::optim::AdamOptions>(opts));
    if (!extra.empty())
      groups.emplace_back(extra, std::make_unique<torch::optim::AdamOptions>(
                                     torch::optim::AdamOptions(opts).weight_decay(extra_wd).lr(c.lr * extra_lr_scale)));
    return std::make_unique<torch::optim::Adam>(std::move(groups), opts);
  }
  auto opts = torch::optim::SGDOptions(c.lr)
                  .momentum(c.momentum)
                  .nesterov(c.nesterov && c.momentum > 0.0)
                  .weight_decay(c.weight_decay);
  groups.emplace_back(model->parameters(), std::make_unique<torch::optim::SGDOptions>(opts));
  if (!extra.empty())
    groups.emplace_back(extra, std::make_unique<torch::optim::SGDOptions>(
                                   torch::optim::SGDOptions(opts).weight_decay(extra_wd).lr(c.lr * extra_lr_scale)));
  return std::make_unique<torch::optim::SGD>(std::move(groups), opts);
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr, double extra_lr_scale) {
  auto& groups = optimizer.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(i == 0 ? lr : lr * extra_lr_scale);
}

std::string save_optimizer_state(torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void load_optimizer_state(torch::optim::Optimizer& optimizer, const std::string& bytes,
                          torch::Device device) {
  std::istringstream in(bytes);
  torch::serialize::InputArchive archive;
  archive.load_from(in, device);
  optimizer.load(archive);
}

}  // namespace bitshift
