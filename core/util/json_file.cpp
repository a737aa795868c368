#include "util/json_file.h"

#include <algorithm>

#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift {

namespace {

// "/tensors/0/name" -> "tensors[0].name": the field as a user reads it.
std::string dotted(const std::string& pointer) {
  std::string out;
  size_t at = 1;
  while (at <= pointer.size()) {
    const size_t end = std::min(pointer.find('/', at), pointer.size());
    const std::string part = pointer.substr(at, end - at);
    const bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
    out += index ? "[" + part + "]" : (out.empty() ? "" : ".") + part;
    at = end + 1;
  }
  return out;
}

}  // namespace

std::string json_error_text(const nlohmann::json::exception& e) {
  std::string what = e.what();
  if (what.rfind("[json.exception.", 0) == 0 && what.find("] ") != std::string::npos)
    what = what.substr(what.find("] ") + 2);
  // With JSON_DIAGNOSTICS nlohmann puts the field's JSON pointer first: "(/a/0/b) text".
  if (what.rfind("(/", 0) == 0 && what.find(") ") != std::string::npos) {
    const size_t close = what.find(") ");
    what = "field '" + dotted(what.substr(1, close - 1)) + "': " + what.substr(close + 2);
  }
  return what;
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
