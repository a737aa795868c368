// `bitshift-cli compare`: finished runs side by side, accuracy against BOPs, Pareto front marked.
#include <algorithm>
#include <cstdio>

#include "cli/common.h"
#include "train/run_compare.h"

namespace bitshift::cli {

int cmd_compare(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {opt_json(), opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("compare", "RUN.json [RUN.json ...] [OPTIONS]",
               "Compares run records (written by train and quantize): top-1, BOPs, weight\n"
               "memory, sorted by BOPs; '*' marks the Pareto front (nothing else is at least as\n"
               "accurate for fewer BOPs).",
               specs);
    return kExitOk;
  }
  const Output out(args.has("json"));
  if (args.positional().empty()) throw UsageError("compare needs at least one run record");
  std::vector<RunSummary> runs;
  for (const auto& p : args.positional()) runs.push_back(read_run_summary(p));
  mark_pareto_front(runs);
  std::stable_sort(runs.begin(), runs.end(),
                   [](const RunSummary& a, const RunSummary& b) { return a.bops < b.bops; });
  char line[512];
  std::snprintf(line, sizeof line, "  %-10s %-8s %-7s %7s %12s %11s  %s\n", "model", "method",
                "bits", "top-1", "BOPs", "weights", "record");
  out.text(line);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : runs) {
    std::snprintf(line, sizeof line, "%s %-10s %-8s %-7s %6.2f%% %12.4g %7.1f KiB  %s\n",
                  r.pareto ? "*" : " ", r.model.c_str(), r.method.c_str(), r.bits.c_str(),
                  r.top1, r.bops, r.weight_bits / 8192.0, r.path.c_str());
    out.text(line);
    list.push_back({{"record", r.path}, {"model", r.model}, {"method", r.method},
                    {"bits", r.bits}, {"top1", r.top1}, {"bops", r.bops},
                    {"weight_bits", r.weight_bits}, {"pareto", r.pareto}});
  }
  out.emit({{"runs", list}});
  return kExitOk;
}

}  // namespace bitshift::cli
