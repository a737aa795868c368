#pragma once
// The import fixtures that make_fixtures.py writes with the real exporters (torch.onnx.export,
// torch.jit.trace/script) before these tests run: models, an input batch, PyTorch's logits.
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include <string>
#include <vector>

#include "graph/graph_module.h"
#include "train/checkpoint.h"

namespace bitshift::testing {

// Relative tolerance of imported logits against PyTorch's: max |a - b| <= tol · max |b|.
constexpr double kLogitRelTol = 1e-4;

struct ImportFixture {
  std::string name, family, onnx, torchscript, torchscript_script;
  std::vector<int64_t> input_shape;
  int64_t classes = 0;
  torch::Tensor input, logits;
};

inline std::string fixture_dir() { return BITSHIFT_IMPORT_FIXTURES; }

inline torch::Tensor read_floats(const std::string& path, std::vector<int64_t> shape) {
  std::ifstream in(path, std::ios::binary);
  auto t = torch::empty(shape);
  in.read(reinterpret_cast<char*>(t.data_ptr<float>()), t.numel() * 4);
  if (in.gcount() != t.numel() * 4) throw std::runtime_error("short fixture file " + path);
  return t;
}

inline std::vector<ImportFixture> import_fixtures() {
  const std::string dir = fixture_dir();
  std::ifstream in(dir + "/manifest.json");
  if (!in) throw std::runtime_error("no " + dir + "/manifest.json: run make_fixtures.py");
  const auto j = nlohmann::json::parse(in);
  std::vector<ImportFixture> out;
  for (const auto& e : j) {
    ImportFixture f;
    f.name = e.at("name");
    f.family = e.at("family");
    auto path = [&](const char* key) {
      return e.at(key).is_null() ? std::string() : dir + "/" + e.at(key).get<std::string>();
    };
    f.onnx = path("onnx");
    f.torchscript = path("torchscript");
    f.torchscript_script = e.contains("torchscript_script") ? path("torchscript_script") : "";
    f.input_shape = e.at("input").get<std::vector<int64_t>>();
    f.classes = e.at("classes");
    f.input = read_floats(path("input_bin"), f.input_shape);
    f.logits = read_floats(path("logits_bin"), {f.input_shape[0], f.classes});
    out.push_back(f);
  }
  return out;
}

// max |a - b| / max |b|: what kLogitRelTol bounds.
inline double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

// The imported model's logits for `x` (eval mode, no gradients).
inline torch::Tensor run_imported(const Checkpoint& ck, const torch::Tensor& x) {
  GraphModule m = module_from_checkpoint(ck);
  m->eval();
  torch::NoGradGuard no_grad;
  return m->forward(to_channels_last(x));
}

}  // namespace bitshift::testing
