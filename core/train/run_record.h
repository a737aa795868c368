#pragma once
// RunRecord: the JSON account of one run (model, data, hyper-parameters, per-epoch history,
// final accuracy, wall time) that the CLI writes and the studio's comparison reads.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "train/trainer.h"

namespace bitshift {

struct RunRecord {
  std::string kind;        // "train", "quantize", ...
  std::string model;       // graph name
  int64_t params = 0;
  int64_t macs = 0;
  std::string data;        // dataset name
  int64_t train_images = 0;
  int64_t test_images = 0;
  nlohmann::json config = nlohmann::json::object();
  std::vector<EpochRecord> history;
  double top1 = 0.0;
  double top5 = 0.0;
  double wall_seconds = 0.0;
  double images_per_second = 0.0;
  bool cancelled = false;
  std::string started_at;  // ISO 8601, UTC
  std::string checkpoint;  // path of the checkpoint written by the run, if any
  std::string error;       // why the run failed; empty when it did not
};

nlohmann::json to_json(const RunRecord& record);
nlohmann::json to_json(const EpochRecord& epoch);
// Throws nlohmann::json's exception for a missing or mistyped key.
EpochRecord epoch_record_from_json(const nlohmann::json& j);
// Writes pretty JSON atomically; throws Error naming the path.
void save_run_record(const std::string& path, const RunRecord& record);
// Current UTC time as "2026-11-22T21:16:00Z".
std::string utc_now_iso8601();

}  // namespace bitshift
