#pragma once
// OpenClRuntime: runs an IntegerModel on an OpenCL device (PoCL on a CPU, a GPU, an FPGA board)
// with the kernels of deploy/device/*.cl, and returns every layer's output exactly as the
// integer reference executor computes it. Depends on the C++17 standard library, the OpenCL C
// API and integer/integer_model.h only: export bundles ship it in their standalone host program.
// Errors throw std::runtime_error naming the OpenCL call, its error code and, for a kernel
// build, the compiler's log.
#include <memory>
#include <string>
#include <vector>

#include "integer/integer_model.h"

namespace bitshift {

struct OpenClDeviceInfo {
  std::string platform, name, version;  // platform name, device name, CL_DEVICE_VERSION
};

// Every device of every platform, in platform order; empty (no throw) when there is none or no
// OpenCL driver (ICD) is installed.
std::vector<OpenClDeviceInfo> list_opencl_devices();

class OpenClRuntime {
 public:
  // Builds `kernel_source` (OpenCL C 1.2, -cl-std=CL1.2) for device number `device` of
  // list_opencl_devices() and uploads the model's weights (4-bit codes packed two a byte, 8-bit
  // codes a byte, wider ones as int32), tables, biases and requantization vectors once.
  OpenClRuntime(const IntegerModel& model, const std::string& kernel_source, int device = 0);
  ~OpenClRuntime();
  OpenClRuntime(const OpenClRuntime&) = delete;
  OpenClRuntime& operator=(const OpenClRuntime&) = delete;

  const OpenClDeviceInfo& device() const;

  // Every layer's output for a batch, laid out and valued as run_reference's (layer 0 = the
  // input, copied). Intermediate values stay on the device until every layer has run.
  // Throws, as the reference does, on an input value outside the input layer's range.
  std::vector<IntTensor> run(const IntTensor& input);

  // The output layer's values only (inference): nothing else is read back.
  IntTensor infer(const IntTensor& input);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bitshift
