// `bitshift-cli run` (also the default without a command): the studio's main job, headless.
// Loads the shipped ResNet-20 baseline (else LeNet-5) and Fashion-MNIST, evaluates, summarises,
// then quantizes it (NICE w4a4 by default) with the `quantize` job and compares, then exports the
// integer bundle with the `export` job and verifies it on OpenCL.
#include <cstdio>
#include <filesystem>

#include "cli/common.h"
#include "train/evaluate.h"

namespace bitshift::cli {

nlohmann::json graph_summary_json(const Graph& g);
int cmd_quantize(const std::vector<std::string>& argv);
int cmd_export(const std::vector<std::string>& argv);

int cmd_run(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {
      opt_model(), opt_data(), opt_mean(), opt_std(), opt_test_limit(), opt_threads(),
      {"method", "ID", "quantization method of the second step (default nice)"},
      {"bits", "PRESET", "bits of the second step (default w4a4)"},
      {"epochs", "N", "fine-tuning epochs of the second step (default 1; 0 skips it)"},
      {"out-dir", "DIR", "where the quantized checkpoint and run record go (default runs)"},
      {"agreement-images", "N", "test images for the export's agreement check (default 2000)"},
      {"no-export", "", "stop after quantizing (no integer export and verification)"},
      opt_json(), opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("run", "[OPTIONS]",
               "The default job: loads the FP32 baseline (resnet20, else lenet5) and the data\n"
               "(fashion-mnist), prints the model summary and its test accuracy, then\n"
               "quantizes it (NICE w4a4, first layer 8/8, 1 epoch), prints FP32 vs quantized\n"
               "accuracy and BOPs, then exports the integer-only OpenCL bundle to exports/ and\n"
               "verifies it layer by layer against the simulation's integers.",
               specs);
    return kExitOk;
  }
  const Output out(args.has("json"));
  apply_threads(args);
  std::string data_name;
  DatasetPair data = open_data(args, &data_name);
  std::string fallback = "resnet20";
  if (!std::filesystem::exists(baseline_path(fallback, data_name))) fallback = "lenet5";
  const LoadedModel model = open_model(args, data, data_name, /*pretrained=*/true, fallback);
  LoadedModel m = model;
  const Graph& g = m.module->graph();
  out.text("Bitshift " BITSHIFT_VERSION " - default job\n");
  out.text("data:  " + data_name + " (" + std::to_string(data.train.size()) + " train, " +
           std::to_string(data.test.size()) + " test, " + data.train.name + ")\n");
  out.text("model: " + g.name() + " from " + m.origin + "\n\n" + summary_table(g) + "\n");
  const int64_t limit = args.get_int64("test-limit", 0);
  const Dataset test = limit > 0 ? data.test.head(limit) : data.test;
  const EvalResult r = evaluate(m.module, test, m.normalization);
  char line[256];
  std::snprintf(line, sizeof line, "FP32 test accuracy: top-1 %.2f %%  top-5 %.2f %%  (%lld images, %.1f s)\n",
                r.top1, r.top5, (long long)r.images, r.seconds);
  out.text(line);
  if (!m.pretrained)
    out.text("note: no shipped baseline was found for this model and data: random weights\n");
  nlohmann::json j = graph_summary_json(g);
  j["origin"] = m.origin;
  j["data"] = data_name;
  j["fp32"] = {{"top1", r.top1}, {"top5", r.top5}, {"loss", r.loss}, {"images", r.images}};
  const int epochs = args.get_int("epochs", 1);
  if (epochs <= 0) {
    out.emit(j);
    return kExitOk;
  }
  const std::string method = args.get("method", "nice"), bits = args.get("bits", "w4a4");
  const std::string dir = args.get("out-dir", "runs");
  std::filesystem::create_directories(dir);
  out.text("\nStep 2: quantize with " + method + " " + bits + " (" + std::to_string(epochs) +
           " epoch" + (epochs > 1 ? "s" : "") + " of fine-tuning; the first layer at 8/8 so the\n"
           "whole network runs on integers)\n");
  const std::string stem = g.name() + "-" + method + "-" + bits;
  const std::string ck = dir + "/" + stem + ".bsck";
  std::vector<std::string> q = {"--model", m.origin, "--data", data_name, "--method", method,
                                "--bits", bits, "--epochs", std::to_string(epochs),
                                "--layer", g.node(g.weight_layers().front()).name + "=8/8",
                                "--out", ck};
  if (args.has("test-limit")) q.insert(q.end(), {"--test-limit", args.get("test-limit")});
  if (args.has("threads")) q.insert(q.end(), {"--threads", args.get("threads")});
  for (const char* n : {"mean", "std"})
    if (args.has(n)) q.insert(q.end(), {std::string("--") + n, args.get(n)});
  if (args.has("json")) q.push_back("--json");
  int code = kExitOk;
  {
    JsonCapture capture;
    code = cmd_quantize(q);
    j["quantize"] = capture.value();
  }
  if (code != kExitOk || args.has("no-export")) {
    out.emit(j);
    return code;
  }
  out.text("\nStep 3: export to integer-only OpenCL and verify it layer by layer\n");
  std::vector<std::string> e = {"--model", ck, "--data", data_name, "--out",
                                "exports/" + stem, "--agreement-images",
                                args.get("agreement-images", "2000")};
  if (args.has("threads")) e.insert(e.end(), {"--threads", args.get("threads")});
  if (args.has("json")) e.push_back("--json");
  {
    JsonCapture capture;
    code = cmd_export(e);
    j["export"] = capture.value();
  }
  out.emit(j);
  return code;
}

}  // namespace bitshift::cli
