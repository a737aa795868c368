#pragma once
// What every bitshift-cli subcommand shares: the flags that mean the same everywhere,
// opening data and models, and writing human text or one JSON object.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "cli/args.h"
#include "data/dataset.h"
#include "quant/plan.h"
#include "train/model_source.h"
#include "train/train_config.h"

namespace bitshift::cli {

// Exit codes of DESIGN.md: 0 success, 1 a check failed, 2 bad input or usage.
constexpr int kExitOk = 0;
constexpr int kExitCheckFailed = 1;
constexpr int kExitBadInput = 2;

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& argv);
};
const std::vector<Command>& commands();

OptionSpec opt_model();
OptionSpec opt_data();
OptionSpec opt_seed();
OptionSpec opt_threads();
OptionSpec opt_json();
OptionSpec opt_help();
OptionSpec opt_width();
OptionSpec opt_test_limit();
OptionSpec opt_mean();
OptionSpec opt_std();
OptionSpec opt_augment();
OptionSpec opt_num_classes();
OptionSpec opt_input();
OptionSpec opt_granularity();
OptionSpec opt_device();
// --device checked before any work (default cpu); throws Error naming it when it cannot be used.
std::string device_name_of(const Args& args);
// --granularity per-tensor (default) or per-channel; throws UsageError for anything else.
Granularity granularity_of(const Args& args);
// "3x224x224" -> Shape; throws UsageError naming the text.
Shape parse_input_shape(const std::string& text);

// Prints `bitshift-cli <cmd> --help` text: usage line, description, options.
void print_help(const std::string& command, const std::string& usage,
                const std::string& description, const std::vector<OptionSpec>& specs);

// Human-readable output: stdout normally, stderr under --json (stdout then holds only JSON).
class Output {
 public:
  // `quiet`: print nothing (a data-parallel replica other than rank 0, which speaks for the run).
  explicit Output(bool json, bool quiet = false) : json_(json), quiet_(quiet) {}
  bool json() const { return json_; }
  void text(const std::string& s) const;
  void emit(const nlohmann::json& j) const;  // exactly one JSON object on stdout
 private:
  bool json_;
  bool quiet_;
};

// A command run by another (the default job runs quantize, then export) hands its JSON object
// to the caller instead of printing it: while a JsonCapture lives, Output::emit stores into it,
// so stdout still holds exactly one object.
class JsonCapture {
 public:
  JsonCapture();
  ~JsonCapture();
  JsonCapture(const JsonCapture&) = delete;
  JsonCapture& operator=(const JsonCapture&) = delete;
  const nlohmann::json& value() const { return value_; }

 private:
  friend class Output;
  nlohmann::json value_ = nlohmann::json::object();
  JsonCapture* previous_;
};

// Sets LibTorch's intra-op threads from --threads (default: all cores).
void apply_threads(const Args& args);
// The dataset named by --data (default fashion-mnist); throws Error naming what was wrong.
DatasetPair open_data(const Args& args, std::string* name = nullptr);
// --model resolved against the data; `pretrained` loads the shipped baseline for zoo names.
LoadedModel open_model(const Args& args, DatasetPair& data, const std::string& data_name,
                       bool pretrained, const std::string& fallback = "");

// --augment none|crop|resized-crop into `config` (default: resized-crop for image folders,
// none otherwise); throws UsageError for another value.
void apply_augment(const Args& args, const Dataset& train, TrainConfig& config);

}  // namespace bitshift::cli
