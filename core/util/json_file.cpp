#include "util/json_file.h"

#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift {

std::string json_error_text(const nlohmann::json::exception& e) {
  const std::string what = e.what();
  const size_t end = what.rfind("] ", what.find(' ') == std::string::npos ? 0 : what.find(' '));
  return what.rfind("[json.exception.", 0) == 0 && end != std::string::npos ? what.substr(end + 2) : what;
}

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
    throw Error(origin + " is not valid JSON: " + json_error_text(e));
  }
}

nlohmann::json read_json_file(const std::string& path) {
  return parse_json(read_file(path, kMaxJsonFileBytes), "'" + path + "'");
}

}  // namespace bitshift
