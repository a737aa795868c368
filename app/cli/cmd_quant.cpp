// `bitshift-cli methods`, `cost` and `quantize`: the quantization engine from the command line.
#include <cstdio>

#include "cli/common.h"
#include "cli/progress_bar.h"
#include "cli/replicas_cli.h"
#include "quant/cost.h"
#include "quant/method_info.h"
#include "quant/plan.h"
#include "quant/plan_file.h"
#include "train/quantize_job.h"
#include "train/resume.h"
#include "util/atomic_file.h"
#include "util/json_file.h"

namespace bitshift::cli {

namespace {

OptionSpec opt_method() { return {"method", "ID", "quantization method (see `methods`; default nice)"}; }
OptionSpec opt_bits() { return {"bits", "PRESET", "w4a4, w3a3, w2a2, w4a8, w8a8, w1a32, fp32 ... (default w4a4)"}; }
OptionSpec opt_layer() { return {"layer", "NAME=W/A", "per-layer bits, e.g. conv1=8/8 (repeatable)"}; }
OptionSpec opt_edges() { return {"edges", "POLICY", "first/last layers: quantized, first-fp, fp, 8bit (default: the method's)"}; }
OptionSpec opt_plan() { return {"plan", "FILE", "per-layer plan (bitshift-cli allocate --out); --layer still overrides"}; }

QuantPlan plan_from(const Args& args, const Graph& g) {
  if (args.has("plan")) {
    QuantPlan plan = read_plan_file(args.get("plan"), g);
    for (const auto& spec : args.all("layer")) apply_layer_override(plan, spec);
    validate(plan, g);
    return plan;
  }
  const std::string method = args.get("method", "nice");
  const std::string bits = args.get("bits", "w4a4");
  QuantPlan plan = args.has("edges") ? make_plan(g, method, bits, edge_policy_from_name(args.get("edges")))
                                     : make_plan(g, method, bits);
  for (const auto& spec : args.all("layer")) apply_layer_override(plan, spec);
  if (args.has("granularity"))
    for (LayerPlan& l : plan.layers) l.granularity = granularity_of(args);
  validate(plan, g);
  return plan;
}

nlohmann::json cost_json(const ModelCost& c) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : c.layers)
    layers.push_back({{"layer", l.layer}, {"w_bits", l.w_bits}, {"a_bits", l.a_bits},
                      {"macs", l.macs}, {"bops", l.bops}, {"weight_bits", l.weight_bits}});
  return {{"bops", c.bops}, {"weight_bits", c.weight_bits}, {"macs", c.macs}, {"layers", layers}};
}

}  // namespace

int cmd_methods(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {opt_json(), opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("methods", "", "Lists the quantization methods with a one-line description each.", specs);
    return kExitOk;
  }
  const Output out(args.has("json"));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : methods()) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-9s %-12s %s\n", m.id.c_str(), m.name.c_str(), m.description.c_str());
    out.text(line);
    list.push_back({{"id", m.id}, {"name", m.name}, {"description", m.description},
                    {"min_weight_bits", m.min_weight_bits}, {"trains", m.trains},
                    {"edges", edge_policy_name(m.edges)}, {"from_file", m.from_file}});
  }
  out.emit({{"methods", list}});
  return kExitOk;
}

int cmd_cost(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {opt_model(), opt_input(), opt_data(), opt_method(), opt_bits(),
                                         opt_plan(), opt_layer(), opt_edges(), opt_granularity(), opt_width(), opt_json(), opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("cost", "--model NAME|FILE [--bits PRESET] [--layer NAME=W/A ...]",
               "Per-layer BOPs (UNIQ's formula times output positions), weight memory and MACs\n"
               "of a quantization plan, without training, beside the FP32 totals.",
               specs);
    return kExitOk;
  }
  const Output out(args.has("json"));
  std::string data_name;
  DatasetPair data = open_data(args, &data_name);
  const LoadedModel model = open_model(args, data, data_name, /*pretrained=*/false);
  const Graph& g = model.module->graph();
  // A quantized model (checkpoint, QDQ/QONNX file) is costed at its own plan unless told otherwise.
  const bool own = model.quantized && !args.has("plan") && !args.has("method") && !args.has("bits");
  QuantPlan plan = own ? model.quantized_network.plan : plan_from(args, g);
  if (own)
    for (const auto& spec : args.all("layer")) apply_layer_override(plan, spec);
  const ModelCost c = cost(g, plan), fp = cost(g, make_plan(g, "minmax", "fp32"));
  const std::string what = own               ? "its own plan"
                           : args.has("plan") ? "the plan in " + args.get("plan")
                                              : args.get("method", "nice") + " " + args.get("bits", "w4a4");
  out.text(g.name() + " with " + what + "\n" +
           cost_table(c, fp));
  nlohmann::json j = cost_json(c);
  j["model"] = g.name();
  j["fp32"] = {{"bops", fp.bops}, {"weight_bits", fp.weight_bits}};
  j["plan"] = to_json(plan);
  out.emit(j);
  return kExitOk;
}

