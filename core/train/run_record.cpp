#include "train/run_record.h"

#include <ctime>

#include "util/atomic_file.h"

namespace bitshift {

nlohmann::json to_json(const EpochRecord& e) {
  return {{"epoch", e.epoch},           {"lr", e.lr},
          {"train_loss", e.train_loss}, {"train_top1", e.train_top1},
          {"test_loss", e.test_loss},   {"top1", e.test_top1},
          {"top5", e.test_top5},        {"seconds", e.seconds},
          {"images_per_second", e.images_per_second},
          {"data_wait_seconds", e.data_wait_seconds},
          {"sync_seconds", e.sync_seconds}};
}

EpochRecord epoch_record_from_json(const nlohmann::json& j) {
  EpochRecord e;
  e.epoch = j.at("epoch").get<int>();
  e.lr = j.at("lr").get<double>();
  e.train_loss = j.at("train_loss").get<double>();
  e.train_top1 = j.at("train_top1").get<double>();
  e.test_loss = j.at("test_loss").get<double>();
  e.test_top1 = j.at("top1").get<double>();
  e.test_top5 = j.at("top5").get<double>();
  e.seconds = j.at("seconds").get<double>();
  e.images_per_second = j.at("images_per_second").get<double>();
  e.data_wait_seconds = j.value("data_wait_seconds", 0.0);
  e.sync_seconds = j.value("sync_seconds", 0.0);
  return e;
}

nlohmann::json to_json(const RunRecord& r) {
  nlohmann::json history = nlohmann::json::array();
  for (const auto& e : r.history) history.push_back(to_json(e));
  return {{"schema", 1},
          {"kind", r.kind},
          {"model", r.model},
          {"params", r.params},
          {"macs", r.macs},
          {"data", r.data},
          {"train_images", r.train_images},
          {"test_images", r.test_images},
          {"config", r.config},
          {"history", history},
          {"top1", r.top1},
          {"top5", r.top5},
          {"wall_seconds", r.wall_seconds},
          {"images_per_second", r.images_per_second},
          {"cancelled", r.cancelled},
          {"started_at", r.started_at},
          {"checkpoint", r.checkpoint},
          {"failed", !r.error.empty()},
          {"error", r.error}};
}

void save_run_record(const std::string& path, const RunRecord& record) {
  write_file_atomic(path, to_json(record).dump(2) + "\n");
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace bitshift
