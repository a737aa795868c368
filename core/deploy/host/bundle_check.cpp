#include "bundle_check.h"

#include <algorithm>
#include <cstdio>

namespace bitshift {

bool CheckReport::passed() const {
  if (layers.empty()) return false;
  for (const LayerCheck& l : layers)
    if (!l.equal()) return false;
  return true;
}

int64_t CheckReport::mismatches() const {
  int64_t n = 0;
  for (const LayerCheck& l : layers) n += l.mismatches;
  return n;
}

int64_t CheckReport::layers_differing() const {
  return std::count_if(layers.begin(), layers.end(),
                       [](const LayerCheck& l) { return !l.equal(); });
}

const Mismatch* CheckReport::first_mismatch() const {
  for (const LayerCheck& l : layers)
    if (!l.first.empty()) return &l.first.front();
  return nullptr;
}

CheckReport compare_layers(const IntegerModel& model, const std::vector<IntTensor>& got,
                           const std::vector<IntTensor>& golden, size_t keep) {
  CheckReport report;
  for (size_t i = 0; i < model.layers.size(); ++i) {
    const IntLayer& L = model.layers[i];
    LayerCheck lc;
    lc.layer = static_cast<int>(i);
    lc.name = L.name;
    if (i >= golden.size()) {
      lc.error = "no golden vector";
    } else if (i >= got.size()) {
      lc.error = "the device returned no output";
      lc.mismatches = static_cast<int64_t>(golden[i].values.size());
    } else if (got[i].n != golden[i].n || got[i].values.size() != golden[i].values.size()) {
      lc.error = "the device returned " + std::to_string(got[i].values.size()) + " values for " +
                 std::to_string(got[i].n) + " samples, expected " +
                 std::to_string(golden[i].values.size()) + " for " + std::to_string(golden[i].n);
      lc.mismatches = static_cast<int64_t>(golden[i].values.size());
    } else {
      const std::vector<int32_t>& a = got[i].values;
      const std::vector<int32_t>& e = golden[i].values;
      lc.values = static_cast<int64_t>(e.size());
      for (size_t j = 0; j < e.size(); ++j) {
        if (a[j] == e[j]) continue;
        ++lc.mismatches;
        if (lc.first.size() >= keep) continue;
        const int64_t k = static_cast<int64_t>(j), plane = L.h * L.w;
        Mismatch m;
        m.layer = lc.layer, m.name = L.name;
        m.n = k / L.numel(), m.c = k / plane % L.c, m.y = k / L.w % L.h, m.x = k % L.w;
        m.got = a[j], m.expected = e[j];
        lc.first.push_back(m);
      }
    }
    report.layers.push_back(lc);
  }
  return report;
}

CheckReport check_bundle(const LoadedBundle& bundle, const LayerRunner& run, size_t keep) {
  return compare_layers(bundle.model, run(bundle.input), bundle.golden, keep);
}

void check_conformance(const LoadedBundle& bundle, const LayerRunner& run, CheckReport& report,
                       size_t keep) {
  if (!bundle.conformance) return;
  CheckReport c = check_bundle(*bundle.conformance, run, keep);
  for (LayerCheck& l : c.layers) {
    l.name = kConformanceDir + l.name;
    for (Mismatch& m : l.first) m.name = l.name;
    report.layers.push_back(std::move(l));
  }
}

std::string format_check(const CheckReport& report) {
  size_t width = 8;
  for (const LayerCheck& l : report.layers) width = std::max(width, l.name.size());
  std::string out;
  char line[512];
  for (const LayerCheck& l : report.layers) {
    if (l.equal()) {
      std::snprintf(line, sizeof line, "  %3d %-*s ok (%lld values)\n", l.layer,
                    static_cast<int>(width), l.name.c_str(), static_cast<long long>(l.values));
    } else if (!l.error.empty()) {
      std::snprintf(line, sizeof line, "  %3d %-*s FAILED: %s\n", l.layer, static_cast<int>(width),
                    l.name.c_str(), l.error.c_str());
    } else {
      std::snprintf(line, sizeof line, "  %3d %-*s MISMATCH: %lld of %lld values differ\n", l.layer,
                    static_cast<int>(width), l.name.c_str(), static_cast<long long>(l.mismatches),
                    static_cast<long long>(l.values));
    }
    out += line;
    for (const Mismatch& m : l.first) {
      std::snprintf(line, sizeof line, "        n=%lld c=%lld y=%lld x=%lld: got %d, expected %d\n",
                    static_cast<long long>(m.n), static_cast<long long>(m.c),
                    static_cast<long long>(m.y), static_cast<long long>(m.x), m.got, m.expected);
      out += line;
    }
  }
  if (report.passed()) {
    out += "PASS: all " + std::to_string(report.layers.size()) +
           " layers equal the golden vectors bit for bit\n";
  } else {
    out += "FAIL: " + std::to_string(report.layers_differing()) + " of " +
           std::to_string(report.layers.size()) + " layers differ (" +
           std::to_string(report.mismatches()) + " values)\n";
  }
  return out;
}

}  // namespace bitshift
