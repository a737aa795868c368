#pragma once
// What makes N replicas train as one: gradients averaged over the global batch in buckets, the
// same starting state everywhere, and a check that the replicas still hold the same bits.
#include <torch/nn/module.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dist/replicas.h"

namespace bitshift {

// Gradients travel in buckets of at most this many bytes (PyTorch DDP's default): one
// all-reduce per bucket, not one per parameter, and no buffer as large as the whole model.
constexpr int64_t kGradientBucketBytes = 25LL << 20;

// Replaces each parameter's gradient by the global batch's: sum over replicas of share_r · g_r,
// where share_r = (this replica's rows) / (rows of the global batch) and g_r is the gradient of
// this replica's mean loss. Parameters without a gradient (frozen ones) are skipped; every
// replica freezes the same ones.
void average_gradients(Replicas& replicas, const std::vector<torch::Tensor>& parameters,
                       double share, int64_t bucket_bytes = kGradientBucketBytes);

// Every parameter and buffer of `module` and its children, each once, in registration order.
std::vector<torch::Tensor> module_state(const torch::nn::Module& module);

// Replaces every floating-point buffer of `module` (BatchNorm's running statistics) by its mean
// over the replicas.
void average_float_buffers(Replicas& replicas, const torch::nn::Module& module);

// Copies rank 0's tensors into every replica's (same list on each), one collective per dtype.
void broadcast_state(Replicas& replicas, const std::vector<torch::Tensor>& state, const std::string& what);

// FNV-1a over the bytes of the tensors, in order: equal on two replicas when they hold the same
// bits.
uint64_t state_fingerprint(const std::vector<torch::Tensor>& state);

// Throws Error naming the first rank whose tensors are not bit-identical to rank 0's (`when`
// says at which point, e.g. "after epoch 1").
void check_replicas_agree(Replicas& replicas, const std::vector<torch::Tensor>& state, const std::string& when);

}  // namespace bitshift
