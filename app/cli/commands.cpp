// The table of subcommands; each lives in its own cmd_*.cpp.
#include "cli/common.h"

namespace bitshift::cli {

int cmd_run(const std::vector<std::string>& argv);
int cmd_train(const std::vector<std::string>& argv);
int cmd_eval(const std::vector<std::string>& argv);
int cmd_summary(const std::vector<std::string>& argv);
int cmd_methods(const std::vector<std::string>& argv);
int cmd_cost(const std::vector<std::string>& argv);
int cmd_quantize(const std::vector<std::string>& argv);
int cmd_compare(const std::vector<std::string>& argv);
int cmd_export(const std::vector<std::string>& argv);
int cmd_verify(const std::vector<std::string>& argv);
int cmd_sensitivity(const std::vector<std::string>& argv);
int cmd_allocate(const std::vector<std::string>& argv);

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"run", "the default job: baseline, evaluate, quantize (NICE w4a4), export, verify", cmd_run},
      {"train", "train a zoo model in FP32 and save a checkpoint and a run record", cmd_train},
      {"eval", "evaluate a model on a dataset's test split (top-1, top-5, loss)", cmd_eval},
      {"summary", "print a model's layers: output shape, parameters, MACs", cmd_summary},
      {"methods", "list the quantization methods", cmd_methods},
      {"cost", "per-layer BOPs, weight memory and MACs of a plan, without training", cmd_cost},
      {"sensitivity", "per layer and bit-width, the loss and top-1 cost of quantizing it alone",
       cmd_sensitivity},
      {"allocate", "per-layer bits within a BOPs or weight budget, as a plan file", cmd_allocate},
      {"quantize", "quantization-aware fine-tuning with a method and a plan", cmd_quantize},
      {"export", "integer-only OpenCL bundle of a quantized checkpoint, verified", cmd_export},
      {"compare", "runs side by side: top-1 against BOPs, Pareto front marked", cmd_compare},
      {"verify", "run an export bundle on OpenCL and compare every layer with its golden vectors",
       cmd_verify},
  };
  return table;
}

}  // namespace bitshift::cli
