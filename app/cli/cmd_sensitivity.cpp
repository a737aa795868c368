// `bitshift-cli sensitivity`: per layer and bit-width, how much the network suffers when only
// that layer's weights (or the activations it reads) are quantized (train/sensitivity.h).
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "cli/common.h"
#include "train/sensitivity.h"
#include "train/sensitivity_json.h"

namespace bitshift::cli {

namespace {

// "1,2,4" -> {1, 2, 4}; throws UsageError naming the option and the text.
std::vector<int> bits_list(const Args& args, const std::string& name, std::vector<int> fallback) {
  if (!args.has(name)) return fallback;
  std::vector<int> out;
  if (args.get(name) == "none") return out;
  std::stringstream in(args.get(name));
  for (std::string item; std::getline(in, item, ',');) {
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 1 || v > 16)
      throw UsageError("--" + name + " '" + args.get(name) +
                       "': expected bit-widths 1..16 separated by commas, e.g. 2,4,8");
    out.push_back(static_cast<int>(v));
  }
  return out;
}

}  // namespace

int cmd_sensitivity(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {
      opt_model(),
      opt_input(),
      opt_data(),
      opt_threads(),
      opt_seed(),
      {"method", "ID", "quantization method whose quantizers are measured (default nice)"},
      {"mode", "M",
       "measured (default: a quantized evaluation per entry) or hessian (fast, weights only: "
       "HAWQ-V2's Hessian-trace estimate of the loss increase)"},
      opt_granularity(),
      {"images", "N", "calibration images drawn from the training split (default 256)"},
      {"weight-bits", "LIST", "weight bit-widths to measure (default 1,2,3,4,6,8; none)"},
      {"activation-bits", "LIST",
       "activation bit-widths to measure (default 2,3,4,6,8; none: weights only)"},
      opt_json(),
      opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("sensitivity", "--model NAME|FILE [OPTIONS]",
               "For every weight layer and bit-width, quantizes only that layer's weights (or\n"
               "only the activations it reads) with the method's quantizer at its calibrated\n"
               "initialisation, no training, and measures the loss increase and top-1 drop on\n"
               "calibration images. Bit-widths the method cannot do are skipped.",
               specs);
    return kExitOk;
  }
  const Output out(args.has("json"));
  apply_threads(args);
  std::string data_name;
  DatasetPair data = open_data(args, &data_name);
  LoadedModel model = open_model(args, data, data_name, /*pretrained=*/true);
  SensitivityConfig c;
  c.method = args.get("method", "nice");
  c.mode = args.get("mode", "measured");
  if (c.mode != "measured" && c.mode != "hessian")
    throw UsageError("--mode '" + c.mode + "': expected measured or hessian");
  c.seed = static_cast<uint64_t>(args.get_int64("seed", 1));
  c.granularity = granularity_of(args);
  c.weight_bits = bits_list(args, "weight-bits", c.weight_bits);
  c.activation_bits = bits_list(args, "activation-bits", c.activation_bits);
  const int64_t images = args.get_int64("images", 256);
  if (images < 1) throw UsageError("--images must be at least 1");
  const Dataset calib =
      model.data.train.random_subset(images, static_cast<uint64_t>(args.get_int64("seed", 1)));

  int shown = 0;  // tenths reported on stderr
  const Sensitivity s =
      measure_sensitivity(model.module, calib, model.normalization, c, [&](int done, int total) {
        if (done * 10 >= (shown + 1) * total) {
          shown = done * 10 / total;
          std::fprintf(stderr, "  sensitivity: %d/%d\n", done, total);
        }
        return true;
      });
  char line[512];
  std::snprintf(line, sizeof line,
                "%s, %s at its initialisation, %lld calibration images: FP32 loss %.4f, top-1 "
                "%.2f %%\n%s\n",
                model.origin.c_str(), s.method.c_str(), (long long)s.images, s.fp_loss, s.fp_top1,
                c.mode == "hessian"
                    ? "Estimated loss increase with only that layer's weights (wN) quantized "
                      "(HAWQ-V2: ½·tr(H)/n·‖Q(W) − W‖², Hutchinson):"
                    : "Top-1 drop in points with only that layer's weights (wN) or input "
                      "activations (aN) quantized:");
  out.text(line);
  // One row per layer, one column per operand and bit-width measured.
  std::vector<std::string> columns, layers;
  std::map<std::pair<std::string, std::string>, double> drop;
  for (const SensitivityEntry& e : s.entries) {
    const std::string col = e.operand + std::to_string(e.bits);
    if (std::find(columns.begin(), columns.end(), col) == columns.end()) columns.push_back(col);
    if (layers.empty() || layers.back() != e.layer) layers.push_back(e.layer);
    drop[{e.layer, col}] = e.estimated ? e.loss_increase : e.top1_drop;
  }
  size_t width = 5;
  for (const auto& l : layers) width = std::max(width, l.size());
  std::string header = "  " + std::string(width, ' ');
  for (const auto& col : columns)
    header += std::string(7 - std::min<size_t>(col.size(), 7), ' ') + col;
  out.text(header + "\n");
  for (const auto& l : layers) {
    std::string row = "  " + l + std::string(width - l.size(), ' ');
    for (const auto& col : columns) {
      const auto it = drop.find({l, col});
      if (it == drop.end()) {
        row += "      -";
      } else {
        std::snprintf(line, sizeof line, c.mode == "hessian" ? "%7.4f" : "%7.2f", it->second);
        row += line;
      }
    }
    out.text(row + "\n");
  }
  nlohmann::json j = to_json(s);
  j["model"] = model.module->graph().name();
  out.emit(j);
  return kExitOk;
}

}  // namespace bitshift::cli
