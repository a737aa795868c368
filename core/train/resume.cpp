#include "train/resume.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "train/run_record.h"
#include "util/error.h"

namespace bitshift {

namespace {

std::string to_hex(const torch::Tensor& bytes) {
  static const char* digits = "0123456789abcdef";
  const auto b = bytes.contiguous();
  const auto* p = b.data_ptr<uint8_t>();
  std::string out;
  out.reserve(2 * b.numel());
  for (int64_t i = 0; i < b.numel(); ++i) {
    out.push_back(digits[p[i] >> 4]);
    out.push_back(digits[p[i] & 15]);
  }
  return out;
}

torch::Tensor from_hex(const std::string& hex, const std::string& origin) {
  require(hex.size() % 2 == 0, "checkpoint '" + origin + "': meta 'rng_state' is not hex bytes");
  auto out = torch::empty({static_cast<int64_t>(hex.size() / 2)}, torch::kUInt8);
  auto* p = out.data_ptr<uint8_t>();
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw Error("checkpoint '" + origin + "': meta 'rng_state' is not hex bytes");
  };
  for (size_t i = 0; i < hex.size() / 2; ++i) p[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  return out;
}

}  // namespace

void add_resume_meta(nlohmann::json& meta, const std::vector<EpochRecord>& history) {
  nlohmann::json h = nlohmann::json::array();
  for (const auto& e : history) h.push_back(to_json(e));
  meta["history"] = h;
  meta["rng_state"] = to_hex(at::detail::getDefaultCPUGenerator().get_state());
}

ResumePoint read_resume_point(const std::string& path) {
  ResumePoint p;
  p.origin = path;
  p.checkpoint = load_checkpoint(path);
  const auto& meta = p.checkpoint.meta;
  require(meta.contains("epoch") && meta.contains("history") && meta.contains("rng_state"),
          "checkpoint '" + path + "' is not the checkpoint of an unfinished run's epoch (it has " +
              "no epoch count, history and generator state); resume from the checkpoint a run " +
              "writes after each epoch");
  try {
    p.epochs_done = meta.at("epoch").get<int>();
    for (const auto& e : meta.at("history")) p.history.push_back(epoch_record_from_json(e));
  } catch (const nlohmann::json::exception&) {
    throw Error("checkpoint '" + path + "': its epoch count or history is malformed");
  }
  require(p.epochs_done >= 1 && static_cast<size_t>(p.epochs_done) == p.history.size(),
          "checkpoint '" + path + "': epoch " + std::to_string(p.epochs_done) + " does not match its history of " +
              std::to_string(p.history.size()) + " epochs");
  from_hex(meta.at("rng_state").get<std::string>(), path);  // checked now, used later
  return p;
}

void restore_generator(const ResumePoint& p) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(from_hex(p.checkpoint.meta.at("rng_state").get<std::string>(), p.origin));
}

}  // namespace bitshift
