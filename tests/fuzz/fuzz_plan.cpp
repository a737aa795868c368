// A plan file (bitshift-cli allocate --out; quantize/cost --plan, Plan › Load plan) read
// against the seed corpus's tiny model.
#include "fuzz_common.h"
#include "fuzz_model_common.h"
#include "quant/plan_file.h"
#include "train/checkpoint.h"
#include "util/error.h"

BITSHIFT_FUZZ_TARGET(plan) {
  using namespace bitshift;
  static const Graph graph = load_checkpoint(BITSHIFT_FUZZ_CORPUS "/checkpoint/tiny-w4a4.bsck").graph;
  const std::string path = fuzz::write_input("plan.json", data, size);
  fuzz::expect_accept_or_refuse<Error>(path, [&] { (void)read_plan_file(path, graph); });
  return 0;
}
