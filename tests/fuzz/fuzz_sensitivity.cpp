// A sensitivity file (bitshift-cli sensitivity --json; allocate --sensitivity FILE, and the
// studio's sensitivity cache), read and then used to fit the seed corpus's tiny model to a
// budget, as allocate does.
#include "fuzz_common.h"
#include "fuzz_model_common.h"
#include "train/budget_fit.h"
#include "train/checkpoint.h"
#include "train/sensitivity_json.h"
#include "util/error.h"

BITSHIFT_FUZZ_TARGET(sensitivity) {
  using namespace bitshift;
  static const Graph graph = load_checkpoint(BITSHIFT_FUZZ_CORPUS "/checkpoint/tiny-w4a4.bsck").graph;
  const std::string path = fuzz::write_input("sensitivity.json", data, size);
  fuzz::expect_accept_or_refuse<Error>(path, [&] {
    const Sensitivity s = read_sensitivity_file(path);
    BudgetFitRequest request;
    request.method = "lsq";
    request.edges = EdgePolicy::EdgePolicyEightBit;
    request.budget = parse_budget("bops=w4a4", graph, request.method, request.edges);
    request.sensitivity_origin = "sensitivity file '" + path + "'";  // as allocate names it
    (void)fit_to_budget(graph, s, request);
  });
  return 0;
}
