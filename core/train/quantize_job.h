#pragma once
// The quantize job behind `bitshift-cli quantize` and the studio's Train button: QAT of a loaded
// FP32 model with a plan, then the quantized checkpoint and the run record (with cost) written
// atomically. One place, so the CLI and the studio write the same files.
#include <nlohmann/json.hpp>

#include <string>

#include "quant/cost.h"
#include "train/model_source.h"
#include "train/qat_session.h"

namespace bitshift {

struct QuantizeJob {
  std::string data_name = "fashion-mnist";
  std::string method;        // label of the record (the plan may mix methods)
  std::string bits;          // label of the record: the preset, or "custom"
  QatConfig config;          // plan + fine-tuning; checkpoint_path is set from `checkpoint`
  std::string checkpoint;    // quantized checkpoint, written after each epoch and at the end
  std::string record;        // run record (JSON); empty = checkpoint + ".json"
};

struct QuantizeOutcome {
  QatResult qat;
  ModelCost cost, fp32_cost;
  nlohmann::json record;     // as written; keys of the run record plus fp32_top1, bops, ...
  std::string record_path;
};

// Runs the session on `model` (its module is modified: quantizers attached). A cancelled run
// writes no final checkpoint or record (the last finished epoch's checkpoint stays) and returns
// qat.train.cancelled = true.
Result<QuantizeOutcome> run_quantize_job(LoadedModel& model, const DatasetPair& data,
                                         const QuantizeJob& job,
                                         const ProgressFn<QatSnapshot>& progress = {});

}  // namespace bitshift