int cmd_quantize(const std::vector<std::string>& argv) {
  std::vector<OptionSpec> specs = {
      opt_model(), opt_input(), opt_data(), opt_mean(), opt_std(), opt_method(), opt_bits(), opt_plan(), opt_layer(),
      opt_edges(), opt_granularity(), opt_augment(), opt_num_classes(),
      {"epochs", "N", "fine-tuning epochs (default 2)"},
      {"lr", "X", "learning rate (default 0.005, SGD Nesterov, cosine)"},
      {"optimizer", "sgd|adam", "optimizer (default sgd)"},
      {"epochs-per-stage", "X", "gradual methods: epochs per stage (default: stages share half)"},
      {"train-limit", "N", "fine-tune on the first N training images only"},
      {"batch-size", "N", "batch size (default 128; spread over replicas, the global batch)"},
      opt_test_limit(), opt_seed(), opt_threads(), opt_device(), opt_width(),
      {"out", "PATH", "quantized checkpoint (default <model>-<method>-<bits>.bsck)"},
      {"record", "PATH", "run record (default: the checkpoint path + .json)"},
      {"resume", "CHECKPOINT", "go on from an interrupted run's last epoch checkpoint (same options)"}};
  for (const auto& o : replica_options()) specs.push_back(o);
  specs.insert(specs.end(), {opt_json(), opt_help()});
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("quantize", "--model NAME|FILE --method ID --bits PRESET [OPTIONS]",
               "Quantization-aware fine-tuning of an FP32 model (a zoo name loads its shipped\n"
               "baseline) with a seed method; prints FP32 vs quantized accuracy and BOPs.",
               specs);
    return kExitOk;
  }
  const std::string device = device_name_of(args);  // before any work
  if (const auto code = run_local_replicas("quantize", argv, args)) return *code;
  apply_threads(args);
  std::shared_ptr<Replicas> replicas = join_from(args);
  const Output out(args.has("json"), replicas && replicas->rank() != 0);
  std::string data_name;
  DatasetPair data = open_data(args, &data_name);
  LoadedModel model = open_model(args, data, data_name, /*pretrained=*/true);
  const Graph& g = model.module->graph();
  QuantizeJob job;
  job.data_name = data_name;
  QatConfig& config = job.config;
  config.plan = plan_from(args, g);
  // A plan file names its own method; its bits are per layer.
  job.method = args.has("plan") && !config.plan.layers.empty() ? config.plan.layers.front().method
                                                                : args.get("method", "nice");
  job.bits = args.has("plan") ? "plan" : args.get("bits", "w4a4");
  config.train.replicas = replicas;
  config.train.sync_batchnorm = sync_batchnorm_of(args);
  config.train.device = device;
  if (args.has("resume")) config.train.resume = std::make_shared<ResumePoint>(read_resume_point(args.get("resume")));
  config.train.epochs = args.get_int("epochs", 2);
  config.train.batch_size = args.get_int64("batch-size", config.train.batch_size);
  config.train.optimizer = optimizer_from_name(args.get("optimizer", "sgd"));
  config.train.lr = args.get_double("lr", 0.005);
  config.train.weight_decay = 5e-5;
  config.train.train_limit = args.get_int64("train-limit", 0);
  config.train.test_limit = args.get_int64("test-limit", 0);
  config.train.seed = static_cast<uint64_t>(args.get_int64("seed", 1));
  apply_augment(args, data.train, config.train);
  config.epochs_per_stage = args.get_double("epochs-per-stage", 0.0);
  const std::string& method = job.method;
  const std::string& bits = job.bits;
  job.checkpoint = args.get("out", g.name() + "-" + method + "-" + bits + ".bsck");
  job.record = args.get("record", job.checkpoint + ".json");
  const auto lock = claim_outputs(writes_files(config.train), job.checkpoint, job.record);  // before any work
  if (!model.pretrained)
    out.text("warning: no FP32 baseline for " + g.name() + " on " + data_name +
             "; quantizing random weights\n");
  out.text("Quantizing " + g.name() + " (" + model.origin + ") with " + method + " " + bits + "\n");

  ProgressBar bar(method + " " + bits);
  ProgressFn<QatSnapshot> report = [&](const QatSnapshot& s) {
    return s.train.steps_total > 0 ? bar.update(s.train) : true;
  };
  // Rank 0 reports for the run; the other replicas neither print nor collect traces.
  auto result = run_quantize_job(model, data, job, writes_files(config.train) ? report : nullptr);
  bar.finish();
  if (!result) throw Error(result.error());
  const QatResult& qat = result->qat;
  const ModelCost &c = result->cost, &fp = result->fp32_cost;
  nlohmann::json rj = result->record;

  char line[512];
  std::snprintf(line, sizeof line,
                "FP32      top-1 %6.2f %%  BOPs %10.4g  weights %8.1f KiB\n"
                "%-9s top-1 %6.2f %%  BOPs %10.4g  weights %8.1f KiB  (%+.2f points)\n"
                "checkpoint: %s\nrun record: %s\n",
                qat.fp32.top1, fp.bops, fp.weight_bits / 8192.0, bits.c_str(), qat.quantized.top1,
                c.bops, c.weight_bits / 8192.0, qat.quantized.top1 - qat.fp32.top1,
                job.checkpoint.c_str(), result->record_path.c_str());
  out.text(line);
  rj["record"] = result->record_path;
  out.emit(rj);
  return kExitOk;
}

}  // namespace bitshift::cli
