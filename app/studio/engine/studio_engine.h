#pragma once
// The engine as the studio sees it: plain std values in and out, no LibTorch type in this
// header (the Qt side includes it; only the engine's .cpp files include LibTorch). Each
// function is what one user action needs: open a model for planning, cost a plan, run QAT,
// export and verify.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "util/job_control.h"
#include "util/result.h"

namespace bitshift::studio {

constexpr int kFpBits = 32;

// One weight layer with its plan entry.
struct EngineLayer {
  std::string name, type, shape;  // node name, "conv2d → silu"/"linear" (plan_rows.h), "16x14x14"
  int64_t params = 0, macs = 0;
  int w_bits = kFpBits, a_bits = kFpBits;
  std::string method;
};

struct EngineMethod {
  std::string id, name, description;
};

struct EngineCost {
  double bops = 0, fp32_bops = 0;
  int64_t weight_bits = 0, fp32_weight_bits = 0, macs = 0;
  std::string problem;  // why the plan is not valid, or empty
  // With a problem: the rows whose weight bits, or activation bits, the engine refuses.
  std::vector<int> bad_weight_rows, bad_activation_rows;
};

// What the studio offers in its combos.
std::vector<EngineMethod> methods();
std::vector<std::string> presets();
std::vector<std::string> zoo_models();
std::vector<std::string> datasets();
// First/last-layer policies: quantized, first-fp, fp, 8bit.
std::vector<std::string> edge_policies();
// "LibTorch 1.13.1, OpenCL: Portable Computing Language (pocl 3.1 ...)".
std::string library_versions();

// The FPGA resource estimate of a plan before any training: the FP32 weights with the plan's
// quantizers calibrated on one batch, lowered to integers and costed (deploy/estimator.h).
struct EngineEstimate {
  std::string device;  // profile name
  std::string logic_name, ram_name;  // the device's units: "ALM"/"LUT", "M20K"/"BRAM18"
  int64_t dsps = 0, luts = 0, ram_blocks = 0;
  double dsp_use = 0, lut_use = 0, ram_use = 0;  // fractions of the device
  bool fits = false;
  double images_per_second = 0;  // pipelined, at the profile's clock
  std::string problem;  // why there is no estimate (e.g. an FP32 layer), or empty
};

// Per-layer sensitivity (train/sensitivity.h): the loss increase on calibration images when
// only one layer's weights (w) or input activations (a) are quantized, at each bit-width.
struct EngineSensitivity {
  struct Layer {
    std::string name;
    std::vector<std::pair<int, double>> w, a;  // (bits, loss increase)
  };
  std::string method;
  int64_t images = 0;
  double fp_loss = 0;
  std::vector<Layer> layers;  // weight layers in graph order
  bool cached = false;        // read back from the cache rather than measured now
};

// A plan fitted to a budget ("Fit to budget"): the rows, and how the budget went.
struct EngineFit {
  std::vector<EngineLayer> rows;
  std::string unit;  // "BOPs" or "weight bits"
  double budget = 0, spent = 0, cheapest = 0;
  double predicted_loss = 0, gap = 0;  // the allocation's objective and its optimality gap
  std::vector<std::string> locked;     // layers the allocation kept (edges and the user's)
};

// A model opened on a dataset, for planning (layers, plans, cost). Cheap to query; its const
// functions may run on several threads at once (the FPGA estimate and the sensitivity job call
// it from theirs, each on its own copy of the weights); training runs open their own model.
class PlanningModel {
 public:
  // Throws nothing: a failure names the file or model and what was expected.
  static Result<std::shared_ptr<PlanningModel>> open(const std::string& model,
                                                      const std::string& data);
  ~PlanningModel();

  const std::string& model() const;   // graph name ("resnet20")
  const std::string& source() const;  // what was opened: zoo name or checkpoint path
  const std::string& origin() const;  // "resources/baselines/...", "zoo:... (random init)"
  // How the data was fitted to a model file's input ("" when it was at the model's shape).
  const std::string& data_note() const;
  const std::string& head_note() const;  // "" unless the classifier was replaced
  const std::string& data() const;
  bool pretrained() const;
  bool quantized() const;  // a quantized checkpoint: its plan is the starting plan

  // Every weight layer with `method` at `preset`, first/last layers by `edges` (an
  // edge_policies() id; empty = the method's own policy from its paper).
  std::vector<EngineLayer> plan(const std::string& method, const std::string& preset,
                                const std::string& edges = "") const;
  // The plan a quantized checkpoint holds (else the model's layers at FP32).
  std::vector<EngineLayer> stored_plan() const;
  // A plan file (`bitshift-cli allocate --out`, or one saved here) as rows of this model;
  // throws Error naming the file and what does not fit (a missing layer, invalid bits).
  std::vector<EngineLayer> read_plan(const std::string& path) const;
  // Writes `rows` as a plan file that `bitshift-cli quantize --plan` reads.
  void write_plan(const std::string& path, const std::vector<EngineLayer>& rows) const;
  EngineCost cost(const std::vector<EngineLayer>& rows) const;
  // Quantized tensors that no weight layer reads (the inputs and outputs of sigmoids and
  // hard-swishes, squeeze-excitation gates): their traces and histograms come under these names.
  std::vector<std::string> activation_only_sites(const std::vector<EngineLayer>& rows) const;
  // Takes ~0.1-1 s (calibration and lowering): call it off the GUI thread. Safe to call from
  // one thread at a time, concurrently with the other (const, cheap) functions.
  EngineEstimate estimate(const std::vector<EngineLayer>& rows,
                          const std::string& fpga = "arria10") const;

