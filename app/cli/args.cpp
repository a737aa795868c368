#include "cli/args.h"

#include <cstdio>

namespace bitshift::cli {

Args::Args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs) {
  auto find = [&](const std::string& name) -> const OptionSpec* {
    for (const auto& s : specs)
      if (s.name == name) return &s;
    return nullptr;
  };
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      std::string name = a.substr(2), value;
      const size_t eq = name.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const OptionSpec* spec = find(name);
      if (!spec) throw UsageError("unknown option '--" + name + "'");
      if (spec->value_name.empty()) {
        if (inline_value) throw UsageError("option '--" + name + "' takes no value");
        value = "1";
      } else if (!inline_value) {
        if (i + 1 >= argv.size())
          throw UsageError("option '--" + name + "' needs a value (" + spec->value_name + ")");
        value = argv[++i];
      }
      values_[name].push_back(value);
    } else if (a == "--") {
      for (++i; i < argv.size(); ++i) positional_.push_back(argv[i]);
    } else {
      positional_.push_back(a);
    }
  }
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

int64_t Args::get_int64(const std::string& name, int64_t fallback) const {
  if (!has(name)) return fallback;
  const std::string v = get(name);
  try {
    size_t used = 0;
    const long long r = std::stoll(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return r;
  } catch (const std::exception&) {
    throw UsageError("option '--" + name + "' expects an integer, got '" + v + "'");
  }
}

int Args::get_int(const std::string& name, int fallback) const {
  return static_cast<int>(get_int64(name, fallback));
}

double Args::get_double(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string v = get(name);
  try {
    size_t used = 0;
    const double r = std::stod(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return r;
  } catch (const std::exception&) {
    throw UsageError("option '--" + name + "' expects a number, got '" + v + "'");
  }
}

std::string format_options(const std::vector<OptionSpec>& specs) {
  std::string out;
  char line[512];
  for (const auto& s : specs) {
    const std::string left = "--" + s.name + (s.value_name.empty() ? "" : " " + s.value_name);
    std::snprintf(line, sizeof line, "  %-26s %s\n", left.c_str(), s.help.c_str());
    out += line;
  }
  return out;
}

}  // namespace bitshift::cli
