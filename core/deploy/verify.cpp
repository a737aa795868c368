#include "deploy/verify.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "deploy/host/bundle_reader.h"
#include "deploy/manifest.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift {

namespace {

using Json = nlohmann::ordered_json;

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Json mismatch_json(const Mismatch& m) {
  return {{"layer", m.name}, {"index", m.layer}, {"n", m.n},     {"c", m.c},
          {"y", m.y},        {"x", m.x},         {"got", m.got}, {"expected", m.expected}};
}

// Records the result in the bundle: reports/verification.{json,txt}, MANIFEST's
// verified_on.
void record(const std::string& dir, const VerifyReport& r) {
  const Json verified_on = {
      {"platform", r.device.platform},      {"name", r.device.name},
      {"version", r.device.version},        {"result", r.verdict()},
      {"layers", r.check.layers.size()},    {"layers_differing", r.check.layers_differing()},
      {"mismatches", r.check.mismatches()}, {"verified_at", utc_now()}};
  std::filesystem::create_directories(dir + "/reports");  // a bundle may come without reports
  write_file_atomic(dir + "/reports/verification.json", verification_json(r).dump(2) + "\n");
  write_file_atomic(dir + "/reports/verification.txt", verification_text(r));
  const std::string manifest = dir + "/MANIFEST.json";
  write_file_atomic(manifest, manifest_with(read_file(manifest), {}, verified_on));
}

}  // namespace

std::string VerifyReport::verdict() const {
  if (!device_found) return "no_device";
  if (!run_error.empty()) return "opencl_error";
  return check.passed() ? "passed" : "mismatch";
}

VerifyReport verify_bundle(const std::string& dir, int device, const std::string& shown_as) {
  VerifyReport r;
  r.bundle = shown_as.empty() ? dir : shown_as;
  r.device_index = device;
  LoadedBundle b;
  try {
    b = load_bundle(dir);
  } catch (const std::runtime_error& e) {
    throw Error(std::string("bundle '") + dir + "': " + e.what());
  }
  r.model = b.model.name + (b.model.method.empty() ? "" : " (" + b.model.method + ")");
  const std::vector<OpenClDeviceInfo> devices = list_opencl_devices();
  if (devices.empty()) {
    r.notes.push_back("no OpenCL device found: the bundle was not verified and is unchanged");
    return r;
  }
  require(device >= 0 && static_cast<size_t>(device) < devices.size(),
          "OpenCL device " + std::to_string(device) + " does not exist (" +
              std::to_string(devices.size()) + " found, numbered from 0)");
  r.device_found = true;
  r.device = devices[static_cast<size_t>(device)];
  try {
    OpenClRuntime runtime(b.model, b.kernel_source, device);
    r.device = runtime.device();
    r.check = check_bundle(b, [&runtime](const IntTensor& x) { return runtime.run(x); });
    if (b.conformance) {
      OpenClRuntime conformance(b.conformance->model, b.kernel_source, device);
      check_conformance(b, [&conformance](const IntTensor& x) { return conformance.run(x); },
                        r.check);
    }
  } catch (const std::exception& e) {
    r.run_error = e.what();
  }
  try {
    record(dir, r);
  } catch (const std::exception& e) {
    r.notes.push_back(std::string("the result was not recorded in the bundle: ") + e.what());
  }
  return r;
}

nlohmann::ordered_json verification_json(const VerifyReport& r) {
  Json layers = Json::array();
  for (const LayerCheck& l : r.check.layers) {
    Json first = Json::array();
    for (const Mismatch& m : l.first) first.push_back(mismatch_json(m));
    layers.push_back({{"index", l.layer},
                      {"name", l.name},
                      {"equal", l.equal()},
                      {"values", l.values},
                      {"mismatches", l.mismatches},
                      {"error", l.error},
                      {"first_mismatches", first}});
  }
  const Mismatch* first = r.check.first_mismatch();
  Json device = nullptr;
  if (r.device_found)
    device = {{"index", r.device_index},
              {"platform", r.device.platform},
              {"name", r.device.name},
              {"version", r.device.version}};
  return Json{{"bundle", r.bundle},
              {"model", r.model},
              {"verdict", r.verdict()},
              {"passed", r.passed()},
              {"device", device},
              {"error", r.run_error},
              {"layers_compared", r.check.layers.size()},
              {"layers_differing", r.check.layers_differing()},
              {"mismatches", r.check.mismatches()},
              {"first_mismatch", first ? mismatch_json(*first) : Json(nullptr)},
              {"layers", layers},
              {"notes", r.notes}};
}

std::string verification_text(const VerifyReport& r) {
  std::string out = "bundle: " + r.bundle + "\nmodel:  " + r.model + "\n";
  if (!r.device_found) {
    out +=
        "NOT VERIFIED: no OpenCL device found (install an OpenCL driver, e.g. "
        "pocl-opencl-icd for the CPU)\n";
  } else {
    out += "device: " + r.device.name + " (" + r.device.platform + ", " + r.device.version + ")\n";
    if (!r.run_error.empty())
      out += "FAIL: the OpenCL run failed: " + r.run_error + "\n";
    else
      out += format_check(r.check);
  }
  for (const std::string& n : r.notes) out += "note: " + n + "\n";
  return out;
}

}  // namespace bitshift
