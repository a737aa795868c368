// export_checkpoint (interop/quantized_export.h): load a quantized checkpoint, write it as QDQ
// or QONNX.
#include "data/registry.h"
#include "interop/quantized_export.h"
#include "train/model_source.h"
#include "util/error.h"

namespace bitshift {

QuantizedExport export_checkpoint(const std::string& checkpoint, const std::string& data,
                                  const std::string& format, const std::string& path) {
  require(format == "qdq" || format == "qonnx",
          "export format '" + format + "': expected qdq or qonnx");
  LoadedModel lm = load_model(checkpoint, open_dataset(data), data);
  if (!lm.quantized)
    throw Error("'" + checkpoint + "' is an FP32 checkpoint; export needs a quantized one " +
                "(bitshift-cli quantize ... --out q.bsck)");
  return format == "qdq" ? write_qdq(lm.quantized_network, lm.normalization, path)
                         : write_qonnx(lm.quantized_network, lm.normalization, path);
}

}  // namespace bitshift
