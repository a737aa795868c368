// Import and FP32 speed of a model file: import wall time and peak memory, then inference and
// training images/s of the imported graph. Prints one line of key=value pairs.
// Usage: import_bench MODEL.onnx|MODEL.pt C H W [batch] [iterations] [threads]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "bench_util.h"
#include "graph/graph_module.h"
#include "import/import.h"

using namespace bitshift;
using bitshift::bench::Clock;
using bitshift::bench::peak_rss_mib;
using bitshift::bench::seconds_since;

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s MODEL C H W [batch] [iterations] [threads]\n", argv[0]);
    return 2;
  }
  const Shape input{std::stoll(argv[2]), std::stoll(argv[3]), std::stoll(argv[4]), false};
  const int64_t batch = argc > 5 ? std::stoll(argv[5]) : 32;
  const int iterations = argc > 6 ? std::stoi(argv[6]) : 10;
  torch::set_num_threads(argc > 7 ? std::stoi(argv[7]) : 2);
  const double rss_before = peak_rss_mib();
  auto t0 = Clock::now();
  Checkpoint ck;
  try {
    ck = import_model(argv[1], input);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  GraphModule model = module_from_checkpoint(ck);
  const double import_s = seconds_since(t0);
  const double import_rss = peak_rss_mib();

  torch::manual_seed(0);
  const auto x = to_channels_last(torch::randn({batch, input.c, input.h, input.w}));
  model->eval();
  double infer_ips = 0;
  {
    torch::NoGradGuard no_grad;
    model->forward(x);  // warm-up
    t0 = Clock::now();
    for (int i = 0; i < iterations; ++i) model->forward(x);
    infer_ips = batch * iterations / seconds_since(t0);
  }
  model->train();
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  const auto y = torch::randint(0, ck.graph.num_classes(), {batch}, torch::kLong);
  auto step = [&] {
    sgd.zero_grad();
    torch::nn::functional::cross_entropy(model->forward(x), y).backward();
    sgd.step();
  };
  step();  // warm-up
  t0 = Clock::now();
  for (int i = 0; i < iterations; ++i) step();
  const double train_ips = batch * iterations / seconds_since(t0);
  std::printf(
      "import_s=%.3f import_peak_rss_mib=%.0f rss_before_mib=%.0f infer_ips=%.1f train_ips=%.1f\n",
      import_s, import_rss, rss_before, infer_ips, train_ips);
  return 0;
}
