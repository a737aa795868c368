#include "bundle_reader.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "codec.h"
#include "json_lite.h"
#include "network_reader.h"
#include "sha256.h"

namespace bitshift {

namespace {

using json_lite::Value;

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw std::runtime_error(file + ": " + what);
}

constexpr std::uintmax_t kMaxManifestBytes = 64u << 20;

// Reads a regular file of at most `max_bytes` (checked before reading: a FIFO, a device or a
// giant is never opened). False when it is missing; throws for anything but a regular file.
bool read_whole(const std::string& path, const std::string& shown, std::uintmax_t max_bytes,
                std::string& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  if (ec || !fs::exists(st)) return false;
  if (fs::is_symlink(st)) fail(shown, "is a symbolic link; a bundle holds only regular files");
  if (!fs::is_regular_file(st)) fail(shown, "is not a regular file");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return false;
  if (size > max_bytes)
    fail(shown, std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) + " expected");
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(static_cast<size_t>(size), '\0');
  in.read(out.data(), static_cast<std::streamsize>(size));
  out.resize(static_cast<size_t>(in.gcount()));
  return !in.bad();
}

// No symbolic link anywhere in the bundle: a linked file or folder would make the bundle read
// (and verify write) outside itself.
void refuse_links(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_symlink(ec))
      fail(it->path().lexically_relative(dir).generic_string(),
           "is a symbolic link; a bundle holds only regular files and folders");
  }
}

Value parse_json(const std::string& file, const std::string& text) {
  try {
    return json_lite::parse(text);
  } catch (const std::runtime_error& e) {
    fail(file, e.what());
  }
}

// A path inside the bundle: relative, '/'-separated, never leaving the bundle.
bool safe_path(const std::string& p) {
  if (p.empty() || p[0] == '/' || p.find('\\') != std::string::npos) return false;
  std::istringstream parts(p);
  std::string part;
  while (std::getline(parts, part, '/'))
    if (part.empty() || part == "." || part == "..") return false;
  return true;
}

// MANIFEST.json and the files it lists, each read once and checked against size and sha256.
struct Manifest {
  std::map<std::string, std::string> files;  // path -> bytes
  std::vector<std::string> kernels;
  std::string verified_on;

  const std::string& get(const std::string& path) const {
    const auto it = files.find(path);
    if (it == files.end())
      fail(path, "not listed in MANIFEST.json (every bundle file is hashed there)");
    return it->second;
  }
};

std::string describe_verification(const Value& v) {
  if (v.is_null()) return "";
  std::string s;
  for (const char* key : {"name", "platform", "version", "result"}) {
    const Value* f = v.find(key);
    if (f && f->type() == Value::Type::String) s += (s.empty() ? "" : ", ") + f->as_string();
  }
  return s;
}

