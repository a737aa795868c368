#pragma once
// Datasets opened once per process and shared read-only: the planning model and every
// training run of the studio use the same tensors (opening Fashion-MNIST means gunzip and
// normalisation; users switch models and start runs often).
#include <memory>
#include <string>

#include "data/dataset.h"
#include "train/model_source.h"

namespace bitshift::studio {

// Throws Error naming the dataset, as open_dataset().
std::shared_ptr<const DatasetPair> cached_dataset(const std::string& name);

// `model` opened on the cached `data` as every part of the studio opens it: the shipped
// baseline for zoo names, and a model file for other classes re-headed for the data's
// (LoadedModel::head_note says so).
LoadedModel open_studio_model(const std::string& model, const std::string& data);

}  // namespace bitshift::studio
