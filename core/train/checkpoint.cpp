#include "train/checkpoint.h"

#include <torch/torch.h>

#include <zlib.h>

#include <cstring>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json_file.h"
#include "util/tensor_bounds.h"

namespace bitshift {

namespace {

constexpr char kMagic[8] = {'B', 'S', 'C', 'K', 'P', 'T', '0', '1'};

std::string dtype_name(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat: return "f32";
    case torch::kLong: return "i64";
    default: throw Error(std::string("checkpoint: unsupported tensor type ") + c10::toString(t));
  }
}

torch::ScalarType dtype_from_name(const std::string& s, const std::string& path) {
  if (s == "f32") return torch::kFloat;
  if (s == "i64") return torch::kLong;
  throw Error("checkpoint '" + path + "': unknown tensor type '" + s + "' (expected f32 or i64)");
}

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_u64(const std::string& in, size_t pos) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(in[pos + i])) << (8 * i);
  return v;
}

// Names of the first node that differs between two graphs, for "another architecture" errors.
std::string first_difference(const Graph& a, const Graph& b) {
  const auto ja = a.to_json(), jb = b.to_json();
  if (ja.at("input") != jb.at("input"))
    return "input shape " + ja.at("input").dump() + " vs " + jb.at("input").dump();
  if (ja.at("num_classes") != jb.at("num_classes"))
    return "classes " + ja.at("num_classes").dump() + " vs " + jb.at("num_classes").dump();
  const auto& na = ja.at("nodes");
  const auto& nb = jb.at("nodes");
  for (size_t i = 0; i < std::min(na.size(), nb.size()); ++i)
    if (na[i] != nb[i]) return "layer " + na[i].at("name").dump() + " vs " + nb[i].at("name").dump();
  return "layer count " + std::to_string(na.size()) + " vs " + std::to_string(nb.size());
}

uint32_t data_crc32(const char* data, size_t n) {
  return static_cast<uint32_t>(::crc32_z(0L, reinterpret_cast<const Bytef*>(data), n));
}

// No tensor of ours comes near (ResNet-18's largest has 2.4 M elements); bounds the strides of
// empty tensors, whose byte count bounds nothing.
constexpr int64_t kMaxCheckpointTensorElements = int64_t{1} << 31;

// The tensors and optimizer state of the data section (which starts at `data_start`), each range
// and shape checked against the bytes present before anything is allocated.
void read_tensors(const nlohmann::json& header, const std::string& bytes, size_t data_start,
                  const std::string& path, Checkpoint& c) {
  const std::string where = "checkpoint '" + path + "'";
  const size_t data_size = bytes.size() - data_start;
  auto check_range = [&](uint64_t offset, uint64_t n, const std::string& what) {
    require(offset <= data_size && n <= data_size - offset,
            where + ": truncated: " + what + " needs bytes " + std::to_string(offset) + ".." +
                std::to_string(offset + n) + " of the data section, which has " +
                std::to_string(data_size));
  };
  for (const auto& jt : header.at("tensors")) {
    const std::string name = jt.at("name");
    const auto shape = jt.at("shape").get<std::vector<int64_t>>();
    const auto dtype = dtype_from_name(jt.at("dtype"), path);
    const uint64_t offset = jt.at("offset"), n = jt.at("nbytes");
    check_range(offset, n, "tensor '" + name + "'");
    // Before the byte count: an empty shape's other dimensions still make strides.
    checked_numel(shape, kMaxCheckpointTensorElements,
                  where + ": tensor '" + name + "' declares shape " + c10::str(c10::IntArrayRef(shape)));
    uint64_t bytes_for_shape = c10::elementSize(dtype);
    for (int64_t d : shape) {
      require(d >= 0 && (d == 0 || bytes_for_shape <= n / static_cast<uint64_t>(d)),
              where + ": tensor '" + name + "' declares shape " + c10::str(c10::IntArrayRef(shape)) + ", more than its " +
                  std::to_string(n) + " bytes");
      bytes_for_shape *= static_cast<uint64_t>(d);
    }
    require(bytes_for_shape == n, where + ": tensor '" + name + "' size does not match its shape");
    auto t = torch::empty(shape, torch::TensorOptions().dtype(dtype));
    std::memcpy(t.data_ptr(), bytes.data() + data_start + offset, n);
    c.tensors[name] = t;
  }
  const uint64_t opt_offset = header.at("optimizer").at("offset");
  const uint64_t opt_n = header.at("optimizer").at("nbytes");
  check_range(opt_offset, opt_n, "optimizer state");
  c.optimizer_state = bytes.substr(data_start + opt_offset, opt_n);
  require(data_start + opt_offset + opt_n == bytes.size(),
          where + ": " + std::to_string(bytes.size() - data_start - opt_offset - opt_n) +
              " unexpected trailing bytes");
}

}  // namespace

