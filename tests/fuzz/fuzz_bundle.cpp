// An export bundle as `verify` and the bundle's own host program read it (load_bundle). The
// input is one file of the bundle: its path, a NUL byte, its bytes. It replaces that file of a
// small real bundle (tests/fuzz/bundle_base, written by bitshift-cli export) and, unless it is
// MANIFEST.json itself, MANIFEST.json is re-hashed so the mutation reaches the parsers behind
// the sha256 check (network.json, the .bin files, the test vectors).
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "deploy/host/bundle_reader.h"
#include "deploy/host/json_lite.h"
#include "deploy/host/network_reader.h"
#include "deploy/manifest.h"
#include "fuzz_common.h"

namespace {

using namespace bitshift;
namespace fs = std::filesystem;

struct Base {
  std::vector<BundleFile> files;  // every file of the base bundle but MANIFEST.json
  IntegerModel model;
  std::vector<std::string> kernels;
};

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const Base& base() {
  static const Base b = [] {
    Base out;
    const fs::path dir = BITSHIFT_FUZZ_BUNDLE_BASE;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file())
        out.files.push_back({e.path().lexically_relative(dir).generic_string(), read_bytes(e.path())});
    std::sort(out.files.begin(), out.files.end(),
              [](const BundleFile& a, const BundleFile& c) { return a.path < c.path; });
    std::map<std::string, std::string> by_path;
    for (const auto& f : out.files) by_path[f.path] = f.bytes;
    out.model = read_network(json_lite::parse(by_path.at("network.json")),
                             [&](const std::string& p) -> const std::string& { return by_path.at(p); });
    for (const auto& f : out.files)
      if (f.path.rfind("device/", 0) == 0) out.kernels.push_back(f.path);
    return out;
  }();
  return b;
}

// What is on disk now, so that a run rewrites only the files that differ from the last one.
std::map<std::string, std::string>& on_disk() {
  static std::map<std::string, std::string> files;
  return files;
}

void put(const std::string& dir, const std::string& path, const std::string& bytes) {
  auto& disk = on_disk();
  const auto it = disk.find(path);
  if (it != disk.end() && it->second == bytes) return;
  const fs::path p = fs::path(dir) / path;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  disk[path] = bytes;
}

// A refusal names the bundle file at fault: its message starts with a path inside the bundle.
bool names_a_bundle_file(const std::string& message) {
  for (const char* known : {"MANIFEST.json", "network.json", ".bin", ".cl", "index.json"})
    if (message.find(known) != std::string::npos) return true;
  return false;
}

}  // namespace

BITSHIFT_FUZZ_TARGET(bundle) {
  const auto* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  if (!nul) return 0;
  const std::string name(reinterpret_cast<const char*>(data), static_cast<size_t>(nul - data));
  const std::string bytes(reinterpret_cast<const char*>(nul + 1), static_cast<size_t>(data + size - nul - 1));
  std::vector<BundleFile> files = base().files;
  std::string manifest;
  if (name == "MANIFEST.json") {
    manifest = bytes;
  } else {
    auto it = std::find_if(files.begin(), files.end(), [&](const BundleFile& f) { return f.path == name; });
    if (it == files.end()) return 0;  // only the base bundle's own paths are written
    it->bytes = bytes;
    manifest = manifest_json(base().model, files, base().kernels);
  }
  const std::string dir = fuzz::scratch_dir() + "/bundle";
  for (const auto& f : files) put(dir, f.path, f.bytes);
  put(dir, "MANIFEST.json", manifest);
  try {
    const LoadedBundle b = load_bundle(dir);
    (void)b;
  } catch (const std::runtime_error& e) {
    if (!names_a_bundle_file(e.what())) fuzz::finding("a refusal that names no bundle file", e.what());
  } catch (const std::exception& e) {
    fuzz::finding("an error of another type than the reader's std::runtime_error", e.what());
  }
  return 0;
}
