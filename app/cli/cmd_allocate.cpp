// `bitshift-cli allocate`: per-layer weight and activation bits that minimise the predicted
// sensitivity within a BOPs or weight-memory budget (quant/allocate.h), written as a plan file
// that `quantize --plan` and `cost --plan` read.
#include <cmath>
#include <cstdio>

#include "cli/common.h"
#include "quant/method_info.h"
#include "quant/plan.h"
#include "train/budget_fit.h"
#include "train/sensitivity.h"
#include "train/sensitivity_json.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift::cli {

namespace {

// Sensitivity entries from `sensitivity --json` output.
Sensitivity sensitivity_file(const std::string& path, const std::string& method) {
  Sensitivity s = read_sensitivity_file(path);
  if (s.method != method)
    throw Error("sensitivity file '" + path + "': it measured method '" + s.method + "', not '" + method + "'");
  return s;
}

}  // namespace

int cmd_allocate(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {
      opt_model(),
      opt_input(),
      opt_data(),
      opt_threads(),
      opt_seed(),
      {"method", "ID", "quantization method of the plan (default lsq)"},
      {"budget", "KIND=VALUE",
       "bops=N, weights=KIB, or bops=PRESET / weights=PRESET: the cost "
       "of that uniform plan (e.g. bops=w3a3)"},
      {"max-loss", "X",
       "instead of --budget: the cheapest plan whose predicted loss increase is at most X"},
      {"minimise", "KIND", "with --max-loss: bops (default) or weights"},
      {"edges", "POLICY", "first/last layers: quantized, 8bit, ... (default: the method's)"},
      {"layer", "NAME=W/A", "lock a layer's bits (repeatable)"},
      opt_granularity(),
      {"sensitivity", "FILE",
       "sensitivity --json output to use instead of measuring; random:SEED draws random "
       "sensitivities (a random plan of the budget's cost, the baseline allocation must beat)"},
      {"images", "N", "calibration images when measuring (default 256)"},
      {"out", "FILE", "write the plan here (JSON; quantize --plan FILE reads it)"},
      opt_json(),
      opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("allocate", "--model NAME|FILE (--budget KIND=VALUE | --max-loss X) [OPTIONS]",
               "Chooses each weight layer's weight and input-activation bits (2, 3, 4, 6 or 8)\n"
               "so that the summed per-layer sensitivity (measured, or from --sensitivity) is\n"
               "smallest within the budget; layers reading one activation share its bits, the\n"
               "method's first/last-layer policy and --layer locks hold. Exact up to the cost\n"
               "discretisation, whose gap is reported. With --max-loss, the other way round:\n"
               "the cheapest plan (in BOPs, or weights with --minimise weights) whose\n"
               "predicted loss increase stays within X.",
               specs);
    return kExitOk;
  }
  const Output out(args.has("json"));
  apply_threads(args);
  std::string data_name;
  DatasetPair data = open_data(args, &data_name);
  LoadedModel model = open_model(args, data, data_name, /*pretrained=*/true);
  const Graph& g = model.module->graph();
  const std::string method = args.get("method", "lsq");
  const MethodInfo& info = method_info(method);
  const EdgePolicy edges =
      args.has("edges") ? edge_policy_from_name(args.get("edges")) : info.edges;
  const bool by_loss = args.has("max-loss");
  if (by_loss == args.has("budget"))
    throw UsageError("allocate needs --budget (e.g. --budget bops=w3a3) or --max-loss X, not both");
  BudgetFitRequest request;
  request.method = method;
  request.edges = edges;
  request.granularity = granularity_of(args);
  double max_loss = 0;
  if (by_loss) {
    char* end = nullptr;
    const std::string text = args.get("max-loss");
    max_loss = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(max_loss >= 0) || !std::isfinite(max_loss))
      throw UsageError("--max-loss '" + text + "': expected a predicted loss increase >= 0, e.g. 0.05");
    const std::string kind = args.get("minimise", "bops");
    if (kind != "bops" && kind != "weights")
      throw UsageError("--minimise '" + kind + "': expected bops or weights");
    request.budget.kind = kind == "bops" ? BudgetKind::Bops : BudgetKind::WeightBits;
    request.budget.text = "max-loss=" + text;
  } else {
    try {
      request.budget = parse_budget(args.get("budget"), g, method, edges);
    } catch (const Error& e) {
      throw UsageError(std::string("--") + e.what());
    }
  }
  // --layer locks: the bits a 2-bit plan with the override has there.
  QuantPlan overridden = make_plan(g, method, "w2a2", edges);
  for (const auto& spec : args.all("layer")) {
    apply_layer_override(overridden, spec);
    const LayerPlan* lp = overridden.find(spec.substr(0, spec.find('=')));
    request.locks[lp->layer] = {lp->w_bits, lp->a_bits};
  }
  const Budget& budget = request.budget;

  // Refused before any measuring: a budget below 2 bits everywhere (locks kept).
  if (!by_loss) require_reachable(g, request);

  Sensitivity sens;
  const std::string sens_source = args.get("sensitivity", "");
  if (sens_source.rfind("random:", 0) == 0) {
    sens = random_sensitivity(g, std::strtoull(sens_source.c_str() + 7, nullptr, 10));
  } else if (!sens_source.empty()) {
    sens = sensitivity_file(sens_source, method);
    request.sensitivity_origin = "sensitivity file '" + sens_source + "'";
  } else {
    SensitivityConfig sc;
    sc.method = method;
    sc.granularity = request.granularity;
    sc.weight_bits = sc.activation_bits = candidate_bits();
    const int64_t images = args.get_int64("images", 256);
    const Dataset calib =
        model.data.train.random_subset(images, static_cast<uint64_t>(args.get_int64("seed", 1)));
    out.text("Measuring sensitivity (" + std::to_string(images) + " calibration images)...\n");
    sens = measure_sensitivity(model.module, calib, model.normalization, sc);
  }
  const BudgetFit fit = by_loss ? fit_to_loss(g, sens, request, max_loss) : fit_to_budget(g, sens, request);
  const QuantPlan& plan = fit.plan;
  const Allocation& r = fit.allocation;
  const double spent = fit.spent;
  const bool bops = budget.kind == BudgetKind::Bops;

  char line[256];
  std::snprintf(line, sizeof line, "%-24s %3s %3s\n", "layer", "w", "a");
  out.text(line);
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    std::snprintf(line, sizeof line, "%-24s %3d %3d%s\n", plan.layers[i].layer.c_str(),
                  plan.layers[i].w_bits, plan.layers[i].a_bits,
                  fit.locked.count(plan.layers[i].layer) ? "  (locked)" : "");
    out.text(line);
  }
  if (by_loss) {
    std::snprintf(line, sizeof line,
                  "%s %.4g: the cheapest plan found whose predicted loss increase, %.4f, is within "
                  "%.4f\n",
                  bops ? "BOPs" : "weight bits", spent, r.objective, max_loss);
    out.text(line);
  } else {
    std::snprintf(line, sizeof line,
                  "%s %.4g of %.4g budgeted (%s); predicted loss increase %.4f (no plan within the "
                  "budget below %.4f: gap %.4f)\n",
                  bops ? "BOPs" : "weight bits", spent, budget.value, budget.text.c_str(), r.objective,
                  r.lower_bound, r.gap());
    out.text(line);
    if (spent > budget.value)
      out.text(
          "note: the elementwise products (gates) put the total over the budget; the "
          "allocation prices weight layers only\n");
  }
  nlohmann::json j = {
      {"plan", to_json(plan)},
      {"budget", by_loss ? nlohmann::json{{"kind", bops ? "bops" : "weights"}, {"max_loss", max_loss}}
                         : nlohmann::json{{"kind", bops ? "bops" : "weights"},
                                          {"value", budget.value},
                                          {"text", budget.text}}},
      {"cost", spent},
      {"objective", r.objective},
      {"lower_bound", r.lower_bound},
      {"gap", r.gap()},
      {"method", method}};
  if (args.has("out")) {
    write_file_atomic(args.get("out"), j.dump(2) + "\n");
    out.text("plan: " + args.get("out") + " (bitshift-cli quantize --plan " + args.get("out") +
             ")\n");
  }
  out.emit(j);
  return kExitOk;
}

}  // namespace bitshift::cli
