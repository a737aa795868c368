#pragma once
// Where a model comes from: `--model NAME|FILE` resolved to a ready GraphModule. A zoo name
// builds the network for the dataset's shape and loads the shipped FP32 baseline when one exists
// for that dataset; a file is read as a checkpoint.
#include <nlohmann/json.hpp>

#include <string>

#include "data/dataset.h"
#include "graph/graph_module.h"
#include "quant/quantized_network.h"

namespace bitshift {

struct LoadedModel {
  GraphModule module{nullptr};
  std::string origin;                  // the checkpoint path, or "zoo:<name> (random init)"
  bool pretrained = false;             // weights came from a checkpoint
  bool quantized = false;              // the checkpoint held a plan: its quantizers are attached
  QuantizedNetwork quantized_network;  // when quantized: module, hooks and plan
  Normalization normalization;         // the one the weights were trained with
  DatasetPair data;       // the data as the model sees it: fitted to a file's input shape
  std::string data_note;  // what fitting did ("" when the data was at the model's shape)
  std::string head_note;  // what re-heading did ("" when the classes matched)
  nlohmann::json meta = nlohmann::json::object();
};

// Folder holding presets and shipped baselines ($BITSHIFT_RESOURCES overrides the default).
std::string resource_dir();
// Path of the shipped baseline of `model` trained on `dataset` (the file may not exist).
std::string baseline_path(const std::string& model, const std::string& dataset);

struct ModelOptions {
  bool pretrained = true;  // a zoo name loads its shipped baseline when there is one
  double width = 1.0;      // zoo MobileNetV2's width multiplier
  uint64_t init_seed = 1;  // random weights: zoo models without a baseline, new heads
  // > 0 (it must equal the data's class count): an FP32 model file made for other classes is
  // re-headed for these (train/rehead.h).
  int num_classes = 0;
  // c > 0: the image shape a TorchScript file is read at (it records none); else the data's.
  Shape input{};
};

// Throws Error naming the file/model and what was expected (e.g. a checkpoint for another
// class count than `data`). A model file for another image shape gets `data` fitted to its
// input (data/fit.h): use LoadedModel::data from then on.
LoadedModel load_model(const std::string& name_or_file, const DatasetPair& data,
                       const std::string& dataset_name, const ModelOptions& options = {});

}  // namespace bitshift