Manifest read_manifest(const std::string& dir) {
  const std::string file = "MANIFEST.json";
  std::string text;
  if (!read_whole(dir + "/" + file, file, kMaxManifestBytes, text))
    fail(file, "missing in '" + dir + "' (is it an export bundle?)");
  refuse_links(dir);
  const Value doc = parse_json(file, text);
  Manifest m;
  try {
    if (doc.at("schema").as_string() != "bitshift-bundle")
      throw std::runtime_error("schema '" + doc.at("schema").as_string() +
                               "', expected 'bitshift-bundle'");
    const int64_t version = doc.at("schema_version").as_int();
    if (version != kBundleSchemaVersion)
      throw std::runtime_error("schema_version " + std::to_string(version) +
                               ", this reader knows " + std::to_string(kBundleSchemaVersion));
    if (doc.at("endianness").as_string() != "little")
      throw std::runtime_error("endianness '" + doc.at("endianness").as_string() +
                               "', expected 'little'");
    for (const Value& k : doc.at("kernels").as_array()) m.kernels.push_back(k.as_string());
    const Value* verified = doc.find("verified_on");
    if (verified) m.verified_on = describe_verification(*verified);
  } catch (const std::runtime_error& e) {
    fail(file, e.what());
  }
  std::vector<const Value*> entries;
  try {
    for (const Value& f : doc.at("files").as_array()) entries.push_back(&f);
  } catch (const std::runtime_error& e) {
    fail(file, e.what());
  }
  for (const Value* f : entries) {
    std::string path, sha;
    int64_t bytes = 0;
    try {
      path = f->at("path").as_string();
      sha = f->at("sha256").as_string();
      bytes = f->at("bytes").as_int();
    } catch (const std::runtime_error& e) {
      fail(file, std::string("a files entry: ") + e.what());
    }
    if (!safe_path(path))
      fail(file, "file path '" + path + "' is not a plain path inside the bundle");
    if (m.files.count(path)) fail(file, "'" + path + "' is listed twice");
    std::string data;
    if (bytes < 0) fail(file, "'" + path + "' has a negative size");
    if (!read_whole(dir + "/" + path, path, static_cast<std::uintmax_t>(bytes), data))
      fail(path, "listed in MANIFEST.json but missing");
    if (static_cast<int64_t>(data.size()) != bytes)
      fail(path, std::to_string(data.size()) + " bytes, MANIFEST says " + std::to_string(bytes) +
                     " (truncated or replaced)");
    const std::string actual = sha256_hex(data);
    if (actual != sha)
      fail(path, "sha256 mismatch (MANIFEST says " + sha + ", file has " + actual + ")");
    m.files.emplace(path, std::move(data));
  }
  return m;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s;
  for (int64_t d : shape) s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

// One int32 tensor [n][c][h][w] of the test vectors (listed in `index`), checked against the
// layer's shape.
IntTensor read_vector(const Manifest& m, const std::string& index, const Value& v,
                      const IntLayer& L, int64_t n, std::string& path) {
  std::vector<int64_t> shape;
  try {
    path = v.at("file").as_string();
    if (v.at("type").as_string() != "int32")
      throw std::runtime_error("type '" + v.at("type").as_string() + "', expected 'int32'");
    for (const Value& d : v.at("shape").as_array()) shape.push_back(d.as_int());
  } catch (const std::runtime_error& e) {
    fail(index, "layer '" + L.name + "': " + e.what());
  }
  const std::vector<int64_t> want = {n, L.c, L.h, L.w};
  if (shape != want)
    fail(index, "layer '" + L.name + "' has shape " + shape_text(shape) +
                    ", network.json gives " + shape_text(want));
  const std::string& data = m.get(path);
  const size_t expected = static_cast<size_t>(n * L.numel()) * 4;
  if (data.size() != expected)
    fail(path, std::to_string(data.size()) + " bytes, expected " + std::to_string(expected) + " (" +
                   shape_text(want) + " int32)");
  IntTensor t;
  t.n = n;
  t.values = read_le32(data, 0, static_cast<size_t>(n * L.numel()));
  return t;
}

// The test vectors under `prefix` ("" or "conformance/").
void read_vectors(const Manifest& m, LoadedBundle& b, const std::string& prefix) {
  const std::string file = prefix + "testvectors/index.json";
  const Value doc = parse_json(file, m.get(file));
  const IntegerModel& model = b.model;
  int64_t n = 0;
  std::vector<const Value*> layers;
  try {
    n = doc.at("n").as_int();
    if (n < 1 || n > (int64_t{1} << 24))
      throw std::runtime_error("n = " + std::to_string(n) + ", expected 1..2^24");
    for (const Value& l : doc.at("layers").as_array()) layers.push_back(&l);
    if (layers.size() != model.layers.size())
      throw std::runtime_error(std::to_string(layers.size()) + " layers, network.json has " +
                               std::to_string(model.layers.size()));
    for (size_t i = 0; i < layers.size(); ++i)
      if (layers[i]->at("layer").as_string() != model.layers[i].name)
        throw std::runtime_error("entry " + std::to_string(i) + " is '" +
                                 layers[i]->at("layer").as_string() + "', network.json has '" +
                                 model.layers[i].name + "'");
  } catch (const std::runtime_error& e) {
    fail(file, e.what());
  }
  b.golden.resize(layers.size());
  b.golden_files.resize(layers.size());
  for (size_t i = 0; i < layers.size(); ++i)
    b.golden[i] = read_vector(m, file, *layers[i], model.layers[i], n, b.golden_files[i]);
  b.input = b.golden[0];
}

}  // namespace

LoadedBundle load_bundle(const std::string& dir) {
  const Manifest m = read_manifest(dir);
  LoadedBundle b;
  b.dir = dir;
  b.verified_on = m.verified_on;
  const Value network = parse_json("network.json", m.get("network.json"));
  b.model =
      read_network(network, [&m](const std::string& p) -> const std::string& { return m.get(p); });
  read_vectors(m, b, "");
  // The conformance network (FORMAT.md, "conformance/"), in bundles that carry it.
  if (m.files.count(kConformanceDir + std::string("network.json"))) {
    auto c = std::make_shared<LoadedBundle>();
    c->dir = dir + "/" + kConformanceDir;
    const std::string file = kConformanceDir + std::string("network.json");
    c->model = read_network(parse_json(file, m.get(file)),
                            [&m](const std::string& p) -> const std::string& { return m.get(p); },
                            file);
    read_vectors(m, *c, kConformanceDir);
    b.conformance = c;
  }
  for (const std::string& k : m.kernels) {
    const std::string& src = m.get(k);
    b.kernel_files.push_back(k);
    b.kernel_source += src;
    if (!src.empty() && src.back() != '\n') b.kernel_source += '\n';
  }
  if (b.kernel_files.empty()) fail("MANIFEST.json", "lists no kernels (device/*.cl)");
  return b;
}

}  // namespace bitshift
