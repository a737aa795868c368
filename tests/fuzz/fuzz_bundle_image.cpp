// An input image for a bundle's host program (`host/bundle_run --image`, FORMAT.md): PNG, PGM
// or PPM at the model's input size, read against the base bundle's network (1x28x28).
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "deploy/host/bundle_reader.h"
#include "deploy/host/image_input.h"
#include "deploy/host/json_lite.h"
#include "deploy/host/network_reader.h"
#include "fuzz_common.h"

namespace {

bitshift::IntegerModel base_model() {
  const std::string dir = BITSHIFT_FUZZ_BUNDLE_BASE;
  static std::map<std::string, std::string> files;
  auto bytes = [&](const std::string& p) -> const std::string& {
    auto it = files.find(p);
    if (it == files.end()) {
      std::ifstream in(dir + "/" + p, std::ios::binary);
      it = files.emplace(p, std::string(std::istreambuf_iterator<char>(in), {})).first;
    }
    return it->second;
  };
  return bitshift::read_network(bitshift::json_lite::parse(bytes("network.json")), bytes);
}

}  // namespace

BITSHIFT_FUZZ_TARGET(bundle_image) {
  using namespace bitshift;
  static const IntegerModel model = base_model();
  const std::string path = fuzz::write_input("input-image", data, size);
  fuzz::expect_accept_or_refuse<std::runtime_error>(path, [&] {
    const IntTensor t = image_input(model, path);
    if (t.n != 1 || t.values.size() != static_cast<size_t>(model.layers.at(0).numel()))
      fuzz::finding("an input tensor of the wrong size", path);
  });
  return 0;
}
