// Micro-benchmark: NICE's activation clamp-and-quantize, forward + backward, on one ResNet-sized
// activation, the autograd reference (clamped ReLU as relu(x) - relu(x - c), round with STE)
// against the one-pass fused kernel. Prints ms per forward+backward, median of 21 repeats.
// Usage: build/tests/clamp_quantize_bench [threads]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "quant/fused_clamp_quantize.h"
#include "util/allocator.h"

namespace {

template <class F>
double median_ms(F&& f) {
  std::vector<double> t;
  for (int i = 0; i < 21; ++i) {
    const auto s = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(argc > 1 ? std::atoi(argv[1]) : 2);
  bitshift::keep_freed_memory();  // as training does: no page faults on every new tensor
  torch::manual_seed(1);
  // 128 images x 16 channels x 28 x 28: ResNet-20's first stage on Fashion-MNIST, channels-last.
  const auto x = torch::randn({128, 16, 28, 28}).contiguous(at::MemoryFormat::ChannelsLast);
  const auto g = torch::randn_like(x);
  for (bool fused : {false, true}) {
    const double ms = median_ms([&] {
      auto xi = x.detach().requires_grad_(true);
      auto c = torch::full({1}, 2.5f).requires_grad_(true);
      auto y = fused ? bitshift::clamp_quantize(xi, c, 15.0, false)
                     : bitshift::clamp_quantize_reference(xi, c, 15.0, false);
      y.backward(g);
    });
    std::printf("%-9s %.2f ms forward+backward (%d threads)\n", fused ? "fused" : "reference", ms,
                torch::get_num_threads());
  }
  for (bool fused : {false, true}) {
    const double ms = median_ms([&] {
      torch::NoGradGuard no_grad;
      auto c = torch::full({1}, 2.5f);
      auto y = fused ? bitshift::clamp_quantize(x, c, 15.0, false)
                     : bitshift::clamp_quantize_reference(x, c, 15.0, false);
    });
    std::printf("%-9s %.2f ms forward only\n", fused ? "fused" : "reference", ms);
  }
  return 0;
}