  // Measures `method`'s per-layer sensitivity at 2, 3, 4, 6 and 8 bits on 256 calibration
  // images (seconds for LeNet-5, a few minutes for ResNet-20), or reads it back from the cache
  // ($XDG_CACHE_HOME/bitshift/sensitivity, keyed by the model file's digest, data and method).
  // Call it off the GUI thread; `progress(done, total)` returning false cancels ("sensitivity
  // cancelled").
  Result<EngineSensitivity> sensitivity(const std::string& method,
                                        const std::function<bool(int, int)>& progress) const;
  // The bits within `budget` ("bops=1.5e8", "weights=96" KiB, or "bops=w3a3": the cost of that
  // uniform plan) that minimise the predicted loss of `method`; rows named in `locked` and the
  // first/last layers of `edges` (empty: the method's policy) keep their bits. Cheap.
  Result<EngineFit> fit_to_budget(const std::vector<EngineLayer>& rows,
                                  const std::vector<std::string>& locked, const std::string& method,
                                  const std::string& edges, const std::string& budget,
                                  const EngineSensitivity& sensitivity) const;

 private:
  struct Impl;
  explicit PlanningModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A fine-tuning run as the studio starts it.
struct TrainRequest {
  std::string model = "resnet20", data = "fashion-mnist";
  std::vector<EngineLayer> plan;
  std::string label;  // e.g. "nice w4a4"
  int epochs = 1;
  double lr = 0.005;
  int64_t train_limit = 0, test_limit = 0;  // 0 = all images
  uint64_t seed = 1;
  int64_t trace_every = 20;
  std::string out_dir;  // checkpoint and run record go here
  int processes = 1;    // > 1: data-parallel over local processes (this one is rank 0)
};

struct EngineTrace {
  std::string layer, kind, quantity;
  double value = 0;
};

struct EngineHistogram {
  std::string layer, kind;
  double lo = 0, hi = 0;
  std::vector<int64_t> counts;
};

struct TrainReport {
  int64_t step = 0, steps_total = 0;
  int epoch = 0, epochs = 0;
  double loss = 0, train_top1 = 0;
  bool has_train = false, has_test = false;
  double test_top1 = 0;
  double elapsed_seconds = 0, eta_seconds = 0, images_per_second = 0;
  int stage = 0, num_stages = 0;
  std::vector<EngineTrace> traces;
  std::vector<EngineHistogram> histograms;
};

struct TrainOutcome {
  bool cancelled = false;
  int epochs_done = 0;  // finished epochs (a cancelled run's checkpoint holds the last of them)
  double top1 = 0, top5 = 0, fp32_top1 = 0;
  double bops = 0, fp32_bops = 0;
  int64_t weight_bits = 0;
  double wall_seconds = 0;
  std::string checkpoint, record, started_at;
};

// Runs on the calling thread; `control` pauses, resumes and cancels it from another.
Result<TrainOutcome> run_training(const TrainRequest& request, JobControl& control,
                                  const std::function<void(const TrainReport&)>& report);

struct ExportRequest {
  // "bundle" (OpenCL, verified), "qdq" (ONNX for ONNX Runtime) or "qonnx" (FINN, hls4ml)
  std::string format = "bundle";
  std::string checkpoint, data = "fashion-mnist", out;  // out: bundle folder or .onnx file
  int64_t agreement_images = 2000;
  std::string fpga = "arria10";
};

struct ExportOutcome {
  std::string format = "bundle";
  std::string bundle;  // the bundle folder, or the .onnx file
  // QDQ and QONNX: weights as codes, in float, activation sites, notes per layer, and (QONNX)
  // what a FINN flow would refuse.
  int64_t weight_layers = 0, float_weights = 0, activation_sites = 0;
  std::vector<std::string> notes, finn_rejects;
  bool verified = false, passed = false;
  std::string verdict;       // "passed", "mismatch", "no_device", "opencl_error"
  std::string verification;  // the verification text (first mismatches when any)
  std::string device;        // OpenCL device it ran on
  double simulated_top1 = 0, integer_top1 = 0, agreement = 0;
  int64_t agreement_images = 0;
  std::string estimate;  // the resource and latency table, formulas named
  int64_t dsps = 0, luts = 0, ram_blocks = 0;
  bool fits = false;
  int layers = 0;
};

// Where an export is: its stage ("lower", "agreement", "write", "verify", ...), what is done
// of it ("1,200 of 2,000 images") and the fraction of the whole export.
struct ExportProgress {
  std::string stage, detail;
  double fraction = 0;
};

// Lowers, measures agreement, verifies the bundle on OpenCL and publishes it; or writes the
// QDQ / QONNX file. `progress` returning false cancels: the result is the error "export
// cancelled", and nothing is written (an earlier bundle stays as it was).
Result<ExportOutcome> run_export(const ExportRequest& request,
                                 const std::function<bool(const ExportProgress&)>& progress);

}  // namespace bitshift::studio
