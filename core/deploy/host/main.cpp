// bitshift-host: the export bundle's standalone host program. Loads the bundle (every file's
// sha256 checked), runs it on an OpenCL device and compares every layer's output with the
// golden test vectors, exactly as `bitshift-cli verify` does. Builds with CMake against OpenCL
// alone (see FORMAT.md, "host/"). Not compiled into Bitshift; copied into every bundle.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "bundle_check.h"
#include "bundle_reader.h"
#include "image_input.h"
#include "opencl_runtime.h"

namespace {

// Exit codes (FORMAT.md): the first three as bitshift-cli's.
constexpr int kEqual = 0, kMismatch = 1, kBadBundle = 2, kNoDevice = 3;

int usage(const char* why) {
  if (why) std::fprintf(stderr, "bitshift-host: %s\n", why);
  std::fprintf(why ? stderr : stdout,
               "Usage: bitshift-host <bundle dir> [--device N] [--image FILE]\n\n"
               "Runs the bundle's network on an OpenCL device and compares every layer with the\n"
               "golden vectors in testvectors/. With --image, classifies one 8-bit PNG (grey,\n"
               "colour or palette; alpha is dropped) or binary PGM/PPM image at the model's input\n"
               "size instead (pixels become codes through network.json's input_pixels) and prints\n"
               "the class and the logits.\n"
               "Exit codes: 0 all layers equal (or classified), 1 a mismatch, 2 a bad bundle,\n"
               "image or usage, 3 no OpenCL device or an OpenCL failure.\n");
  return why ? kBadBundle : kEqual;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir, image;
  int device = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") return usage(nullptr);
    if (a == "--device") {
      if (i + 1 >= argc) return usage("--device needs a number");
      char* end = nullptr;
      const long d = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || d < 0) return usage("--device needs a number >= 0");
      device = static_cast<int>(d);
    } else if (a == "--image") {
      if (i + 1 >= argc) return usage("--image needs a file");
      image = argv[++i];
    } else if (!a.empty() && a[0] == '-') {
      return usage(("unknown option " + a).c_str());
    } else if (dir.empty()) {
      dir = a;
    } else {
      return usage("more than one bundle directory given");
    }
  }
  if (dir.empty()) return usage("no bundle directory given");

  bitshift::LoadedBundle bundle;
  try {
    bundle = bitshift::load_bundle(dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bitshift-host: bad bundle '%s': %s\n", dir.c_str(), e.what());
    return kBadBundle;
  }
  std::printf("bundle: %s\nmodel:  %s (%s), %zu layers, %lld samples\n", dir.c_str(),
              bundle.model.name.c_str(), bundle.model.method.c_str(), bundle.model.layers.size(),
              static_cast<long long>(bundle.input.n));

  const std::vector<bitshift::OpenClDeviceInfo> devices = bitshift::list_opencl_devices();
  if (devices.empty()) {
    std::fprintf(stderr, "bitshift-host: no OpenCL device found; nothing was verified\n");
    return kNoDevice;
  }
  if (static_cast<size_t>(device) >= devices.size()) {
    std::fprintf(stderr, "bitshift-host: OpenCL device %d does not exist (%zu found)\n", device,
                 devices.size());
    return kBadBundle;
  }
  bitshift::IntTensor x;
  if (!image.empty()) try {
      x = bitshift::image_input(bundle.model, image);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bitshift-host: %s\n", e.what());
      return kBadBundle;
    }
  bitshift::CheckReport report;
  try {
    bitshift::OpenClRuntime runtime(bundle.model, bundle.kernel_source, device);
    if (!image.empty()) {
      const bitshift::IntTensor logits = runtime.run(x).back();
      // The class with the largest real logit (value·scale[k]: scales may differ by class).
      const std::vector<double>& scale = bundle.model.layers.back().scale;
      const auto real = [&](size_t k) {
        return logits.values[k] * (scale.size() == 1 ? scale[0] : scale.at(k));
      };
      size_t best = 0;
      for (size_t k = 1; k < logits.values.size(); ++k)
        if (real(k) > real(best)) best = k;
      std::printf("image: %s\nclass: %zu\nlogits:", image.c_str(), best);
      for (int32_t v : logits.values) std::printf(" %d", v);
      std::printf("\n");
      return kEqual;
    }
    const bitshift::OpenClDeviceInfo& info = runtime.device();
    std::printf("device: %s (%s, %s)\n", info.name.c_str(), info.platform.c_str(),
                info.version.c_str());
    report = bitshift::check_bundle(
        bundle, [&runtime](const bitshift::IntTensor& x) { return runtime.run(x); });
    if (bundle.conformance) {  // golden vectors that pin the rounding (FORMAT.md)
      bitshift::OpenClRuntime conformance(bundle.conformance->model, bundle.kernel_source, device);
      bitshift::check_conformance(
          bundle, [&conformance](const bitshift::IntTensor& x) { return conformance.run(x); },
          report);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bitshift-host: OpenCL: %s\n", e.what());
    return kNoDevice;
  }
  std::fputs(bitshift::format_check(report).c_str(), stdout);
  return report.passed() ? kEqual : kMismatch;
}
