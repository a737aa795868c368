// `bitshift-cli verify`: runs an export bundle's kernels on an OpenCL device and compares every
// layer's output with the bundle's golden vectors (the same check as the bundle's host program).
// The device part runs in a child process with a time limit: a bundle's kernels are untrusted
// code (PoCL runs them in the process that enqueues them), and an out-of-bounds write or an
// endless loop must be a failed verification, not a crash or a hang of this tool.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "cli/common.h"
#include "deploy/verify.h"
#include "dist/replica_processes.h"

namespace bitshift::cli {

namespace {

constexpr int kVerifyTimeoutSeconds = 600;

// Runs this command again as a child with --in-process; waits up to `timeout` seconds. Returns
// the child's exit code, or says (text or JSON) why the verification failed and returns 1.
int verify_in_child(const std::vector<std::string>& argv, const std::string& bundle, int timeout,
                    const Output& out) {
  std::vector<std::string> child = {find_cli(), "verify"};
  child.insert(child.end(), argv.begin(), argv.end());
  child.push_back("--in-process");
  const pid_t pid = start_replica_process(child, /*quiet=*/false);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
  int status = 0;
  std::string why;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      why = "the bundle's kernels did not finish within " + std::to_string(timeout) +
            " s (--timeout); the run was stopped";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (why.empty()) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);  // it said what happened itself
    why = "the OpenCL run of the bundle's kernels crashed (it " + describe_exit(status) + ")";
  }
  if (out.json())
    std::cout << nlohmann::ordered_json{{"bundle", bundle}, {"verdict", "crashed"}, {"passed", false}, {"error", why}}
                     .dump(2)
              << std::endl;
  std::cerr << "bitshift-cli verify: FAILED: " << why << "\n";
  return kExitCheckFailed;
}

}  // namespace

int cmd_verify(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {
      {"device", "N", "OpenCL device index, counted over all platforms (default 0)"},
      {"timeout", "SECONDS", "stop a run of the kernels that takes longer (default 600)"},
      {"in-process", "", "run the kernels in this process (no child, no time limit)"},
      opt_json(),
      opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help("verify", "BUNDLE [OPTIONS]",
               "Loads an export bundle alone (every file's sha256 checked), runs its kernels on\n"
               "an OpenCL device and compares every layer with the golden vectors, value for\n"
               "value. Records the result in BUNDLE/reports/verification.{json,txt} and in\n"
               "MANIFEST.json. The kernels run in a child process: a crash or a run longer than\n"
               "--timeout is a failed verification. Exit codes: 0 all layers equal, 1 a mismatch,\n"
               "an OpenCL failure, a crash or a timeout, 2 a bad bundle, bad usage or no OpenCL\n"
               "device (nothing verified).",
               specs);
    return kExitOk;
  }
  if (args.positional().size() != 1)
    throw UsageError("verify needs one bundle directory, got " +
                     std::to_string(args.positional().size()) + " arguments");
  const std::string bundle = args.positional()[0];
  const int device = args.get_int("device", 0);
  if (device < 0) throw UsageError("--device must be >= 0, got " + std::to_string(device));
  const int timeout = args.get_int("timeout", kVerifyTimeoutSeconds);
  if (timeout < 1) throw UsageError("--timeout must be at least 1 second, got " + std::to_string(timeout));
  const Output out(args.has("json"));
  if (!args.has("in-process")) return verify_in_child(argv, bundle, timeout, out);

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
