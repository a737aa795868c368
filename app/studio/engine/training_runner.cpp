// run_training: the studio's Train button. Opens its own copy of the model and data (the
// planning copy stays with the GUI thread), runs the quantize job and turns each QatSnapshot
// into a plain TrainReport.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <map>

#include "engine/dataset_cache.h"
#include "engine/local_replicas.h"
#include "engine/plan_rows.h"
#include "engine/studio_engine.h"
#include "quant/quantized_network.h"
#include "train/model_source.h"
#include "train/quantize_job.h"
#include "train/run_record.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift::studio {

namespace {

// Activation values are reported by the site node that holds them (a ReLU); the studio shows
// them under the weight layers that read them, whose A bits set them, and those no layer reads
// (a gate, a table's input) under their own label (site_label).
using SiteReaders = std::map<std::string, std::vector<std::string>>;

SiteReaders site_readers(const Graph& g, const QuantPlan& plan) {
  SiteReaders out;
  for (const auto& site : activation_sites(g, plan)) {
    auto& names = out[g.node(site.node).name];
    for (int reader : site.readers) names.push_back(g.node(reader).name);
    if (site.readers.empty()) names.push_back(site_label(g, site.node));
  }
  return out;
}

const std::vector<std::string>& layers_of(const SiteReaders& readers, const std::string& name,
                                          const std::string& kind, std::vector<std::string>& self) {
  self = {name};
  if (kind != "activation") return self;
  const auto it = readers.find(name);
  return it == readers.end() ? self : it->second;
}

TrainReport to_report(const QatSnapshot& s, const SiteReaders& readers) {
  TrainReport r;
  const TrainSnapshot& t = s.train;
  r.step = t.step;
  r.steps_total = t.steps_total;
  r.epoch = t.epoch;
  r.epochs = t.epochs;
  r.has_train = t.steps_total > 0 && !t.epoch_end;
  r.loss = t.loss;
  r.train_top1 = t.train_top1;
  r.has_test = t.epoch_end;
  r.test_top1 = t.test_top1;
  r.elapsed_seconds = t.elapsed_seconds;
  r.eta_seconds = t.eta_seconds;
  r.images_per_second = t.images_per_second;
  r.stage = s.stage;
  r.num_stages = s.num_stages;
  std::vector<std::string> self;
  for (const auto& t : s.traces)
    for (const auto& layer : layers_of(readers, t.name, t.kind, self))
      for (const auto& [quantity, value] : t.values)
        r.traces.push_back({layer, t.kind, quantity, value});
  for (const auto& h : s.histograms)
    for (const auto& layer : layers_of(readers, h.name, h.kind, self))
      r.histograms.push_back({layer, h.kind, h.lo, h.hi, h.counts});
  return r;
}

std::string file_safe(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') c = '-';
  return s;
}

// "20261130T231500Z-3": a file-name-safe start time, unique within this process.
std::string run_stamp() {
  static std::atomic<int> counter{0};
  std::string t = utc_now_iso8601();
  t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == '-' || c == ':'; }), t.end());
  return t + "-" + std::to_string(++counter);
}

}  // namespace

Result<TrainOutcome> run_training(const TrainRequest& request, JobControl& control,
                                  const std::function<void(const TrainReport&)>& report) {
  return capture([&]() -> TrainOutcome {
    require(!request.plan.empty(), "the plan has no layers");
    require(!request.out_dir.empty(), "no folder for the run's checkpoint and record");
    std::filesystem::create_directories(request.out_dir);
    LoadedModel model = open_studio_model(request.model, request.data);
    const DatasetPair& data = model.data;  // fitted to a model file's input where it differs

    QuantizeJob job;
    job.data_name = request.data;
    job.method = request.plan.front().method;
    job.bits = request.label;
    job.config.plan = to_plan(request.plan);
    job.config.train.epochs = request.epochs;
    job.config.train.lr = request.lr;
    job.config.train.weight_decay = 5e-5;  // as `bitshift-cli quantize`
    job.config.train.train_limit = request.train_limit;
    job.config.train.test_limit = request.test_limit;
    job.config.train.seed = request.seed;
    const std::string augment = default_augmentation(data.train);  // photos: crops, flips
    set_augmentation(job.config.train, augment);
    job.config.trace_every = request.trace_every;
    const std::string stem =
        run_stamp() + "-" + file_safe(model.module->graph().name() + "-" + request.label);
    job.checkpoint = (std::filesystem::path(request.out_dir) / (stem + ".bsck")).string();
    std::unique_ptr<LocalReplicas> replicas;
    if (request.processes > 1) {
      // The other replicas read the plan from a file beside the run's checkpoint.
      const std::string plan_file = job.checkpoint + ".plan.json";
      write_file_atomic(plan_file, nlohmann::json{{"plan", to_json(job.config.plan)}}.dump(2) + "\n");
      replicas = std::make_unique<LocalReplicas>(request, plan_file, augment);
      job.config.train.replicas = replicas->group();
      job.config.train.threads = replicas->threads_each();
    }

    const SiteReaders readers = site_readers(model.module->graph(), job.config.plan);
    auto result = run_quantize_job(model, data, job, [&](const QatSnapshot& s) {
      // Wait first: a paused run reports nothing until it resumes.
      if (!control.proceed()) return false;
      if (report) report(to_report(s, readers));
      return true;
    });
    if (!result) throw Error(result.error());
    TrainOutcome out;
    out.cancelled = result->qat.train.cancelled;
    out.epochs_done = static_cast<int>(result->qat.train.history.size());
    if (out.cancelled) {
      // Each finished epoch rewrote the checkpoint; before the first there is none.
      if (out.epochs_done > 0 && std::filesystem::exists(job.checkpoint)) out.checkpoint = job.checkpoint;
      return out;
    }
    out.top1 = result->qat.quantized.top1;
    out.top5 = result->qat.quantized.top5;
    out.fp32_top1 = result->qat.fp32.top1;
    out.bops = result->cost.bops;
    out.fp32_bops = result->fp32_cost.bops;
    out.weight_bits = result->cost.weight_bits;
    out.wall_seconds = result->qat.train.wall_seconds;
    out.checkpoint = job.checkpoint;
    out.record = result->record_path;
    out.started_at = result->record.value("started_at", "");
    return out;
  });
}

}  // namespace bitshift::studio
