#pragma once
// Where a run's tensors live: "cpu" (the default, and all Debian's LibTorch offers) or
// "cuda[:N]" with a LibTorch built with CUDA (found through CMAKE_PREFIX_PATH at configure time).
// Training, evaluation and calibration move the model and each batch there; files are written
// from CPU copies.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>

namespace bitshift {

// The device named `name`: "cpu", "cuda" (GPU 0) or "cuda:N". Throws Error saying what was
// expected for another name, when this LibTorch was built without CUDA, and when GPU N does not
// exist.
torch::Device device_from_name(const std::string& name);

// The device of a module's first parameter or buffer (CPU for a module with neither).
torch::Device device_of(const torch::nn::Module& m);

}  // namespace bitshift
