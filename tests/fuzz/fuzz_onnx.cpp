// An ONNX model file, imported and opened as `--model FILE.onnx` does.
#include "fuzz_common.h"
#include "fuzz_model_common.h"
#include "util/error.h"

BITSHIFT_FUZZ_TARGET(onnx) {
  using namespace bitshift;
  const std::string path = fuzz::write_input("model.onnx", data, size);
  fuzz::expect_accept_or_refuse<Error>(path, [&] { fuzz::open_model(path); });
  return 0;
}
