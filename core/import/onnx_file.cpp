#include "import/onnx_file.h"

#include <onnx/checker.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "util/error.h"
#include "util/tensor_bounds.h"

namespace bitshift {

namespace fs = std::filesystem;

namespace {

std::string read_bounded(const std::string& path, int64_t offset, int64_t length,
                         const std::string& where) {
  std::ifstream in(path, std::ios::binary);
  require(in.good(), where + ": cannot open '" + path + "'");
  in.seekg(0, std::ios::end);
  const int64_t size = static_cast<int64_t>(in.tellg());
  if (length < 0) length = size - offset;
  require(offset >= 0 && length >= 0 && offset <= size && length <= size - offset,
          where + ": '" + path + "' has " + std::to_string(size) + " bytes, the model asks for " +
              std::to_string(length) + " at offset " + std::to_string(offset));
  std::string bytes(static_cast<size_t>(length), '\0');
  in.seekg(offset);
  in.read(bytes.data(), length);
  require(in.gcount() == length, where + ": short read from '" + path + "'");
  return bytes;
}

// The external-data file of a tensor, refused unless it stays inside the model's folder.
std::string external_path(const std::string& location, const std::string& model_dir,
                          const std::string& where) {
  const fs::path rel(location);
  require(!location.empty() && rel.is_relative(),
          where + ": external data location '" + location + "' must be a relative path");
  const fs::path dir = fs::weakly_canonical(fs::path(model_dir.empty() ? "." : model_dir));
  const fs::path full = fs::weakly_canonical(dir / rel);
  const auto [d, f] = std::mismatch(dir.begin(), dir.end(), full.begin(), full.end());
  require(d == dir.end(), where + ": external data location '" + location +
                              "' leaves the model's folder " + dir.string());
  return full.string();
}

int64_t element_count(const onnx::TensorProto& t, const std::string& where) {
  return checked_numel(std::vector<int64_t>(t.dims().begin(), t.dims().end()), kMaxTensorElements, where);
}

}  // namespace

onnx::ModelProto read_onnx_model(const std::string& path) {
  const std::string where = "ONNX model '" + path + "'";
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  require(!ec, where + ": cannot read it (" + ec.message() + ")");
  require(
      static_cast<int64_t>(size) <= kMaxOnnxFileBytes,
      where + ": " + std::to_string(size) + " bytes, more than the 2 GiB an ONNX file can hold");
  const std::string bytes = read_bounded(path, 0, -1, where);
  onnx::ModelProto model;
  require(!bytes.empty() && model.ParseFromString(bytes),
          where + ": not an ONNX model (the protobuf does not parse; truncated or another format)");
  require(model.has_graph() && model.graph().node_size() > 0, where + ": has no graph nodes");
  try {
    onnx::checker::CheckerContext ctx;
    ctx.set_ir_version(static_cast<int>(model.ir_version()));
    std::unordered_map<std::string, int> opsets;
    for (const auto& o : model.opset_import()) opsets[o.domain()] = static_cast<int>(o.version());
    ctx.set_opset_imports(opsets);
    ctx.set_model_dir(fs::path(path).parent_path().string());
    onnx::checker::LexicalScopeContext lex;
    onnx::checker::check_graph(model.graph(), ctx, lex);
  } catch (const std::exception& e) {
    throw Error(where + ": fails ONNX's checker: " + e.what());
  }
  return model;
}

int64_t onnx_opset(const onnx::ModelProto& model) {
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") return o.version();
  return 0;
}

torch::Tensor onnx_tensor(const onnx::TensorProto& t, const std::string& model_dir,
                          const std::string& where_in) {
  const std::string where = where_in + ": tensor '" + t.name() + "'";
  const int64_t n = element_count(t, where);
  std::vector<int64_t> shape(t.dims().begin(), t.dims().end());
  using onnx::TensorProto_DataType;
  torch::ScalarType type;
  int64_t width;
  switch (t.data_type()) {
    case onnx::TensorProto_DataType_FLOAT:
      type = torch::kFloat32, width = 4;
      break;
    case onnx::TensorProto_DataType_DOUBLE:
      type = torch::kFloat64, width = 8;
      break;
    case onnx::TensorProto_DataType_FLOAT16:
      type = torch::kFloat16, width = 2;
      break;
    case onnx::TensorProto_DataType_INT64:
      type = torch::kInt64, width = 8;
      break;
    case onnx::TensorProto_DataType_INT32:
      type = torch::kInt32, width = 4;
      break;
    case onnx::TensorProto_DataType_INT8:
      type = torch::kInt8, width = 1;
      break;
    case onnx::TensorProto_DataType_UINT8:
      type = torch::kUInt8, width = 1;
      break;
    case onnx::TensorProto_DataType_BOOL:
      type = torch::kBool, width = 1;
      break;
    default:
      throw Error(where + ": data type " + std::to_string(t.data_type()) +
                  " is not supported (expected float, double, float16 or an integer type)");
  }
  std::string raw;
  bool have_raw = false;
  if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto& kv : t.external_data()) {
      if (kv.key() == "location") location = kv.value();
      if (kv.key() == "offset") offset = std::stoll(kv.value());
      if (kv.key() == "length") length = std::stoll(kv.value());
    }
    if (length < 0) length = n * width;
    require(length == n * width, where + ": external data of " + std::to_string(length) +
                                     " bytes for " + std::to_string(n) + " elements");
    raw = read_bounded(external_path(location, model_dir, where), offset, length, where);
    have_raw = true;
  } else if (t.has_raw_data()) {
    raw = t.raw_data();
    have_raw = true;
  }
  if (have_raw) {
    require(static_cast<int64_t>(raw.size()) == n * width,
            where + ": " + std::to_string(raw.size()) + " bytes of data for " + std::to_string(n) +
                " elements of " + std::to_string(width) + " bytes");
    auto out = torch::empty(shape, torch::TensorOptions().dtype(type));
    std::memcpy(out.data_ptr(), raw.data(), raw.size());
    return type == torch::kFloat64 || type == torch::kFloat16  ? out.to(torch::kFloat32)
           : (type == torch::kFloat32 || type == torch::kBool) ? out
                                                               : out.to(torch::kInt64);
  }
  // Typed fields: float_data, int64_data, int32_data (also int8/uint8/bool/float16), double_data.
  auto typed = [&](auto values, torch::ScalarType as) {
    require(static_cast<int64_t>(values.size()) == n, where + ": " + std::to_string(values.size()) +
                                                          " values for " + std::to_string(n) +
                                                          " elements");
    std::vector<typename decltype(values)::value_type> v(values.begin(), values.end());
    return torch::from_blob(v.data(), shape, torch::TensorOptions().dtype(as)).clone();
  };
  switch (t.data_type()) {
    case onnx::TensorProto_DataType_FLOAT:
      return typed(t.float_data(), torch::kFloat32);
    case onnx::TensorProto_DataType_DOUBLE:
      return typed(t.double_data(), torch::kFloat64).to(torch::kFloat32);
    case onnx::TensorProto_DataType_INT64:
      return typed(t.int64_data(), torch::kInt64);
    case onnx::TensorProto_DataType_FLOAT16:
      throw Error(where + ": float16 values outside raw_data are not supported");
    default:
      return typed(t.int32_data(), torch::kInt32).to(torch::kInt64);
  }
}

}  // namespace bitshift
