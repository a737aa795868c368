#include "util/json_file.h"

#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift {

nlohmann::json parse_json(const std::string& text, const std::string& origin) {
  const nlohmann::json::parser_callback_t bounded = [&](int depth, nlohmann::json::parse_event_t,
                                                        nlohmann::json&) {
    if (depth > kMaxJsonDepth)
      throw Error(origin + " is nested more than " + std::to_string(kMaxJsonDepth) + " levels deep");
    return true;
  };
  try {
    return nlohmann::json::parse(text, bounded);
  } catch (const nlohmann::json::exception& e) {
    throw Error(origin + " is not valid JSON: " + e.what());
  }
}

nlohmann::json read_json_file(const std::string& path) {
  return parse_json(read_file(path, kMaxJsonFileBytes), "'" + path + "'");
}

}  // namespace bitshift
