#pragma once
// The interop tests' outside references: models run by the peers' own tools (ONNX Runtime, ...)
// in the venv make_peer_venv.sh made, the batch and the outputs passed as raw float32 files.
// Failures print to stderr and return an undefined tensor (the tests and benches check).
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace bitshift::testing {

inline std::string peer_python() { return BITSHIFT_PEER_VENV "/bin/python"; }
inline std::string interop_tmp() { return BITSHIFT_TEST_TMP "/interop"; }

inline void write_floats(const std::string& path, const torch::Tensor& x) {
  const torch::Tensor c = x.to(torch::kFloat32).contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(c.data_ptr()), c.numel() * 4);
}

inline torch::Tensor read_float_file(const std::string& path, int64_t rows) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const int64_t bytes = in.tellg();
  in.seekg(0);
  if (!in || bytes <= 0 || bytes % (4 * rows) != 0) {
    std::cerr << path << ": " << bytes << " bytes, not " << rows << " rows of float32\n";
    return torch::Tensor();
  }
  torch::Tensor t = torch::empty({rows, bytes / 4 / rows}, torch::kFloat32);
  in.read(static_cast<char*>(t.data_ptr()), bytes);
  return t;
}

// `script` (a runner beside this file) running `model` on the batch `x` [N, C, H, W]: the
// model's first output, [N, K].
inline torch::Tensor run_peer(const std::string& script, const std::string& model,
                              const torch::Tensor& x, const std::string& mode = "") {
  const std::string in = model + ".input.f32", out = model + ".output.f32";
  write_floats(in, x);
  const std::string cmd = peer_python() + " " + BITSHIFT_TEST_SOURCES + "/core/interop/" + script +
                          " " + model + " " + in + " " + std::to_string(x.size(0)) + " " +
                          std::to_string(x.size(1)) + " " + std::to_string(x.size(2)) + " " +
                          std::to_string(x.size(3)) + " " + out + " " + mode;
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::cerr << script << " failed (" << rc << "): " << cmd << "\n";
    return torch::Tensor();
  }
  return read_float_file(out, x.size(0));
}

// `model` run by ONNX Runtime on the batch `x` [N, C, H, W]: its first output, [N, K]. `mode`:
// "as-written" (graph optimizations off) or "optimized" (QDQ fused into integer kernels).
inline torch::Tensor run_onnx_runtime(const std::string& model, const torch::Tensor& x,
                                      const std::string& mode = "as-written") {
  return run_peer("ort_run.py", model, x, mode);
}

// A QONNX `model` run by qonnx's executor after its cleanup transformations.
inline torch::Tensor run_qonnx(const std::string& model, const torch::Tensor& x) {
  return run_peer("qonnx_run.py", model, x);
}

}  // namespace bitshift::testing
