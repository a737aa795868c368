#include "import/layer_names.h"

#include <vector>

namespace bitshift {

std::string module_path_from_scope(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= name.size()) {
    const size_t slash = name.find('/', start);
    const size_t end = slash == std::string::npos ? name.size() : slash;
    if (end > start) parts.push_back(name.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2 || name.empty() || name[0] != '/') return "";
  parts.pop_back();  // the op itself ("Conv", "Relu_1")
  // A child of a Sequential is scoped "<sequential>.<index>" ("downsample.0" under
  // "downsample", "features.0" under "features"): it replaces its parent's part.
  std::vector<std::string> path_parts;
  for (const auto& p : parts) {
    if (!path_parts.empty() && p.rfind(path_parts.back() + ".", 0) == 0)
      path_parts.back() = p;
    else
      path_parts.push_back(p);
  }
  std::string path;
  for (const auto& p : path_parts) path += (path.empty() ? "" : ".") + p;
  return path;
}

std::string module_path_from_parameter(const std::string& p) {
  for (const char* suffix : {".weight", ".bias"}) {
    const std::string s(suffix);
    if (p.size() > s.size() && p.compare(p.size() - s.size(), s.size(), s) == 0 &&
        p.find(':') == std::string::npos)
      return p.substr(0, p.size() - s.size());
  }
  return "";
}

std::string LayerNamer::unique(const std::string& wanted, const std::string& fallback) {
  // Keep [A-Za-z0-9_], turn anything else into '_', drop empty dotted parts.
  auto clean = [](const std::string& s) {
    std::string out, part;
    auto flush = [&] {
      if (!part.empty()) out += (out.empty() ? "" : ".") + part;
      part.clear();
    };
    for (char c : s) {
      if (c == '.')
        flush();
      else
        part += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
    }
    flush();
    return out;
  };
  std::string base = clean(wanted);
  if (base.empty()) base = clean(fallback);
  if (base.empty()) base = "node";
  std::string name = base;
  for (int k = 1; used_.count(name); ++k) name = base + "_" + std::to_string(k);
  used_.insert(name);
  return name;
}

}  // namespace bitshift
