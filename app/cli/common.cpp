#include "cli/common.h"

#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "data/normalization.h"
#include "data/registry.h"
#include "train/device.h"
#include "util/error.h"

namespace bitshift::cli {

OptionSpec opt_model() {
  return {"model", "NAME|FILE", "zoo model (loads its shipped FP32 baseline) or checkpoint file"};
}
OptionSpec opt_data() {
  return {"data", "NAME|DIR",
          "dataset: fashion-mnist (default) or a folder (IDX, CIFAR-10, images)"};
}
OptionSpec opt_granularity() {
  return {"granularity", "G", "weight scales per-tensor (default) or per-channel"};
}

Granularity granularity_of(const Args& args) {
  const std::string g = args.get("granularity", "per-tensor");
  if (g != "per-tensor" && g != "per-channel")
    throw UsageError("--granularity '" + g + "': expected per-tensor or per-channel");
  return g == "per-channel" ? Granularity::GranularityPerChannel
                            : Granularity::GranularityPerTensor;
}

OptionSpec opt_seed() { return {"seed", "N", "random seed (default 1)"}; }
OptionSpec opt_device() {
  return {"device", "NAME", "where training runs: cpu (default), cuda or cuda:N (a LibTorch built with CUDA)"};
}

std::string device_name_of(const Args& args) {
  const std::string name = args.get("device", "cpu");
  device_from_name(name);
  return name;
}

OptionSpec opt_threads() { return {"threads", "N", "CPU threads (default: all cores)"}; }
OptionSpec opt_json() { return {"json", "", "print exactly one JSON object on stdout"}; }
OptionSpec opt_help() { return {"help", "", "show this help"}; }
OptionSpec opt_width() { return {"width", "X", "MobileNetV2 width multiplier (default 1.0)"}; }
OptionSpec opt_test_limit() {
  return {"test-limit", "N", "evaluate on the first N test images only"};
}
OptionSpec opt_mean() {
  return {"mean", "M[,M,M]|imagenet", "input mean per channel, of pixels/255 (default: measured)"};
}
OptionSpec opt_std() {
  return {"std", "S[,S,S]|imagenet", "input std per channel, of pixels/255 (default: measured)"};
}
OptionSpec opt_num_classes() {
  return {"num-classes", "N",
          "re-head a model file for N classes (its last layer replaced by a new one)"};
}
OptionSpec opt_input() {
  return {"input", "CxHxW", "image shape a TorchScript file is read at (default: the data's)"};
}

Shape parse_input_shape(const std::string& text) {
  int64_t c = 0, h = 0, w = 0;
  char x1 = 0, x2 = 0;
  std::istringstream in(text);
  in >> c >> x1 >> h >> x2 >> w;
  if (!in || x1 != 'x' || x2 != 'x' || in.peek() != EOF || c < 1 || c > 3 || h < 1 || w < 1 ||
      h > 4096 || w > 4096)
    throw UsageError("--input '" + text +
                     "' is not CxHxW with 1-3 channels and 1-4096 pixels a "
                     "side (e.g. 3x224x224)");
  return Shape{c, h, w, false};
}

OptionSpec opt_augment() {
  return {"augment", "none|crop|resized-crop",
          "training augmentation: crop = random crop (padding 2) + flip, resized-crop = "
          "RandomResizedCrop + flip (default: resized-crop for image folders, else none)"};
}

void apply_augment(const Args& args, const Dataset& train, TrainConfig& config) {
  const std::string mode = args.get("augment", default_augmentation(train));
  if (mode != "none" && mode != "crop" && mode != "resized-crop")
    throw UsageError("--augment '" + mode + "' is not one of none, crop, resized-crop");
  set_augmentation(config, mode);
}

void print_help(const std::string& command, const std::string& usage,
                const std::string& description, const std::vector<OptionSpec>& specs) {
  std::printf("Usage: bitshift-cli %s %s\n\n%s\n\nOptions:\n%s", command.c_str(), usage.c_str(),
              description.c_str(), format_options(specs).c_str());
}

void Output::text(const std::string& s) const {
  if (quiet_) return;
  std::FILE* f = json_ ? stderr : stdout;
  std::fputs(s.c_str(), f);
  std::fflush(f);
}

namespace {
JsonCapture* active_capture = nullptr;
}  // namespace

JsonCapture::JsonCapture() : previous_(active_capture) { active_capture = this; }
JsonCapture::~JsonCapture() { active_capture = previous_; }

void Output::emit(const nlohmann::json& j) const {
  if (active_capture) {
    active_capture->value_ = j;
    return;
  }
  if (!json_ || quiet_) return;
  std::cout << j.dump(2) << std::endl;
}

void apply_threads(const Args& args) {
  const int n = args.get_int("threads", 0);
  if (n < 0) throw UsageError("--threads must be >= 0, got " + std::to_string(n));
  torch::set_num_threads(n > 0 ? n : std::max(1u, std::thread::hardware_concurrency()));
}

DatasetPair open_data(const Args& args, std::string* name) {
  const std::string data = args.get("data", "fashion-mnist");
  if (name) *name = data;
  DatasetPair p = open_dataset(data);
  const std::string skipped = skipped_note(p);
  if (!skipped.empty()) std::fprintf(stderr, "data: %s\n", skipped.c_str());
  return p;
}

LoadedModel open_model(const Args& args, DatasetPair& data, const std::string& data_name,
                       bool pretrained, const std::string& fallback) {
  const std::string model = args.get("model", fallback);
  if (model.empty()) throw UsageError("--model is required (a zoo name or a checkpoint file)");
  ModelOptions options;
  options.pretrained = pretrained;
  options.width = args.get_double("width", 1.0);
  options.init_seed = static_cast<uint64_t>(args.get_int64("seed", 1));
  options.num_classes = args.get_int("num-classes", 0);
  if (args.has("num-classes") && options.num_classes < 1)
    throw UsageError("--num-classes must be at least 1, got " + args.get("num-classes"));
  if (args.has("input")) options.input = parse_input_shape(args.get("input"));
  LoadedModel m = load_model(model, data, data_name, options);
  if (!m.head_note.empty()) std::fprintf(stderr, "model: %s\n", m.head_note.c_str());
  data = m.data;
  if (!m.data_note.empty()) std::fprintf(stderr, "data: %s\n", m.data_note.c_str());
  if (args.has("mean") || args.has("std")) {
    // The user's values win over measured ones and over a checkpoint's own.
    data.normalization = normalization_from_text(args.get("mean"), args.get("std"),
                                                 data.train.channels(), m.normalization);
    m.normalization = data.normalization;
    m.data.normalization = data.normalization;
  }
  return m;
}

}  // namespace bitshift::cli
