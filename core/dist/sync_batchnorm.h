#pragma once
// BatchNorm over the global batch (PyTorch's SyncBatchNorm): in training, each channel's mean
// and variance come from every replica's rows, so N replicas normalise exactly as one process
// holding the whole batch would, and their gradients add up to that process's. The module's
// running statistics are updated as BatchNorm2d updates them.
#include <torch/nn/modules/batchnorm.h>

#include "dist/replicas.h"

namespace bitshift {

// `x`: this replica's rows [n, C, H, W]. Training mode only (evaluation uses the running
// statistics and needs no other replica).
torch::Tensor sync_batch_norm(const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn, Replicas& replicas);

}  // namespace bitshift
