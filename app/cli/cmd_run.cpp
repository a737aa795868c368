// `bitshift-cli run` (also the default without a command): the studio's main job, headless.
// Loads the shipped ResNet-20 baseline (else LeNet-5) and Fashion-MNIST, evaluates, summarises.
#include <cstdio>
#include <filesystem>

#include "cli/common.h"
#include "train/evaluate.h"

namespace bitshift::cli {

nlohmann::json graph_summary_json(const Graph& g);

int cmd_run(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {opt_model(), opt_data(),    opt_test_limit(),
                                         opt_threads(), opt_json(), opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("run", "[OPTIONS]",
               "The default job: loads the FP32 baseline (resnet20, else lenet5) and the data\n"
               "(fashion-mnist), prints the model summary and its test accuracy.",
               specs);
    return kExitOk;
  }
  const Output out(args.has("json"));
  apply_threads(args);
  std::string data_name;
  const DatasetPair data = open_data(args, &data_name);
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
  out.emit(j);
  return kExitOk;
}

}  // namespace bitshift::cli
