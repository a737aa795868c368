// Benchmark: images/s of one network four ways on the same test images, in one process:
// LibTorch FP32 inference, the fake-quantized simulation, the C++ integer reference executor
// and the OpenCL executor (PoCL on the CPU here). The network is the shipped FP32 baseline with
// a min/max-calibrated plan (the integer arithmetic does not depend on how it was trained).
// Usage: build/tests/integer_inference_bench [resnet20|lenet5] [bits=w8a8] [images=1000]
//        [batch=100] [threads=2] [part=all|fp32|opencl]
// `fp32` and `opencl` time one executor alone in the process (integer_inference.sh alternates
// them: PoCL's worker threads and LibTorch's would otherwise share the two cores).
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "data/batcher.h"
#include "data/registry.h"
#include "deploy/host/opencl_runtime.h"
#include "deploy/kernel_sources.h"
#include "integer/lowering.h"
#include "integer/reference_executor.h"
#include "train/model_source.h"

using namespace bitshift;

namespace {

template <class F>
double seconds(F&& f) {
  const auto s = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model = argc > 1 ? argv[1] : "resnet20";
  const std::string bits = argc > 2 ? argv[2] : "w8a8";
  const int64_t images = argc > 3 ? std::atoll(argv[3]) : 1000;
  const int64_t batch = argc > 4 ? std::atoll(argv[4]) : 100;
  torch::set_num_threads(argc > 5 ? std::atoi(argv[5]) : 2);
  const std::string part = argc > 6 ? argv[6] : "all";
  const bool all = part == "all";
  if (!all && part != "fp32" && part != "opencl") {
    std::fprintf(stderr, "part '%s': expected all, fp32 or opencl\n", part.c_str());
    return 2;
  }
  const DatasetPair data = open_dataset("fashion-mnist");
  LoadedModel lm = load_model(model, data, "fashion-mnist");
  BatchConfig bc;
  bc.batch_size = batch;
  bc.shuffle = false;
  Batcher test(data.test.head(images), lm.normalization, bc);
  test.start_epoch(0);
  std::vector<torch::Tensor> xs;
  for (int64_t i = 0; i < test.num_batches(); ++i) xs.push_back(test.get(i).x);

  torch::NoGradGuard no_grad;
  lm.module->eval();
  const auto run_fp32 = [&] {
    for (const auto& x : xs) lm.module->forward(to_channels_last(x));
  };
  const double n = static_cast<double>(images);
  if (part == "fp32") {
    run_fp32();  // warm-up
    std::printf("libtorch fp32 %.0f img/s\n", n / seconds(run_fp32));
    return 0;
  }
  const double fp32 = all ? seconds(run_fp32) : 0.0;

  auto net = attach_quantizers(
      lm.module, make_plan(lm.module->graph(), "minmax", bits, EdgePolicy::EdgePolicyQuantized));
  Batcher calib(data.train.head(512), lm.normalization, bc);
  calib.start_epoch(0);
  std::vector<torch::Tensor> cb;
  for (int64_t i = 0; i < calib.num_batches(); ++i) cb.push_back(to_channels_last(calib.get(i).x));
  calibrate(net, cb);
  net.model->eval();
  const double sim = !all ? 0.0 : seconds([&] {
    for (const auto& x : xs) net.model->forward(to_channels_last(x));
  });

  const IntegerModel im = lower(net);
  std::vector<IntTensor> inputs;
  for (const auto& x : xs) inputs.push_back(integer_input(net, im, x));
  const double ref = !all ? 0.0 : seconds([&] {
    for (const auto& in : inputs) run_reference(im, in);
  });
  double ocl = 0.0;
  std::string device = "none";
  if (!list_opencl_devices().empty()) {
    OpenClRuntime rt(im, kernel_source());
    device = rt.device().name;
    rt.infer(inputs.front());  // warm-up: first-run kernel compilation and buffer allocation
    ocl = seconds([&] {
      for (const auto& in : inputs) rt.infer(in);
    });
  }
  if (!all) {
    std::printf("opencl %.0f img/s\n", ocl > 0 ? n / ocl : 0.0);
    return ocl > 0 ? 0 : 3;
  }
  std::printf("%s %s, %lld images, batch %lld, %d threads\n", model.c_str(), bits.c_str(),
              (long long)images, (long long)batch, torch::get_num_threads());
  std::printf("  libtorch fp32        %8.0f img/s\n", n / fp32);
  std::printf("  fake-quant sim       %8.0f img/s\n", n / sim);
  std::printf("  integer reference    %8.0f img/s\n", n / ref);
  if (ocl > 0)
    std::printf("  opencl (%s) %8.0f img/s  (%.2fx libtorch fp32)\n", device.c_str(), n / ocl,
                fp32 / ocl);
  else
    std::printf("  opencl: no device\n");
  return 0;
}
