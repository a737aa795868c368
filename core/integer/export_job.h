#pragma once
// The export job behind `bitshift-cli export` and the studio's Export button: a quantized
// checkpoint is lowered to an IntegerModel, golden vectors are made by the reference executor,
// its agreement with the simulation is measured on the test set (on the OpenCL device once it
// has reproduced the golden vectors bit for bit, else on the reference), and the bundle is
// written and verified on an OpenCL device, with a resource and latency estimate in reports/.
#include <cstdint>
#include <string>

#include "deploy/estimator.h"
#include "deploy/verify.h"
#include "integer/agreement.h"
#include "integer/integer_model.h"
#include "util/progress.h"
#include "util/result.h"

namespace bitshift {

struct ExportConfig {
  std::string checkpoint;             // a quantized checkpoint (bitshift-cli quantize --out)
  std::string data = "fashion-mnist";
  std::string out;                    // bundle directory (replaced only when complete)
  int64_t vector_images = 8;          // test-vector batch (input + golden per layer)
  int64_t agreement_images = 0;       // images for the agreement check (0 = the test set)
  bool float64_agreement = false;     // also against the simulation evaluated in float64
  std::string fpga = "arria10";       // device profile of the estimate
  Parallelism parallelism;            // of the estimate
  bool verify = true;                 // run the bundle on OpenCL after writing it
  int device = 0;                     // OpenCL device index
};

struct ExportStep {
  std::string stage;   // "lower", "vectors", "agreement", "write", "verify", "done"
  double fraction = 0.0;  // of the whole export
  std::string detail;  // e.g. "1,200 of 2,000 images" during the agreement
};

struct ExportResult {
  IntegerModel model;
  Agreement agreement;
  std::string bundle;
  bool verified = false;      // verification ran (an OpenCL device was there)
  VerifyReport verification;  // when verified
  Estimate estimate;
};

// `progress` returning false cancels: the error is "export cancelled", and neither the bundle
// nor a temporary folder is left (an existing bundle stays as it was). With `verify`, the
// bundle is verified before it is published: one rename puts a verified bundle in place.
Result<ExportResult> run_export(const ExportConfig& config, const ProgressFn<ExportStep>& progress);

}  // namespace bitshift
