// A run record (bitshift-cli train/quantize --record), as `compare` and the studio read it.
#include "fuzz_common.h"
#include "train/run_compare.h"
#include "util/error.h"

BITSHIFT_FUZZ_TARGET(run_record) {
  using namespace bitshift;
  const std::string path = fuzz::write_input("run.json", data, size);
  fuzz::expect_accept_or_refuse<Error>(path, [&] { (void)read_run_summary(path); });
  return 0;
}
