// `bitshift-cli train`: FP32 training of a zoo model, with checkpoint and run record.
#include <cstdio>

#include "cli/common.h"
#include "cli/progress_bar.h"
#include "cli/replicas_cli.h"
#include "train/checkpoint.h"
#include "train/resume.h"
#include "train/run_record.h"
#include "train/trainer.h"

namespace bitshift::cli {

namespace {

std::vector<OptionSpec> train_options() {
  std::vector<OptionSpec> specs = {opt_model(),
          opt_input(),
          opt_data(),
          opt_mean(),
          opt_std(),
          {"from", "FILE", "start from this checkpoint's weights instead of a random init"},
          {"epochs", "N", "epochs (default 10)"},
          {"batch-size", "N", "batch size (default 128)"},
          {"optimizer", "sgd|adam", "optimizer (default sgd: momentum 0.9, Nesterov)"},
          {"lr", "X", "initial learning rate (default 0.1 for sgd, 1e-3 for adam)"},
          {"schedule", "cosine|step|constant", "learning-rate schedule (default cosine)"},
          {"step-size", "N", "step schedule: epochs between decays (default 30)"},
          {"gamma", "X", "step schedule: decay factor (default 0.1)"},
          {"momentum", "X", "SGD momentum (default 0.9)"},
          {"no-nesterov", "", "plain momentum instead of Nesterov"},
          {"weight-decay", "X", "L2 weight decay (default 5e-4)"},
          {"label-smoothing", "X", "label smoothing in [0, 1) (default 0)"},
          opt_augment(),
          opt_num_classes(),
          {"train-limit", "N", "train on the first N images only"},
          opt_test_limit(),
          opt_seed(),
          opt_threads(),
          opt_device(),
          opt_width(),
          {"out", "PATH", "checkpoint to write (default <model>-<data>.bsck)"},
          {"record", "PATH", "run record to write (default: the checkpoint path + .json)"},
          {"resume", "CHECKPOINT", "go on from an interrupted run's last epoch checkpoint (same options)"},
          opt_json(),
          opt_help()};
  const auto dist = replica_options();
  specs.insert(specs.end() - 2, dist.begin(), dist.end());
  return specs;
}

TrainConfig config_from(const Args& a) {
  TrainConfig c;
  c.epochs = a.get_int("epochs", c.epochs);
  c.batch_size = a.get_int64("batch-size", c.batch_size);
  c.optimizer = optimizer_from_name(a.get("optimizer", "sgd"));
  c.lr = a.get_double("lr", c.optimizer == OptimizerKind::OptimizerAdam ? 1e-3 : c.lr);
  c.schedule = schedule_from_name(a.get("schedule", "cosine"));
  c.step_size = a.get_int("step-size", c.step_size);
  c.gamma = a.get_double("gamma", c.gamma);
  c.momentum = a.get_double("momentum", c.momentum);
  c.nesterov = !a.has("no-nesterov");
  c.weight_decay = a.get_double("weight-decay", c.weight_decay);
  c.label_smoothing = a.get_double("label-smoothing", c.label_smoothing);
  apply_augment(a, Dataset{}, c);  // checks the value now; the data's default comes later
  c.train_limit = a.get_int64("train-limit", 0);
  c.test_limit = a.get_int64("test-limit", 0);
  c.seed = static_cast<uint64_t>(a.get_int64("seed", 1));
  c.threads = a.get_int("threads", 0);
  c.device = device_name_of(a);
  validate(c);
  return c;
}

}  // namespace

int cmd_train(const std::vector<std::string>& argv) {
  const auto specs = train_options();
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("train", "--model NAME [OPTIONS]",
               "Trains a zoo model in FP32 on a dataset, writing a checkpoint after every epoch\n"
               "(atomically) and a JSON run record at the end.",
               specs);
    return kExitOk;
  }
  const TrainConfig probe = config_from(args);  // validate flags before loading anything
  if (const auto code = run_local_replicas("train", argv, args)) return *code;
  apply_threads(args);
  std::shared_ptr<Replicas> replicas = join_from(args);
  const Output out(args.has("json"), replicas && replicas->rank() != 0);
  std::string data_name;
  DatasetPair data = open_data(args, &data_name);
  LoadedModel model = open_model(args, data, data_name, /*pretrained=*/false);
  if (args.has("from")) {
    load_weights(model.module, load_checkpoint(args.get("from")), args.get("from"));
    model.origin = args.get("from");
  }
  TrainConfig config = probe;
  config.replicas = replicas;
  config.sync_batchnorm = sync_batchnorm_of(args);
  if (args.has("resume")) config.resume = std::make_shared<ResumePoint>(read_resume_point(args.get("resume")));
  apply_augment(args, data.train, config);
  const std::string name = model.module->graph().name();
  config.checkpoint_path = args.get("out", name + "-" + data_name + ".bsck");
  const std::string record_path = args.get("record", config.checkpoint_path + ".json");
  const auto lock = claim_outputs(writes_files(config), config.checkpoint_path, record_path);  // before any work

  out.text("Training " + name + " on " + data_name + " (" +
           std::to_string(config.train_limit > 0 ? std::min(config.train_limit, data.train.size()) : data.train.size()) +
           " images) for " + std::to_string(config.epochs) + " epochs, from " + model.origin +
           "\n");
  RunRecord record;
  record.started_at = utc_now_iso8601();
  ProgressBar bar(name);
  auto result = train(model.module, data, config, [&](const TrainSnapshot& s) {
    return writes_files(config) ? bar.update(s) : true;  // rank 0 reports for the run
  });
  bar.finish();
  if (!result) throw Error(result.error());

  record.kind = "train";
  record.model = name;
  record.params = model.module->graph().total_params();
  record.macs = model.module->graph().total_macs();
  record.data = data_name;
  record.train_images = config.train_limit > 0 ? std::min(config.train_limit, data.train.size())
                                               : data.train.size();
  record.test_images = config.test_limit > 0 ? std::min(config.test_limit, data.test.size())
                                             : data.test.size();
  record.config = to_json(config);
  record.config["from"] = model.origin;
  if (model.meta.contains("origin")) record.config["origin"] = model.meta["origin"];
  record.history = result->history;
  if (!result->history.empty()) {
    record.top1 = result->history.back().test_top1;
    record.top5 = result->history.back().test_top5;
  }
  record.wall_seconds = result->wall_seconds;
  record.images_per_second = result->images_per_second;
  record.cancelled = result->cancelled;
  record.checkpoint = config.checkpoint_path;
  if (writes_files(config)) save_run_record(record_path, record);

  char line[256];
  std::snprintf(line, sizeof line,
                "top-1 %.2f %%  top-5 %.2f %%  %.0f img/s  %.1f s\ncheckpoint: %s\nrun record: %s\n",
                record.top1, record.top5, record.images_per_second, record.wall_seconds,
                config.checkpoint_path.c_str(), record_path.c_str());
  out.text(line);
  nlohmann::json j = to_json(record);
  j["record"] = record_path;
  out.emit(j);
  return kExitOk;
}

}  // namespace bitshift::cli
