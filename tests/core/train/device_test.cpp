// --device names: cpu works, anything else is refused naming it; without CUDA (Debian's
// LibTorch), cuda is refused saying why and what to do instead.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "train/device.h"
#include "util/error.h"

namespace bitshift {
namespace {

std::string device_error(const std::string& name) {
  try {
    device_from_name(name);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Device, CpuIsTheCpu) { EXPECT_EQ(device_from_name("cpu"), torch::Device(torch::kCPU)); }

TEST(Device, OtherNamesAreRefusedSayingWhatIsExpected) {
  for (const std::string bad : {"tpu", "CPU", "cuda:", "cuda:x", "cuda:-1", "cuda0", "", "cuda:1:2"})
    EXPECT_NE(device_error(bad).find("device '" + bad + "': expected cpu, cuda or cuda:N"), std::string::npos)
        << bad << ": " << device_error(bad);
  EXPECT_NE(device_error("cuda:123456789").find("GPU index out of range"), std::string::npos);
}

TEST(Device, CudaWithoutCudaSaysWhyAndWhatToDo) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "this LibTorch has CUDA";
  for (const std::string name : {"cuda", "cuda:0", "cuda:3"}) {
    const std::string e = device_error(name);
    EXPECT_NE(e.find("device '" + name + "': this LibTorch was built without CUDA"), std::string::npos) << e;
    EXPECT_NE(e.find("--device cpu"), std::string::npos) << e;
    EXPECT_NE(e.find("CMAKE_PREFIX_PATH"), std::string::npos) << e;
  }
}

TEST(Device, AModuleIsWhereItsFirstTensorIs) {
  torch::nn::Linear linear(2, 3);
  EXPECT_EQ(device_of(*linear), torch::Device(torch::kCPU));
  torch::nn::Sequential empty;
  EXPECT_EQ(device_of(*empty), torch::Device(torch::kCPU));
}

}  // namespace
}  // namespace bitshift
