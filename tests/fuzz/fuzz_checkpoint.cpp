// A checkpoint (.bsck: FP32 or quantized), opened as `summary`, `eval` and `export` open it.
#include "fuzz_common.h"
#include "fuzz_model_common.h"
#include "util/error.h"

BITSHIFT_FUZZ_TARGET(checkpoint) {
  using namespace bitshift;
  const std::string path = fuzz::write_input("model.bsck", data, size);
  fuzz::expect_accept_or_refuse<Error>(path, [&] { fuzz::open_model(path); });
  return 0;
}
