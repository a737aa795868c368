#pragma once
// Verification of an export bundle on an OpenCL device (`bitshift-cli verify`,
// the export job): the bundle is loaded alone (every file's sha256 checked),
// its kernels run on the device and every layer's output is compared with the
// golden vectors value for value, by the same code the bundle's standalone host
// program runs (deploy/host/bundle_check.h).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "deploy/host/bundle_check.h"
#include "deploy/host/opencl_runtime.h"

namespace bitshift {

struct VerifyReport {
  std::string bundle;
  std::string model;          // model name and method, from network.json
  bool device_found = false;  // false: no OpenCL device here, nothing ran (not a pass)
  int device_index = 0;
  OpenClDeviceInfo device;
  std::string run_error;           // the OpenCL run failed (kernel build, enqueue), else ""
  CheckReport check;               // per layer: equal, mismatch count, first mismatches
  std::vector<std::string> notes;  // e.g. "reports/ not written: ..."

  bool passed() const { return device_found && run_error.empty() && check.passed(); }
  // "passed", "mismatch", "no_device" or "opencl_error".
  std::string verdict() const;
};

// Loads, runs and compares. A bundle that does not load (missing, truncated or
// tampered file) throws Error naming the file. With a device, the result goes
// into reports/verification.json and .txt and into MANIFEST.json's verified_on
// (each file replaced atomically; reports/ verification.* are not hashed in
// MANIFEST). Without one, the bundle is left untouched.
// `shown_as`: the bundle's name in the reports when `dir` is where it is being made (a bundle
// verified before it is published under its own name).
VerifyReport verify_bundle(const std::string& dir, int device = 0, const std::string& shown_as = "");

nlohmann::ordered_json verification_json(const VerifyReport& report);
std::string verification_text(const VerifyReport& report);

}  // namespace bitshift
