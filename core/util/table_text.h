#pragma once
// Plain-text tables of layers: a name column as wide as the longest name (at least 28).
#include <algorithm>
#include <string>
#include <vector>

namespace bitshift {

inline size_t name_column_width(const std::vector<std::string>& names) {
  size_t width = 28;
  for (const auto& n : names) width = std::max(width, n.size());
  return width;
}

// `text` followed by spaces up to `width` characters.
inline std::string padded(const std::string& text, size_t width) {
  return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
}

}  // namespace bitshift