Checkpoint make_checkpoint(const GraphModule& model, const Normalization& norm,
                           const std::string& dataset, nlohmann::json meta) {
  Checkpoint c;
  c.graph = model->graph();
  c.normalization = norm;
  c.dataset = dataset;
  c.meta = std::move(meta);
  torch::NoGradGuard no_grad;
  for (const auto& p : model->named_parameters()) c.tensors[p.key()] = p.value().detach().cpu().contiguous().clone();
  for (const auto& b : model->named_buffers()) c.tensors[b.key()] = b.value().detach().cpu().contiguous().clone();
  return c;
}

void save_checkpoint(const std::string& path, const Checkpoint& c) {
  nlohmann::json tensors = nlohmann::json::array();
  std::string data;
  for (const auto& [name, t] : c.tensors) {
    const auto n = static_cast<size_t>(t.numel() * t.element_size());
    tensors.push_back({{"name", name}, {"dtype", dtype_name(t.scalar_type())},
                       {"shape", t.sizes().vec()}, {"offset", data.size()}, {"nbytes", n}});
    data.append(static_cast<const char*>(t.data_ptr()), n);
  }
  nlohmann::json header = {
      {"format", 1},
      {"graph", c.graph.to_json()},
      {"normalization", {{"mean", c.normalization.mean}, {"std", c.normalization.std}}},
      {"dataset", c.dataset},
      {"meta", c.meta},
      {"tensors", tensors},
      {"optimizer", {{"offset", data.size()}, {"nbytes", c.optimizer_state.size()}}}};
  data += c.optimizer_state;
  header["data_crc32"] = data_crc32(data.data(), data.size());
  const std::string h = header.dump();
  std::string out(kMagic, sizeof kMagic);
  put_u64(out, h.size());
  out += h;
  out += data;
  write_file_atomic(path, out);
}

Checkpoint load_checkpoint(const std::string& path) {
  const std::string bytes = read_file(path);
  const std::string where = "checkpoint '" + path + "'";
  require(bytes.size() >= 16 && std::memcmp(bytes.data(), kMagic, sizeof kMagic) == 0,
          where + ": not a Bitshift checkpoint (expected magic 'BSCKPT01' at the start)");
  const uint64_t hlen = get_u64(bytes, 8);
  require(hlen <= bytes.size() - 16, where + ": truncated header (" + std::to_string(hlen) +
                                         " bytes announced, " + std::to_string(bytes.size() - 16) +
                                         " present)");
  return naming_file("checkpoint", path, [&] {
    Checkpoint c;
    try {
      const nlohmann::json header = parse_json(bytes.substr(16, hlen), "its header");
      c.graph = Graph::from_json(header.at("graph"));
      c.normalization.mean = header.at("normalization").at("mean").get<std::vector<float>>();
      c.normalization.std = header.at("normalization").at("std").get<std::vector<float>>();
      c.dataset = header.value("dataset", "");
      c.meta = header.value("meta", nlohmann::json::object());
      // Older checkpoints (the shipped baselines among them) carry no checksum.
      if (header.contains("data_crc32")) {
        const uint32_t expected = header.at("data_crc32").get<uint32_t>();
        const uint32_t actual = data_crc32(bytes.data() + 16 + hlen, bytes.size() - 16 - hlen);
        require(actual == expected, "its tensor data is damaged (CRC-32 " + std::to_string(actual) +
                                        ", the header says " + std::to_string(expected) + ")");
      }
      read_tensors(header, bytes, 16 + hlen, path, c);
    } catch (const nlohmann::json::exception& e) {
      throw Error("malformed header: " + json_error_text(e));
    }
    return c;
  });
}

void load_weights(GraphModule& model, const Checkpoint& c, const std::string& origin) {
  if (model->graph().to_json() != c.graph.to_json()) {
    throw Error("checkpoint '" + origin + "' holds model '" + c.graph.name() +
                "', which is not the architecture of '" + model->graph().name() +
                "' (first difference: " + first_difference(c.graph, model->graph()) + ")");
  }
  torch::NoGradGuard no_grad;
  auto copy = [&](const std::string& name, torch::Tensor target) {
    auto it = c.tensors.find(name);
    require(it != c.tensors.end(), "checkpoint '" + origin + "' has no tensor '" + name + "'");
    require(it->second.sizes() == target.sizes(),
            "checkpoint '" + origin + "': tensor '" + name + "' has shape " +
                c10::str(it->second.sizes()) + ", the model expects " + c10::str(target.sizes()));
    target.copy_(it->second);
  };
  for (auto& p : model->named_parameters()) copy(p.key(), p.value());
  for (auto& b : model->named_buffers()) copy(b.key(), b.value());
}

GraphModule module_from_checkpoint(const Checkpoint& c) {
  GraphModule model(c.graph);
  load_weights(model, c, c.graph.name());
  return model;
}

}  // namespace bitshift
