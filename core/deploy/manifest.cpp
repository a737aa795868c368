#include "deploy/manifest.h"

#include "deploy/host/bundle_reader.h"
#include "deploy/host/sha256.h"
#include "util/error.h"

namespace bitshift {

namespace {

using Json = nlohmann::ordered_json;

Json file_entry(const BundleFile& f) {
  return {{"path", f.path}, {"bytes", f.bytes.size()}, {"sha256", sha256_hex(f.bytes)}};
}

// One digest for the model itself: network.json and its binary files, in this order.
std::string model_sha256(const std::vector<BundleFile>& files) {
  std::string all;
  for (const char* name : {"network.json", "weights.bin", "tables.bin", "bias.bin", "requant.bin"})
    for (const BundleFile& f : files)
      if (f.path == name) all += f.bytes;
  return sha256_hex(all);
}

}  // namespace

std::vector<std::string> contract_text() {
  return {
      "All values are integers. Tensors are [n][c][h][w], row-major, channel slowest within a "
      "sample; Linear layers read the C*H*W values of their input in that order.",
      "BatchNorm is folded into weights and bias before integer conversion.",
      "Conv and Linear: acc = sum(w * x) + bias[c] in int32 (proved not to overflow from the "
      "actual weights); products and shifts are computed in int64.",
      "Weights: w = code when a layer has no table, else w = table[code] (non-uniform weights).",
      "Requantization per output channel c (arrays of length 1 apply to every channel): "
      "y = clamp((acc * m[c] + offset[c] + (s[c] > 0 ? 1 << (s[c] - 1) : 0)) >> s[c], lo, hi), "
      "arithmetic shift right, round half up, one rounding only; offset absent = 0.",
      "Add: y = clamp((a * m[c] + b * m2[c] + offset[c] + (s[c] > 0 ? 1 << (s[c] - 1) : 0)) "
      ">> s[c], lo, hi) with a, b the two inputs' values.",
      "A layer whose requant.requantized is false outputs its int32 accumulator (acc + bias) "
      "unchanged (logits, inputs of an Add).",
      "ReLU is folded into lo. Convolution zero padding uses the activation's zero point, 0.",
      "MaxPool: maximum over the window positions inside the map. SumPool: sum over the window "
      "positions inside the map (the 1/k^2 of an average pool is folded into the next scale); "
      "kernel 0 = the whole map.",
      "Real value of an output = value * scale[c] (for reports only; the arithmetic never uses "
      "scale).",
  };
}

std::string manifest_json(const IntegerModel& model, const std::vector<BundleFile>& files,
                          const std::vector<std::string>& kernels) {
  Json list = Json::array();
  for (const BundleFile& f : files) list.push_back(file_entry(f));
  const Json m = {
      {"schema", "bitshift-bundle"},
      {"schema_version", kBundleSchemaVersion},
      {"model", model.name},
      {"method", model.method},
      {"model_sha256", model_sha256(files)},
      {"endianness", "little"},
      {"contract", contract_text()},
      {"kernels", kernels},
      {"files", list},
      {"verified_on", nullptr},
  };
  return m.dump(2) + "\n";
}

std::string manifest_with(const std::string& manifest, const std::vector<BundleFile>& files,
                          const Json& verified_on) {
  Json m = Json::parse(manifest, nullptr, /*allow_exceptions=*/false);
  require(m.is_object() && m.value("schema", "") == "bitshift-bundle" && m.contains("files") &&
              m["files"].is_array(),
          "MANIFEST.json: not a bundle manifest");
  for (const BundleFile& f : files) {
    bool replaced = false;
    for (Json& e : m["files"])
      if (e.value("path", "") == f.path) e = file_entry(f), replaced = true;
    if (!replaced) m["files"].push_back(file_entry(f));
  }
  m["verified_on"] = verified_on;
  return m.dump(2) + "\n";
}

}  // namespace bitshift
