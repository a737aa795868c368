#pragma once
// Re-heading: a trained model's classifier (its last weight layer) replaced by a fresh one for
// another class count, so that a model trained on 1000 ImageNet classes fine-tunes on a user's
// 10. Everything before the classifier keeps its weights.
#include <cstdint>

#include "train/checkpoint.h"

namespace bitshift {

// The checkpoint with its last weight layer given `num_classes` outputs, initialised as a new
// layer (from `seed`); tensors whose shape follows from it (a bias, a BatchNorm after it) are
// fresh too, the rest are kept. Throws Error naming the model and layer when the output does
// not come from that layer's channels.
Checkpoint rehead(const Checkpoint& checkpoint, int num_classes, uint64_t seed);

// Name of the layer rehead() replaces ("" when the graph has no weight layer).
std::string classifier_layer(const Graph& graph);

}  // namespace bitshift
