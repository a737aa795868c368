#include "train/quantize_job.h"

#include "quant/plan.h"
#include "train/checkpoint.h"
#include "train/quantized_checkpoint.h"
#include "train/resume.h"
#include "train/run_record.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift {

namespace {

// What a quantize run's record says whatever its outcome.
RunRecord base_record(const LoadedModel& model, const QuantizeJob& job, const QatConfig& config,
                      const std::string& started_at) {
  const Graph& g = model.module->graph();
  RunRecord record;
  record.started_at = started_at;
  record.kind = "quantize";
  record.model = g.name();
  record.params = g.total_params();
  record.macs = g.total_macs();
  record.data = job.data_name;
  record.config = to_json(config.train);
  record.config["method"] = job.method;
  record.config["bits"] = job.bits;
  record.config["plan"] = to_json(config.plan);
  record.config["from"] = model.origin;
  if (model.meta.contains("origin")) record.config["origin"] = model.meta["origin"];
  return record;
}

// A run that failed (a replica lost, a diverged loss) leaves a record saying so, with the
// epochs its last checkpoint holds: that checkpoint is what --resume goes on from.
void write_failed_record(const LoadedModel& model, const QuantizeJob& job, const QatConfig& config,
                         const std::string& started_at, const std::string& error) {
  RunRecord record = base_record(model, job, config, started_at);
  record.error = error;
  try {
    const ResumePoint last = read_resume_point(job.checkpoint);
    record.history = last.history;
    record.checkpoint = job.checkpoint;
  } catch (const std::exception&) {
    // No epoch finished: nothing to resume from.
  }
  write_file_atomic(job.record.empty() ? job.checkpoint + ".json" : job.record, to_json(record).dump(2) + "\n");
}

}  // namespace

Result<QuantizeOutcome> run_quantize_job(LoadedModel& model, const DatasetPair& data,
                                         const QuantizeJob& job,
                                         const ProgressFn<QatSnapshot>& progress) {
  return capture([&]() -> QuantizeOutcome {
    const Graph& g = model.module->graph();
    validate(job.config.plan, g);
    require(!job.checkpoint.empty(), "quantize: no checkpoint path given");
    QatConfig config = job.config;
    config.train.checkpoint_path = job.checkpoint;
    const std::string started_at = utc_now_iso8601();

    auto qat = run_qat(model.module, data, config, progress);
    if (!qat) {
      if (writes_files(config.train)) write_failed_record(model, job, config, started_at, qat.error());
      throw Error(qat.error());
    }
    QuantizeOutcome out;
    out.qat = std::move(qat.value());
    if (out.qat.train.cancelled) return out;

    out.cost = cost(g, config.plan);
    out.fp32_cost = cost(g, make_plan(g, job.method, "fp32"));
    nlohmann::json meta = {{"method", job.method}, {"bits", job.bits},
                           {"plan", to_json(config.plan)},
                           {"top1", out.qat.quantized.top1},
                           {"fp32_top1", out.qat.fp32.top1}};
    // An imported model's origin (file, sha256, format, opset, producer) stays with it.
    if (model.meta.contains("origin")) meta["origin"] = model.meta["origin"];
    // Spread over replicas, rank 0 alone writes (the others hold the same bits).
    const bool writes = writes_files(config.train);
    if (writes)
      save_checkpoint(job.checkpoint, make_quantized_checkpoint(out.qat.net, model.normalization,
                                                                job.data_name, meta));

    RunRecord record = base_record(model, job, config, started_at);
    record.history = out.qat.train.history;
    record.top1 = out.qat.quantized.top1;
    record.top5 = out.qat.quantized.top5;
    record.wall_seconds = out.qat.train.wall_seconds;
    record.images_per_second = out.qat.train.images_per_second;
    record.checkpoint = job.checkpoint;
    out.record = to_json(record);
    out.record["fp32_top1"] = out.qat.fp32.top1;
    out.record["bops"] = out.cost.bops;
    out.record["fp32_bops"] = out.fp32_cost.bops;
    out.record["weight_bits"] = out.cost.weight_bits;
    out.record["fp32_weight_bits"] = out.fp32_cost.weight_bits;
    out.record["macs"] = out.cost.macs;
    out.record_path = job.record.empty() ? job.checkpoint + ".json" : job.record;
    if (writes) write_file_atomic(out.record_path, out.record.dump(2) + "\n");
    return out;
  });
}

}  // namespace bitshift
