// A quantized checkpoint exported for other tools, run by the consumer's own tool against the
// studio's simulation: QDQ ONNX in ONNX Runtime (optimized), QONNX in qonnx's executor. Top-1
// accuracy of both on the first test images, the share of images whose top-1 agree, and how
// far the logits move; the float32 simulation against itself in float64 as the noise floor.
// Usage: interop_agreement_bench CHECKPOINT [images=2000] [format=qdq|qonnx] [data=fashion-mnist]
// Prints one Markdown table row: images, simulated %, ONNX Runtime %, same class %, differ,
// logits max / median relative difference, same class float32 vs float64 simulation %.
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "../core/interop/peer_runner.h"
#include "data/batcher.h"
#include "data/registry.h"
#include "integer/agreement.h"
#include "interop/quantized_export.h"
#include "train/model_source.h"

using namespace bitshift;

namespace {

torch::Tensor logits(QuantizedNetwork& net, const torch::Tensor& x, bool float64) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < x.size(0); i += 100) {
    auto b = to_channels_last(x.slice(0, i, std::min<int64_t>(i + 100, x.size(0))));
    if (float64) b = b.to(torch::kFloat64);
    out.push_back(net.model->forward(b).to(torch::kFloat32));
  }
  return torch::cat(out);
}

double percent_same(const torch::Tensor& a, const torch::Tensor& b) {
  return 100.0 * a.argmax(1).eq(b.argmax(1)).sum().item<double>() / a.size(0);
}

double top1(const torch::Tensor& y, const torch::Tensor& labels) {
  return 100.0 * y.argmax(1).eq(labels).sum().item<double>() / y.size(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: interop_agreement_bench CHECKPOINT [images] [qdq|qonnx] [data]\n");
    return 2;
  }
  const std::string checkpoint = argv[1];
  const int64_t images = argc > 2 ? std::atoll(argv[2]) : 2000;
  const std::string format = argc > 3 ? argv[3] : "qdq";
  const std::string data_name = argc > 4 ? argv[4] : "fashion-mnist";
  try {
    LoadedModel lm = load_model(checkpoint, open_dataset(data_name), data_name);
    if (!lm.quantized) throw Error(checkpoint + " is not a quantized checkpoint");
    QuantizedNetwork& net = lm.quantized_network;
    net.model->eval();
    const std::string path = checkpoint + "." + format + ".onnx";
    if (format == "qdq")
      write_qdq(net, lm.normalization, path);
    else
      write_qonnx(net, lm.normalization, path);

    const Dataset test = lm.data.test.head(images);
    BatchConfig bc;
    bc.batch_size = test.size();
    bc.shuffle = false;
    Batcher b(test, lm.normalization, bc);
    b.start_epoch(0);
    const auto batch = b.get(0);
    const torch::Tensor sim = logits(net, batch.x, false);
    const torch::Tensor ort = format == "qdq"
                                  ? testing::run_onnx_runtime(path, batch.x, "optimized")
                                  : testing::run_qonnx(path, batch.x);
    if (!ort.defined()) return 1;
    torch::Tensor sim64;
    {
      Float64Simulation f64(net);
      sim64 = logits(net, batch.x, true);
    }
    const double range = sim.abs().max().item<double>();
    const auto diff = (ort - sim).abs().amax(1) / range;
    const int64_t differ = ort.argmax(1).ne(sim.argmax(1)).sum().item<int64_t>();
    std::printf("| %lld | %.2f | %.2f | %.2f | %lld | %.2g / %.2g | %.2f |\n",
                (long long)sim.size(0), top1(sim, batch.y), top1(ort, batch.y),
                percent_same(ort, sim), (long long)differ, diff.max().item<double>(),
                std::get<0>(diff.median(0)).item<double>(), percent_same(sim64, sim));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
