#include "train/train_config.h"

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "dist/replicas.h"
#include "train/resume.h"
#include "util/error.h"

namespace bitshift {

const char* optimizer_name(OptimizerKind k) {
  return k == OptimizerKind::OptimizerAdam ? "adam" : "sgd";
}

const char* schedule_name(LrSchedule s) {
  switch (s) {
    case LrSchedule::LrConstant:
      return "constant";
    case LrSchedule::LrStep:
      return "step";
    case LrSchedule::LrCosine:
      return "cosine";
  }
  return "?";
}

OptimizerKind optimizer_from_name(const std::string& name) {
  if (name == "sgd") return OptimizerKind::OptimizerSgd;
  if (name == "adam") return OptimizerKind::OptimizerAdam;
  throw Error("unknown optimizer '" + name + "' (expected sgd or adam)");
}

LrSchedule schedule_from_name(const std::string& name) {
  if (name == "constant") return LrSchedule::LrConstant;
  if (name == "step") return LrSchedule::LrStep;
  if (name == "cosine") return LrSchedule::LrCosine;
  throw Error("unknown LR schedule '" + name + "' (expected constant, step or cosine)");
}

void set_augmentation(TrainConfig& c, const std::string& mode) {
  require(mode == "none" || mode == "crop" || mode == "resized-crop",
          "augmentation '" + mode + "' is not one of none, crop, resized-crop");
  c.crop_padding = mode == "crop" ? 2 : 0;
  c.horizontal_flip = mode != "none";
  c.random_resized_crop = mode == "resized-crop";
}

std::string default_augmentation(const Dataset& train) {
  return train.photos ? "resized-crop" : "none";
}

int world_size(const TrainConfig& c) { return c.replicas ? c.replicas->size() : 1; }
bool writes_files(const TrainConfig& c) { return !c.replicas || c.replicas->rank() == 0; }

nlohmann::json to_json(const TrainConfig& c) {
  nlohmann::json j = {{"epochs", c.epochs},
                      {"batch_size", c.batch_size},
                      {"optimizer", optimizer_name(c.optimizer)},
                      {"lr", c.lr},
                      {"momentum", c.momentum},
                      {"nesterov", c.nesterov},
                      {"weight_decay", c.weight_decay},
                      {"schedule", schedule_name(c.schedule)},
                      {"step_size", c.step_size},
                      {"gamma", c.gamma},
                      {"label_smoothing", c.label_smoothing},
                      {"crop_padding", c.crop_padding},
                      {"horizontal_flip", c.horizontal_flip},
                      {"random_resized_crop", c.random_resized_crop},
                      {"seed", c.seed},
                      {"threads", c.threads},
                      {"train_limit", c.train_limit},
                      {"test_limit", c.test_limit},
                      {"eval_batch_size", c.eval_batch_size}};
  // Only when spread: a one-process record stays as it was.
  if (world_size(c) > 1) {
    j["world_size"] = world_size(c);
    j["batchnorm"] = c.sync_batchnorm ? "sync" : "local";
  }
  if (c.device != "cpu") j["device"] = c.device;
  if (c.resume) j["resumed_from"] = c.resume->origin;
  return j;
}

TrainConfig train_config_from_json(const nlohmann::json& j) {
  TrainConfig c;
  try {
    c.epochs = j.value("epochs", c.epochs);
    c.batch_size = j.value("batch_size", c.batch_size);
    c.optimizer =
        optimizer_from_name(j.value("optimizer", std::string(optimizer_name(c.optimizer))));
    c.lr = j.value("lr", c.lr);
    c.momentum = j.value("momentum", c.momentum);
    c.nesterov = j.value("nesterov", c.nesterov);
    c.weight_decay = j.value("weight_decay", c.weight_decay);
    c.schedule = schedule_from_name(j.value("schedule", std::string(schedule_name(c.schedule))));
    c.step_size = j.value("step_size", c.step_size);
    c.gamma = j.value("gamma", c.gamma);
    c.label_smoothing = j.value("label_smoothing", c.label_smoothing);
    c.crop_padding = j.value("crop_padding", c.crop_padding);
    c.horizontal_flip = j.value("horizontal_flip", c.horizontal_flip);
    c.random_resized_crop = j.value("random_resized_crop", c.random_resized_crop);
    c.seed = j.value("seed", c.seed);
    c.threads = j.value("threads", c.threads);
    c.device = j.value("device", c.device);
    c.train_limit = j.value("train_limit", c.train_limit);
    c.test_limit = j.value("test_limit", c.test_limit);
    c.eval_batch_size = j.value("eval_batch_size", c.eval_batch_size);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("training configuration: ") + e.what());
  }
  return c;
}

}  // namespace bitshift
