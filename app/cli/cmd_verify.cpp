// `bitshift-cli verify`: runs an export bundle's kernels on an OpenCL device and compares every
// layer's output with the bundle's golden vectors (the same check as the bundle's host program).
#include <iostream>

#include "cli/common.h"
#include "deploy/verify.h"

namespace bitshift::cli {

int cmd_verify(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {
      {"device", "N", "OpenCL device index, counted over all platforms (default 0)"},
      opt_json(),
      opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("verify", "BUNDLE [OPTIONS]",
               "Loads an export bundle alone (every file's sha256 checked), runs its kernels on\n"
               "an OpenCL device and compares every layer with the golden vectors, value for\n"
               "value. Records the result in BUNDLE/reports/verification.{json,txt} and in\n"
               "MANIFEST.json. Exit codes: 0 all layers equal, 1 a mismatch or an OpenCL failure,\n"
               "2 a bad bundle, bad usage or no OpenCL device (nothing verified).",
               specs);
    return kExitOk;
  }
  if (args.positional().size() != 1)
    throw UsageError("verify needs one bundle directory, got " +
                     std::to_string(args.positional().size()) + " arguments");
  const std::string bundle = args.positional()[0];
  const int device = args.get_int("device", 0);
  if (device < 0) throw UsageError("--device must be >= 0, got " + std::to_string(device));
  const Output out(args.has("json"));

  VerifyReport r;
  try {
    r = verify_bundle(bundle, device);
  } catch (const std::exception& e) {
    // Under --json the one JSON object still comes, saying why nothing was verified.
    if (out.json())
      std::cout << nlohmann::ordered_json{{"bundle", bundle},
                                          {"verdict", "error"},
                                          {"passed", false},
                                          {"error", e.what()}}
                       .dump(2)
                << std::endl;
    std::cerr << "bitshift-cli verify: error: " << e.what() << "\n";
    return kExitBadInput;
  }
  out.text(verification_text(r));
  if (out.json()) std::cout << verification_json(r).dump(2) << std::endl;
  if (!r.device_found) return kExitBadInput;  // nothing was verified: not a pass
  return r.passed() ? kExitOk : kExitCheckFailed;
}

}  // namespace bitshift::cli
