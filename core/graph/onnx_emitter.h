#pragma once
// OnnxEmitter: what an op needs to write itself as standard ONNX nodes (Op::write_onnx). The
// writer (interop/onnx_writer.h) implements it and decides what the op's inputs, weights and
// output are called; a quantized export (QDQ) makes weight() a DequantizeLinear of integer
// codes and puts QuantizeLinear/DequantizeLinear after quantized outputs, without the ops
// knowing. No protobuf here: the ops stay free of the ONNX library.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace bitshift {

// One ONNX node attribute: an int, a list of ints, a float or a string.
struct OnnxAttr {
  enum class Kind { Int, Ints, Float, String };
  std::string name;
  Kind kind = Kind::Int;
  int64_t i = 0;
  std::vector<int64_t> ints;
  float f = 0.0f;
  std::string s;

  static OnnxAttr of(std::string name, int64_t v) {
    OnnxAttr a = named(std::move(name), Kind::Int);
    a.i = v;
    return a;
  }
  static OnnxAttr of(std::string name, std::vector<int64_t> v) {
    OnnxAttr a = named(std::move(name), Kind::Ints);
    a.ints = std::move(v);
    return a;
  }
  static OnnxAttr of(std::string name, float v) {
    OnnxAttr a = named(std::move(name), Kind::Float);
    a.f = v;
    return a;
  }
  static OnnxAttr of(std::string name, std::string v) {
    OnnxAttr a = named(std::move(name), Kind::String);
    a.s = std::move(v);
    return a;
  }

 private:
  static OnnxAttr named(std::string name, Kind kind) {
    OnnxAttr a;
    a.name = std::move(name);
    a.kind = kind;
    return a;
  }
};

class OnnxEmitter {
 public:
  virtual ~OnnxEmitter() = default;

  // The default ONNX opset of the file (ops spell themselves for it: HardSwish needs 14).
  virtual int64_t opset() const = 0;
  // The tensor name of the node's i-th input, and the name its output must be given.
  virtual std::string input(size_t i) const = 0;
  virtual std::string output() const = 0;
  // A Conv2d/Linear node's weight and bias as the network computes with them (a quantized
  // weight: the dequantized codes); bias() is "" when the layer has none.
  virtual std::string weight() = 0;
  virtual std::string bias() = 0;
  // A parameter or buffer of the node's module ("running_mean", ...).
  virtual torch::Tensor parameter(const std::string& name) const = 0;
  // An initializer holding `t` (float32, int64, ...), named after the node and `suffix`.
  virtual std::string constant(const std::string& suffix, const torch::Tensor& t) = 0;
  // A fresh name for an intermediate tensor of the node.
  virtual std::string intermediate(const std::string& suffix) = 0;
  virtual void node(const std::string& op_type, std::vector<std::string> inputs,
                    std::vector<std::string> outputs, std::vector<OnnxAttr> attrs = {}) = 0;
};

}  // namespace bitshift
