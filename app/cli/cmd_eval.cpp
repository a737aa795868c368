// `bitshift-cli eval`: top-1/top-5/loss of a model on a dataset's test split.
#include <cstdio>

#include "cli/common.h"
#include "train/evaluate.h"

namespace bitshift::cli {

int cmd_eval(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {opt_model(), opt_input(), opt_data(), opt_mean(), opt_std(), opt_test_limit(),
                                         opt_threads(), opt_width(), opt_json(), opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("eval", "--model NAME|FILE [OPTIONS]",
               "Evaluates a model on the test split: top-1 and top-5 accuracy (percent), loss.",
               specs);
    return kExitOk;
  }
  const Output out(args.has("json"));
  apply_threads(args);
  std::string data_name;
  DatasetPair data = open_data(args, &data_name);
  LoadedModel model = open_model(args, data, data_name, /*pretrained=*/true);
  const int64_t limit = args.get_int64("test-limit", 0);
  const Dataset test = limit > 0 ? data.test.head(limit) : data.test;
  const EvalResult r = evaluate(model.module, test, model.normalization);
  char line[256];
  std::snprintf(line, sizeof line, "%s on %s (%lld images): top-1 %.2f %%  top-5 %.2f %%  loss %.4f\n",
                model.origin.c_str(), data_name.c_str(), (long long)r.images, r.top1, r.top5, r.loss);
  out.text(line);
  if (model.quantized) out.text("(quantized network: the checkpoint's plan and quantizers)\n");
  if (!model.pretrained)
    out.text("note: no checkpoint was loaded; these are the accuracies of random weights\n");
  out.emit({{"model", model.module->graph().name()}, {"origin", model.origin},
            {"pretrained", model.pretrained}, {"quantized", model.quantized}, {"data", data_name}, {"images", r.images},
            {"top1", r.top1}, {"top5", r.top5}, {"loss", r.loss}, {"seconds", r.seconds}});
  return kExitOk;
}

}  // namespace bitshift::cli
