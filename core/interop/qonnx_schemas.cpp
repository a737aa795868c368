#include "interop/qonnx_schemas.h"

#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>
#include <onnx/shape_inference/implementation.h>

#include <map>
#include <string>

#include "util/error.h"

namespace bitshift {

namespace {

// The global ONNX registry, plus the QONNX ops: Quant (X, scale, zeropt, bitwidth),
// BipolarQuant (X, scale), MultiThreshold (X, thresholds), Trunc (X, scale, zeropt,
// in_bitwidth, out_bitwidth).
class QonnxRegistry final : public onnx::ISchemaRegistry {
 public:
  QonnxRegistry() {
    add("Quant", 4);
    add("BipolarQuant", 2);
    add("MultiThreshold", 2);
    add("Trunc", 5);
  }
  const onnx::OpSchema* GetSchema(const std::string& key, const int version,
                                  const std::string& domain) const override {
    if (domain != kQonnxDomain)
      return onnx::OpSchemaRegistry::Instance()->GetSchema(key, version, domain);
    const auto it = schemas_.find(key);
    return it == schemas_.end() ? nullptr : &it->second;
  }

 private:
  void add(const char* name, int inputs) {
    onnx::OpSchema s;
    s.SetName(name).SetDomain(kQonnxDomain).SinceVersion(1).AllowUncheckedAttributes();
    for (int i = 0; i < inputs; ++i) s.Input(i, "input" + std::to_string(i), "", "T");
    s.Output(0, "Y", "", "T");
    s.TypeConstraint("T", {"tensor(float)"}, "");
    s.TypeAndShapeInferenceFunction(
        [](onnx::InferenceContext& ctx) { onnx::propagateShapeAndTypeFromFirstInput(ctx); });
    s.Finalize();
    schemas_.emplace(name, std::move(s));
  }
  std::map<std::string, onnx::OpSchema> schemas_;
};

}  // namespace

void infer_qonnx_shapes(onnx::ModelProto& model) {
  static const QonnxRegistry registry;
  onnx::ShapeInferenceOptions options;
  options.error_mode = 1;  // an inconsistency is an error, not a silently missing shape
  try {
    onnx::shape_inference::InferShapes(model, &registry, options);
  } catch (const std::exception& e) {
    throw Error(std::string("ONNX shape inference of the QONNX model failed: ") + e.what());
  }
}

}  // namespace bitshift
