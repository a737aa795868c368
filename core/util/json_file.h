#pragma once
// JSON from files users hand over: bounded in size and nesting, errors naming the file.
#include <nlohmann/json.hpp>

#include <string>

namespace bitshift {

// Deeper nesting is refused while parsing (a document nested 200,000 deep would otherwise
// exhaust the stack of whatever walks it later).
constexpr int kMaxJsonDepth = 256;

// nlohmann's message without its "[json.exception.type_error.302] " prefix, and with the
// field it concerns in words: "field 'tensors[0].name': type must be string, but is number"
// (the whole project builds with JSON_DIAGNOSTICS, which records each value's place).
std::string json_error_text(const nlohmann::json::exception& e);

// Parses `text`; throws Error naming `origin` for malformed or too deeply nested JSON.
nlohmann::json parse_json(const std::string& text, const std::string& origin);

// Reads and parses a JSON file (at most kMaxJsonFileBytes); throws Error naming the path.
nlohmann::json read_json_file(const std::string& path);

}  // namespace bitshift
