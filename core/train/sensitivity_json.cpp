#include "train/sensitivity_json.h"

#include <cmath>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json_file.h"

namespace bitshift {

nlohmann::json to_json(const Sensitivity& s) {
  nlohmann::json entries = nlohmann::json::array();
  for (const SensitivityEntry& e : s.entries)
    entries.push_back({{"layer", e.layer},
                       {"operand", e.operand},
                       {"bits", e.bits},
                       {"loss", e.loss},
                       {"top1", e.top1},
                       {"loss_increase", e.loss_increase},
                       {"top1_drop", e.top1_drop},
                       {"estimated", e.estimated}});
  return {{"method", s.method},
          {"images", s.images},
          {"fp_loss", s.fp_loss},
          {"fp_top1", s.fp_top1},
          {"entries", entries}};
}

Sensitivity sensitivity_from_json(const nlohmann::json& j, const std::string& origin) {
  try {
    Sensitivity s;
    s.method = j.at("method").get<std::string>();
    s.images = j.value("images", int64_t{0});
    s.fp_loss = j.value("fp_loss", 0.0);
    s.fp_top1 = j.value("fp_top1", 0.0);
    for (const auto& e : j.at("entries")) {
      SensitivityEntry x;
      x.layer = e.at("layer").get<std::string>();
      x.operand = e.at("operand").get<std::string>();
      require(x.operand == "w" || x.operand == "a",
              "entry of layer '" + x.layer + "': operand '" + x.operand + "' (expected w or a)");
      const auto& bits = e.at("bits");
      require(bits.is_number_integer() && bits.get<int64_t>() >= 1 && bits.get<int64_t>() <= 32,
              "entry of layer '" + x.layer + "': bits " + bits.dump() + " (expected an integer 1..32)");
      x.bits = bits.get<int>();
      x.loss = e.value("loss", 0.0);
      x.top1 = e.value("top1", 0.0);
      x.loss_increase = e.at("loss_increase").get<double>();
      x.top1_drop = e.value("top1_drop", 0.0);
      x.estimated = e.value("estimated", false);
      require(std::isfinite(x.loss_increase), "entry of layer '" + x.layer + "': loss_increase " +
                                                  e.at("loss_increase").dump() + " (expected a finite number)");
      s.entries.push_back(x);
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(origin + ": " + json_error_text(e));
  } catch (const Error& e) {
    throw Error(origin + ": " + e.what());
  }
}

Sensitivity read_sensitivity_file(const std::string& path) {
  const std::string origin = "sensitivity file '" + path + "'";
  return sensitivity_from_json(parse_json(read_file(path, kMaxJsonFileBytes), origin), origin);
}

}  // namespace bitshift
