#include "train/device.h"

#include <torch/cuda.h>

#include "util/error.h"

namespace bitshift {

torch::Device device_from_name(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  int index = 0;
  if (name.rfind("cuda", 0) != 0 ||
      (name != "cuda" && (name.size() < 6 || name[4] != ':' ||
                          name.find_first_not_of("0123456789", 5) != std::string::npos)))
    throw Error("device '" + name + "': expected cpu, cuda or cuda:N");
  if (name != "cuda") {
    if (name.size() > 7) throw Error("device '" + name + "': GPU index out of range");
    index = std::stoi(name.substr(5));
  }
  if (!torch::cuda::is_available())
    throw Error("device '" + name + "': this LibTorch was built without CUDA or finds no GPU "
                "(Debian's libtorch-dev is CPU-only); use --device cpu, or build Bitshift against a "
                "CUDA-enabled LibTorch with cmake -DCMAKE_PREFIX_PATH=/path/to/libtorch");
  const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
  if (index >= count)
    throw Error("device '" + name + "': this machine has " + std::to_string(count) + " GPU" +
                (count == 1 ? "" : "s") + " (cuda:0 to cuda:" + std::to_string(count - 1) + ")");
  return {torch::kCUDA, static_cast<torch::DeviceIndex>(index)};
}

torch::Device device_of(const torch::nn::Module& m) {
  for (const auto& p : m.parameters()) return p.device();
  for (const auto& b : m.buffers()) return b.device();
  return torch::kCPU;
}

}  // namespace bitshift
