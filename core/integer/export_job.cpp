#include "integer/export_job.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <memory>

#include "data/batcher.h"
#include "data/registry.h"
#include "deploy/bundle_writer.h"
#include "deploy/host/opencl_runtime.h"
#include "deploy/kernel_sources.h"
#include "integer/lowering.h"
#include "integer/reference_executor.h"
#include "train/model_source.h"
#include "util/error.h"
#include "util/output_lock.h"

namespace bitshift {

namespace {

std::string agreement_report(const ExportResult& r, const ExportConfig& c) {
  const Agreement& a = r.agreement;
  nlohmann::json j = {{"checkpoint", c.checkpoint},   {"data", c.data}, {"executor", a.executor},
                      {"images", a.images},           {"simulated_top1", a.simulated_top1},
                      {"integer_top1", a.integer_top1}, {"agreement", a.agreement},
                      {"disagreements", a.disagreements}, {"notes", r.model.notes}};
  if (a.float64_images > 0) {
    j["float64_agreement"] = a.float64_agreement;
    j["float64_disagreements"] = a.float64_disagreements;
  }
  return j.dump(2) + "\n";
}

// The integers for the agreement check on the OpenCL device when it reproduces every layer of
// the golden vectors bit for bit (the same integers as the reference, many times faster); else
// on the reference executor. `executor` says which.
IntegerRunner agreement_runner(const IntegerModel& model, const IntTensor& input,
                               const std::vector<IntTensor>& golden, int device,
                               std::unique_ptr<OpenClRuntime>& runtime, std::string& executor) {
  executor = "reference executor";
  if (static_cast<size_t>(device) >= list_opencl_devices().size()) return {};
  try {
    runtime = std::make_unique<OpenClRuntime>(model, kernel_source(), device);
    if (runtime->run(input) != golden) {
      executor = "reference executor (the OpenCL device differs on the golden vectors)";
      return {};
    }
  } catch (const std::exception& e) {
    executor = std::string("reference executor (OpenCL: ") + e.what() + ")";
    return {};
  }
  executor = "OpenCL device " + runtime->device().name;
  OpenClRuntime* rt = runtime.get();
  return [rt](const IntTensor& x) { return rt->infer(x); };
}

}  // namespace

Result<ExportResult> run_export(const ExportConfig& c, const ProgressFn<ExportStep>& progress) {
  return capture([&] {
    auto step = [&](const char* stage, double f, const std::string& detail = "") {
      if (progress && !progress(ExportStep{stage, f, detail})) throw Error("export cancelled");
    };
    // Before the long work: an --out that is not a bundle, cannot be written or is being
    // written by another export is refused now, not after the agreement.
    prepare_bundle_target(c.out);
    const OutputLock lock(c.out);
    LoadedModel lm = load_model(c.checkpoint, open_dataset(c.data), c.data);
    const DatasetPair& data = lm.data;  // fitted to the model's input where it differs
    if (!lm.quantized)
      throw Error("'" + c.checkpoint + "' is an FP32 checkpoint; export needs a quantized one " +
                  "(bitshift-cli quantize ... --out q.bsck)");
    QuantizedNetwork& net = lm.quantized_network;
    net.model->eval();
    step("lower", 0.0);
    ExportResult r;
    r.model = lower(net);
    r.model.pixels = pixel_codes(net, r.model, lm.normalization);

    step("vectors", 0.1);
    const int64_t n = std::max<int64_t>(1, std::min<int64_t>(c.vector_images, data.test.size()));
    BatchConfig bc;
    bc.batch_size = n;
    bc.shuffle = false;
    Batcher batcher(data.test.head(n), lm.normalization, bc);
    batcher.start_epoch(0);
    const IntTensor input = integer_input(net, r.model, batcher.get(0).x);
    const std::vector<IntTensor> golden = run_reference(r.model, input);

    step("agreement", 0.2);
    std::unique_ptr<OpenClRuntime> runtime;
    std::string executor;
    const IntegerRunner runner =
        agreement_runner(r.model, input, golden, c.device, runtime, executor);
    // The longest stage: its images counted, and a cancel heard between batches.
    try {
      r.agreement = measure_agreement(
          net, r.model, data.test, lm.normalization, c.agreement_images, runner, c.float64_agreement,
          [&](int64_t done, int64_t total) {
            return !progress || progress(ExportStep{"agreement", 0.2 + 0.5 * done / std::max<int64_t>(total, 1),
                                                    std::to_string(done) + " of " + std::to_string(total) + " images"});
          });
    } catch (const Error& e) {
      if (std::string(e.what()) == "cancelled") throw Error("export cancelled");
      throw;
    }
    r.agreement.executor = executor;
    runtime.reset();

    r.estimate = estimate(r.model, device_profile(c.fpga), c.parallelism);
    step("write", 0.7);
    std::function<void(const std::string&)> verify_first;
    if (c.verify)
      verify_first = [&](const std::string& tmp) {
        step("verify", 0.8);
        r.verification = verify_bundle(tmp, c.device, c.out);
        r.verified = true;
        step("publish", 0.99);  // a cancel now still leaves the old bundle
      };
    write_bundle(c.out, r.model, input, golden,
                 {{"agreement.json", agreement_report(r, c)},
                  {"estimate.txt", estimate_table(r.estimate)},
                  {"estimate.json", estimate_json(r.estimate).dump(2) + "\n"}},
                 verify_first);
    r.bundle = c.out;
    if (progress) progress(ExportStep{"done", 1.0, ""});  // published: too late to cancel
    return r;
  });
}

}  // namespace bitshift
