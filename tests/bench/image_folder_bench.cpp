// Image-folder pipeline speed: a folder of photos of mixed sizes opened (left on disk), one
// epoch of batches decoded + RandomResizedCrop + flip at C×H×W, then one epoch of training a
// zoo ResNet-20 on it, with how long training waited for data. Prints key=value pairs.
// Usage: image_folder_bench DIR C H W [batch] [threads]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "bench_util.h"
#include "data/batcher.h"
#include "data/fit.h"
#include "data/registry.h"
#include "models/zoo.h"
#include "train/trainer.h"

using namespace bitshift;
using bitshift::bench::Clock;
using bitshift::bench::peak_rss_mib;
using bitshift::bench::seconds_since;

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s DIR C H W [batch] [threads]\n", argv[0]);
    return 2;
  }
  const int64_t c = std::stoll(argv[2]), h = std::stoll(argv[3]), w = std::stoll(argv[4]);
  const int64_t batch = argc > 5 ? std::stoll(argv[5]) : 64;
  const int threads = argc > 6 ? std::stoi(argv[6]) : 2;
  torch::set_num_threads(threads);
  auto t0 = Clock::now();
  DatasetPair data = open_dataset(argv[1]);
  data = fit_dataset(data, c, h, w);
  const double open_s = seconds_since(t0);
  const double open_rss = peak_rss_mib();

  BatchConfig bc;
  bc.batch_size = batch;
  bc.random_resized_crop = true;
  bc.horizontal_flip = true;
  bc.seed = 1;
  Batcher batcher(data.train, data.normalization, bc);
  t0 = Clock::now();
  int64_t images = 0;
  for (int64_t i = 0; i < batcher.num_batches(); ++i) images += batcher.get(i).y.size(0);
  const double pipeline_s = seconds_since(t0);
  const double pipeline_rss = peak_rss_mib();

  GraphModule model(build_model("resnet20", Shape{c, h, w, false}, data.train.num_classes), 1);
  TrainConfig tc;
  tc.epochs = 1;
  tc.batch_size = batch;
  tc.random_resized_crop = true;
  tc.horizontal_flip = true;
  tc.threads = threads;
  tc.test_limit = 1;  // the epoch's evaluation is not what is measured
  auto r = train(model, data, tc);
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().c_str());
    return 1;
  }
  const EpochRecord& e = r->history.at(0);
  std::printf(
      "images=%lld on_disk=%d open_s=%.2f pipeline_img_s=%.0f train_img_s=%.0f "
      "data_wait_s=%.2f of_epoch_s=%.2f peak_rss_mib: open=%.0f pipeline=%.0f train=%.0f\n",
      (long long)images, data.train.on_disk() ? 1 : 0, open_s, images / pipeline_s,
      e.images_per_second, e.data_wait_seconds, e.seconds, open_rss, pipeline_rss, peak_rss_mib());
  return 0;
}
