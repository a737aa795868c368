#include "import/import.h"

#include <filesystem>

#include "import/onnx_import.h"
#include "import/torchscript_import.h"
#include "util/error.h"

namespace bitshift {

namespace {
std::string extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}
}  // namespace

bool is_importable_model(const std::string& path) {
  const std::string ext = extension(path);
  return ext == ".onnx" || ext == ".pt" || ext == ".pth" || ext == ".ts";
}

Checkpoint import_model(const std::string& path, const Shape& input) {
  require(std::filesystem::exists(path), "model file '" + path + "' does not exist");
  return naming_file("model file", path, [&] {
    return extension(path) == ".onnx" ? import_onnx(path) : import_torchscript(path, input);
  });
}

}  // namespace bitshift
