// A TorchScript model file (torch.jit.trace/script, saved), imported and opened as
// `--model FILE.pt` does.
#include "fuzz_common.h"
#include "fuzz_model_common.h"
#include "util/error.h"

BITSHIFT_FUZZ_TARGET(torchscript) {
  using namespace bitshift;
  const std::string path = fuzz::write_input("model.pt", data, size);
  fuzz::expect_accept_or_refuse<Error>(path, [&] { fuzz::open_model(path); });
  return 0;
}
