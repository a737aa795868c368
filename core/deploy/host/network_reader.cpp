#include "network_reader.h"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "codec.h"
#include "integer/int_op.h"

namespace bitshift {

namespace {

using json_lite::Value;

// An error already naming its file (a .bin file), passed through the network.json context.
struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Sizes beyond any real network, refused before they could overflow size arithmetic.
constexpr int64_t kLimit = int64_t{1} << 40;
constexpr int64_t kDimLimit = int64_t{1} << 20;

// A typed array inside one of the .bin files (FORMAT.md, "Array references").
struct ArrayRef {
  std::string file, type;
  int64_t offset = 0, bytes = 0, count = 0;
};

ArrayRef parse_ref(const Value& v, const std::string& what) {
  try {
    ArrayRef r;
    r.file = v.at("file").as_string();
    r.type = v.at("type").as_string();
    r.offset = v.at("offset").as_int();
    r.bytes = v.at("bytes").as_int();
    r.count = v.at("count").as_int();
    if (r.offset < 0 || r.bytes < 0 || r.count < 0 || r.offset > kLimit || r.bytes > kLimit ||
        r.count > kLimit)
      throw std::runtime_error("offset, bytes or count outside 0..2^40");
    return r;
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(what + ": " + e.what());
  }
}

// The bytes `r` points at, after checking its element type, its size and its place in the file.
std::string slice(const ArrayRef& r, const std::string& what, const std::string& type,
                  int64_t expected_bytes, const std::string& layer, const FileBytes& files) {
  if (r.type != type)
    throw std::runtime_error(what + ": type '" + r.type + "', expected '" + type + "'");
  if (r.bytes != expected_bytes)
    throw std::runtime_error(what + ": " + std::to_string(r.bytes) + " bytes for " +
                             std::to_string(r.count) + " " + type + ", expected " +
                             std::to_string(expected_bytes));
  if (r.count == 0) return {};
  const std::string& data = files(r.file);
  if (r.offset > static_cast<int64_t>(data.size()) ||
      r.bytes > static_cast<int64_t>(data.size()) - r.offset)
    throw FileError(r.file + ": " + layer + " " + what + " at bytes [" + std::to_string(r.offset) +
                    ", " + std::to_string(r.offset + r.bytes) + ") run past the end (" +
                    std::to_string(data.size()) + " bytes)");
  return data.substr(static_cast<size_t>(r.offset), static_cast<size_t>(r.bytes));
}

std::vector<int32_t> int32_array(const Value& v, const std::string& what, const std::string& layer,
                                 const FileBytes& files) {
  const ArrayRef r = parse_ref(v, what);
  const std::string b = slice(r, what, "int32", 4 * r.count, layer, files);
  return read_le32(b, 0, static_cast<size_t>(r.count));
}

std::vector<int64_t> int64_array(const Value& v, const std::string& what, const std::string& layer,
                                 const FileBytes& files) {
  const ArrayRef r = parse_ref(v, what);
  const std::string b = slice(r, what, "int64", 8 * r.count, layer, files);
  return read_le64(b, 0, static_cast<size_t>(r.count));
}

IntOp op_from_name(const std::string& name) {
  if (const IntOpDef* def = find_int_op(name)) return def->op;
  throw std::runtime_error("unknown op '" + name + "'");
}

void require(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

std::string str(int64_t v) { return std::to_string(v); }

// The structure every executor relies on: sizes within limits, inputs earlier layers, then the
// op's own checks (integer/ops/); values are the lowering's business.
void check_layer(const IntegerModel& m, size_t i) {
  const IntLayer& L = m.layers[i];
  require(L.c >= 1 && L.h >= 1 && L.w >= 1 && L.c <= kDimLimit && L.h <= kDimLimit &&
              L.w <= kDimLimit && L.numel() <= kLimit / 1024,
          "shape " + str(L.c) + "x" + str(L.h) + "x" + str(L.w));
  require(L.groups >= 1 && L.groups <= kDimLimit, "groups " + str(L.groups) + " outside 1..2^20");
  check_int_layer(m, i);
}

// The layer's min_value/max_value must be what its op proves from its inputs' ranges and its
// weights (executors rely on them: the pair conv path); an accumulator that could overflow int32
// is refused here too.
void prove_declared_range(IntegerModel& m, size_t i) {
  if (i == 0) return;  // the input's range is given
  IntLayer& L = m.layers[i];
  const int64_t lo = L.min_value, hi = L.max_value;
  int_op_def(L.op).bound(L, int_inputs(m, L));
  require(L.min_value == lo && L.max_value == hi,
          "declares values in [" + str(lo) + ", " + str(hi) + "], its op proves [" +
              str(L.min_value) + ", " + str(L.max_value) + "]");
}

// [a, b] (or [a, b, c, d] for `count` 4) of integers in 0..1024: the op's checks refine it.
std::vector<int64_t> window_ints(const Value& v, const char* key, size_t count) {
  const std::vector<Value>& a = v.at(key).as_array();
  require(a.size() == count, std::string("window ") + key + " has " + str(a.size()) +
                                 " entries, expected " + str(static_cast<int64_t>(count)));
  std::vector<int64_t> out;
  for (const Value& x : a) {
    require(x.as_int() >= 0 && x.as_int() <= 1024,
            std::string("window ") + key + " entry " + str(x.as_int()) + " outside 0..1024");
    out.push_back(x.as_int());
  }
  return out;
}

IntWindow read_window(const Value& v) {
  IntWindow w;
  const auto k = window_ints(v, "kernel", 2), s = window_ints(v, "stride", 2);
  const auto p = window_ints(v, "pads", 4), d = window_ints(v, "dilation", 2);
  w.kh = k[0], w.kw = k[1], w.sh = s[0], w.sw = s[1], w.dh = d[0], w.dw = d[1];
  w.pad_top = p[0], w.pad_left = p[1], w.pad_bottom = p[2], w.pad_right = p[3];
  w.ceil_mode = v.at("ceil_mode").as_bool();
  return w;
}

IntLayer read_layer(const Value& v, const FileBytes& files) {
  IntLayer L;
  L.name = v.at("name").as_string();
  const std::string where = "layer '" + L.name + "'";
  L.op = op_from_name(v.at("op").as_string());
  for (const Value& in : v.at("inputs").as_array()) {
    require(in.as_int() >= 0 && in.as_int() <= kDimLimit, "input " + str(in.as_int()));
    L.inputs.push_back(static_cast<int>(in.as_int()));
  }
  const Value& shape = v.at("shape");
  L.c = shape.at("c").as_int(), L.h = shape.at("h").as_int(), L.w = shape.at("w").as_int();
  L.window = read_window(v.at("window"));
  L.groups = v.at("groups").as_int();
  require(v.at("w_bits").as_int() >= 1 && v.at("w_bits").as_int() <= 32,
          "w_bits " + str(v.at("w_bits").as_int()) + " not in 1..32");
  L.w_bits = static_cast<int>(v.at("w_bits").as_int());

  L.table = int32_array(v.at("table"), "table", where, files);
  const ArrayRef w = parse_ref(v.at("weights"), "weights");
  const bool has_table = !L.table.empty();
  const std::string packed =
      slice(w, "weights", weight_encoding(L.w_bits, has_table),
            static_cast<int64_t>(packed_weight_bytes(w.count, L.w_bits)), where, files);
  L.weights = unpack_weight_codes(packed, w.count, L.w_bits, has_table);
  L.packed_weights = packed;
  L.bias = int32_array(v.at("bias"), "bias", where, files);

  const Value& r = v.at("requant");
  L.requant.requantized = r.at("requantized").as_bool();
  for (const char* key : {"lo", "hi"})
    require(r.at(key).as_int() >= INT32_MIN && r.at(key).as_int() <= INT32_MAX,
            std::string("requant ") + key + " " + str(r.at(key).as_int()) + " beyond int32");
  L.requant.lo = static_cast<int32_t>(r.at("lo").as_int());
  L.requant.hi = static_cast<int32_t>(r.at("hi").as_int());
  L.requant.m = int32_array(r.at("m"), "requant m", where, files);
  L.requant.m2 = int32_array(r.at("m2"), "requant m2", where, files);
  L.requant.shift = int32_array(r.at("shift"), "requant shift", where, files);
  L.requant.offset = int64_array(r.at("offset"), "requant offset", where, files);

  // A concat's runs: [input, first, count] each.
  if (const Value* runs = v.find("runs"))
    for (const Value& run : runs->as_array()) {
      const std::vector<Value>& f = run.as_array();
      require(f.size() == 3, "a run is [input, first, count]");
      for (const Value& x : f)
        require(x.as_int() >= 0 && x.as_int() <= kDimLimit, "run field " + str(x.as_int()) +
                                                              " outside 0..2^20");
      L.runs.push_back({static_cast<int32_t>(f[0].as_int()), static_cast<int32_t>(f[1].as_int()),
                        static_cast<int32_t>(f[2].as_int())});
    }

  // JSON has no NaN: a scale the writer could not represent is null.
  for (const Value& s : v.at("scale").as_array())
    L.scale.push_back(s.is_null() ? std::numeric_limits<double>::quiet_NaN() : s.as_double());
  L.min_value = v.at("min_value").as_int();
  L.max_value = v.at("max_value").as_int();
  return L;
}

}  // namespace

// network.json's optional "input_pixels": one code per channel and 8-bit pixel value, each within
// the input layer's range (FORMAT.md, "The input").
PixelCodes read_pixel_codes(const Value& v, const IntLayer& input, const FileBytes& files) {
  PixelCodes px;
  for (const Value& x : v.at("mean").as_array()) px.mean.push_back(x.as_double());
  for (const Value& x : v.at("std").as_array()) px.std.push_back(x.as_double());
  const std::vector<int32_t> codes = int32_array(v.at("codes"), "input_pixels codes", "input", files);
  require(static_cast<int64_t>(codes.size()) == input.c * 256,
          "input_pixels: " + str(static_cast<int64_t>(codes.size())) + " codes, expected " +
              str(input.c) + " channels x 256 pixel values");
  for (size_t i = 0; i < codes.size(); ++i)
    require(codes[i] >= input.min_value && codes[i] <= input.max_value,
            "input_pixels: code " + str(codes[i]) + " of pixel " + str(static_cast<int64_t>(i % 256)) +
                " (channel " + str(static_cast<int64_t>(i / 256)) + ") outside the input's [" +
                str(input.min_value) + ", " + str(input.max_value) + "]");
  for (int64_t c = 0; c < input.c; ++c)
    px.codes.emplace_back(codes.begin() + c * 256, codes.begin() + (c + 1) * 256);
  return px;
}

IntegerModel read_network(const Value& network, const FileBytes& files, const std::string& file) {
  IntegerModel m;
  size_t index = 0;
  std::string layer_name;
  try {
    const int64_t version = network.at("format_version").as_int();
    require(version == 2, "format_version " + str(version) + ", this reader knows 2");
    m.name = network.at("name").as_string();
    m.method = network.at("method").as_string();
    m.num_classes = static_cast<int>(network.at("num_classes").as_int());
    for (const Value& n : network.at("notes").as_array()) m.notes.push_back(n.as_string());
    const std::vector<Value>& layers = network.at("layers").as_array();
    require(!layers.empty(), "no layers");
    for (index = 0; index < layers.size(); ++index) {
      const Value* name = layers[index].find("name");
      layer_name = name && name->type() == Value::Type::String ? name->as_string() : "?";
      m.layers.push_back(read_layer(layers[index], files));
      check_layer(m, index);
      prove_declared_range(m, index);
    }
    layer_name.clear();
    if (const Value* px = network.find("input_pixels"))
      m.pixels = read_pixel_codes(*px, m.layers.front(), files);
  } catch (const FileError&) {
    throw;
  } catch (const std::runtime_error& e) {
    const std::string where = layer_name.empty() ? ""
                                                 : "layer " + str(static_cast<int64_t>(index)) +
                                                       " '" + layer_name + "': ";
    throw std::runtime_error(file + ": " + where + e.what());
  }
  return m;
}

}  // namespace bitshift
