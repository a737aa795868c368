#pragma once
// Datasets opened once per process and shared read-only: the planning model and every
// training run of the studio use the same tensors (opening Fashion-MNIST means gunzip and
// normalisation; users switch models and start runs often).
#include <memory>
#include <string>

#include "data/dataset.h"

namespace bitshift::studio {

// Throws Error naming the dataset, as open_dataset().
std::shared_ptr<const DatasetPair> cached_dataset(const std::string& name);

}  // namespace bitshift::studio
