#include "deploy/network_json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "deploy/host/codec.h"
#include "integer/int_op.h"
#include "util/error.h"

namespace bitshift {

namespace {

using Json = nlohmann::ordered_json;

// One of the binary files; every array starts at a multiple of 8 bytes (zero padding), so a
// reader may map int32 and int64 arrays in place.
class BinFile {
 public:
  explicit BinFile(std::string path) : path_(std::move(path)) {}

  Json add(const std::string& packed, int64_t count, const std::string& type) {
    bytes_.append((8 - bytes_.size() % 8) % 8, '\0');
    Json ref = {{"file", path_},
                {"offset", count == 0 ? 0 : bytes_.size()},
                {"bytes", packed.size()},
                {"count", count},
                {"type", type}};
    bytes_ += packed;
    return ref;
  }
  Json add32(const std::vector<int32_t>& v) {
    std::string b;
    append_le32(b, v);
    return add(b, static_cast<int64_t>(v.size()), "int32");
  }
  Json add64(const std::vector<int64_t>& v) {
    std::string b;
    append_le64(b, v);
    return add(b, static_cast<int64_t>(v.size()), "int64");
  }
  BundleFile file() const { return {path_, bytes_}; }

 private:
  std::string path_;
  std::string bytes_;
};

struct BinFiles {
  explicit BinFiles(const std::string& prefix)
      : weights(prefix + "weights.bin"), tables(prefix + "tables.bin"), bias(prefix + "bias.bin"),
        requant(prefix + "requant.bin") {}
  BinFile weights, tables, bias, requant;
};

Json window_json(const IntWindow& w) {
  return Json{{"kernel", {w.kh, w.kw}},
              {"stride", {w.sh, w.sw}},
              {"pads", {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right}},
              {"dilation", {w.dh, w.dw}},
              {"ceil_mode", w.ceil_mode}};
}

Json layer_json(const IntLayer& L, size_t index, BinFiles& bins) {
  Json inputs = Json::array();
  for (int in : L.inputs) inputs.push_back(in);
  const bool has_table = !L.table.empty();
  std::string packed;
  try {
    packed = pack_weight_codes(L.weights, L.w_bits, has_table);
  } catch (const std::runtime_error& e) {
    throw Error("layer '" + L.name + "': " + e.what());
  }
  Json scale = Json::array();
  for (double s : L.scale) scale.push_back(s);  // NaN is written as null
  const Requant& r = L.requant;
  Json j = Json{
      {"index", index},
      {"name", L.name},
      {"op", int_op_name(L.op)},
      {"inputs", inputs},
      {"shape", {{"c", L.c}, {"h", L.h}, {"w", L.w}}},
      {"window", window_json(L.window)},
      {"groups", L.groups},
      {"w_bits", L.w_bits},
      {"has_table", has_table},
      {"weights", bins.weights.add(packed, static_cast<int64_t>(L.weights.size()),
                                   weight_encoding(L.w_bits, has_table))},
      {"table", bins.tables.add32(L.table)},
      {"bias", bins.bias.add32(L.bias)},
      {"requant",
       {{"requantized", r.requantized},
        {"lo", r.lo},
        {"hi", r.hi},
        {"m", bins.requant.add32(r.m)},
        {"m2", bins.requant.add32(r.m2)},
        {"shift", bins.requant.add32(r.shift)},
        {"offset", bins.requant.add64(r.offset)}}},
      {"output", L.requantized_output() ? "requantized" : "int32 accumulator"},
      {"scale", scale},
      {"min_value", L.min_value},
      {"max_value", L.max_value},
  };
  if (L.op == IntOp::IntConcat) {
    Json runs = Json::array();
    for (const ChannelRun& run : L.runs) runs.push_back({run.input, run.first, run.count});
    j["runs"] = runs;
  }
  return j;
}

// A file name for a layer's golden vector: the layer name with anything outside [A-Za-z0-9._-]
// replaced, made unique (case-insensitively, for file systems that fold case).
std::string vector_name(const std::string& layer, size_t index, std::set<std::string>& taken) {
  std::string s;
  for (char ch : layer)
    s += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_')
             ? ch
             : '_';
  if (s.empty() || s[0] == '.') s = "layer" + s;
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  if (taken.count(lower)) s += "_" + std::to_string(index), lower += "_" + std::to_string(index);
  taken.insert(lower);
  return "testvectors/" + s + ".bin";
}

}  // namespace

std::vector<BundleFile> network_files(const IntegerModel& model, const std::string& prefix) {
  require(!model.layers.empty(), "integer model '" + model.name + "' has no layers");
  BinFiles bins(prefix);
  Json layers = Json::array();
  for (size_t i = 0; i < model.layers.size(); ++i)
    layers.push_back(layer_json(model.layers[i], i, bins));
  Json network = {{"format", "bitshift-network"},
                  {"format_version", 2},
                  {"name", model.name},
                  {"method", model.method},
                  {"num_classes", model.num_classes},
                  {"notes", model.notes}};
  if (!model.pixels.codes.empty()) {
    std::vector<int32_t> codes;  // [channel][pixel value]
    for (const auto& channel : model.pixels.codes) {
      require(channel.size() == 256, "pixel codes need 256 values per channel, got " +
                                         std::to_string(channel.size()));
      codes.insert(codes.end(), channel.begin(), channel.end());
    }
    network["input_pixels"] = {{"mean", model.pixels.mean},
                               {"std", model.pixels.std},
                               {"codes", bins.tables.add32(codes)}};
  }
  network["layers"] = layers;
  return {{prefix + "network.json", network.dump(2) + "\n"},
          bins.weights.file(),
          bins.tables.file(),
          bins.bias.file(),
          bins.requant.file()};
}

std::vector<BundleFile> testvector_files(const IntegerModel& model, const IntTensor& input,
                                         const std::vector<IntTensor>& golden,
                                         const std::string& prefix) {
  require(golden.size() == model.layers.size(),
          std::to_string(golden.size()) + " golden tensors for " +
              std::to_string(model.layers.size()) + " layers");
  require(input.n >= 1, "an empty test-vector batch");
  require(golden[0].values == input.values,
          "golden[0] is not the input batch (run_reference's outputs start with the input)");
  std::set<std::string> taken = {"input", "index"};
  std::vector<BundleFile> files(1);
  Json layers = Json::array();
  for (size_t i = 0; i < model.layers.size(); ++i) {
    const IntLayer& L = model.layers[i];
    require(golden[i].n == input.n &&
                static_cast<int64_t>(golden[i].values.size()) == input.n * L.numel(),
            "layer '" + L.name + "': golden tensor of " + std::to_string(golden[i].values.size()) +
                " values, expected " + std::to_string(input.n) + "x" + std::to_string(L.c) + "x" +
                std::to_string(L.h) + "x" + std::to_string(L.w));
    BundleFile f{prefix + (i == 0 ? "testvectors/input.bin" : vector_name(L.name, i, taken)), {}};
    append_le32(f.bytes, golden[i].values);
    layers.push_back({{"index", i},
                      {"layer", L.name},
                      {"file", f.path},
                      {"type", "int32"},
                      {"shape", {input.n, L.c, L.h, L.w}}});
    files.push_back(std::move(f));
  }
  const Json index = {{"n", input.n},
                      {"layout", "[n][c][h][w] row-major, int32 little-endian"},
                      {"layers", layers}};
  files[0] = {prefix + "testvectors/index.json", index.dump(2) + "\n"};
  return files;
}

}  // namespace bitshift
