#include "cli/common.h"

#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include "data/registry.h"
#include "util/error.h"

namespace bitshift::cli {

OptionSpec opt_model() {
  return {"model", "NAME|FILE", "zoo model (loads its shipped FP32 baseline) or checkpoint file"};
}
OptionSpec opt_data() {
  return {"data", "NAME|DIR", "dataset: fashion-mnist (default) or a folder (IDX, CIFAR-10, images)"};
}
OptionSpec opt_seed() { return {"seed", "N", "random seed (default 1)"}; }
OptionSpec opt_threads() { return {"threads", "N", "CPU threads (default: all cores)"}; }
OptionSpec opt_json() { return {"json", "", "print exactly one JSON object on stdout"}; }
OptionSpec opt_help() { return {"help", "", "show this help"}; }
OptionSpec opt_width() { return {"width", "X", "MobileNetV2 width multiplier (default 1.0)"}; }
OptionSpec opt_test_limit() {
  return {"test-limit", "N", "evaluate on the first N test images only"};
}

void print_help(const std::string& command, const std::string& usage,
                const std::string& description, const std::vector<OptionSpec>& specs) {
  std::printf("Usage: bitshift-cli %s %s\n\n%s\n\nOptions:\n%s", command.c_str(), usage.c_str(),
              description.c_str(), format_options(specs).c_str());
}

void Output::text(const std::string& s) const {
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
  if (!json_) return;
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
  return open_dataset(data);
}

LoadedModel open_model(const Args& args, DatasetPair& data, const std::string& data_name,
                       bool pretrained, const std::string& fallback) {
  const std::string model = args.get("model", fallback);
  if (model.empty()) throw UsageError("--model is required (a zoo name or a checkpoint file)");
  LoadedModel m = load_model(model, data, data_name, pretrained, args.get_double("width", 1.0),
                             static_cast<uint64_t>(args.get_int64("seed", 1)));
  data = m.data;
  if (!m.data_note.empty()) std::fprintf(stderr, "data: %s\n", m.data_note.c_str());
  return m;
}

}  // namespace bitshift::cli
