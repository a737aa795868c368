#include "train/sensitivity.h"

#include <torch/torch.h>

#include "data/batcher.h"
#include "quant/method.h"
#include "quant/method_info.h"
#include "quant/quantized_network.h"
#include "train/evaluate.h"
#include "train/hessian_trace.h"
#include "util/error.h"

namespace bitshift {

namespace {

constexpr int64_t kBatch = 128;

std::vector<torch::Tensor> batches_of(const Dataset& data, const Normalization& norm) {
  BatchConfig bc;
  bc.batch_size = kBatch;
  bc.shuffle = false;
  Batcher b(data, norm, bc);
  b.start_epoch(0);
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < b.num_batches(); ++i) out.push_back(to_channels_last(b.get(i).x));
  return out;
}

// Every layer FP32 but `layer`, whose weights or input activations get `bits`.
QuantPlan single_layer_plan(const Graph& g, const SensitivityConfig& c, const std::string& layer,
                            const std::string& operand, int bits) {
  QuantPlan plan = make_plan(g, c.method, "fp32", EdgePolicy::EdgePolicyQuantized);
  for (LayerPlan& lp : plan.layers) lp.granularity = c.granularity;
  LayerPlan* lp = plan.find(layer);
  (operand == "w" ? lp->w_bits : lp->a_bits) = bits;
  return plan;
}

// HAWQ-V2: each layer's loss increase at b-bit weights estimated as ½·(tr(H)/n)·‖Q(W) − W‖²
// with the method's weight quantizer initialised on W.
void estimate_weight_sensitivity(GraphModule& model, const Dataset& calibration,
                                 const Normalization& norm, const SensitivityConfig& config,
                                 const MethodInfo& info, Sensitivity& s,
                                 const std::function<bool(int, int)>& progress) {
  const std::map<int, double> traces =
      hessian_traces(model, calibration, norm, config.hutchinson_samples, config.seed);
  torch::NoGradGuard no_grad;
  const Graph& g = model->graph();
  const int total = static_cast<int>(traces.size());
  int done = 0;
  for (const auto& [node, trace] : traces) {
    const torch::Tensor w = model->weight(node).detach();
    for (int b : config.weight_bits) {
      if (b < info.min_weight_bits || b >= kFullPrecisionBits) continue;
      auto q = make_weight_quantizer(config.method, b, config.granularity);
      q->init(w);
      const double err = (q->quantize(w) - w).pow(2).sum().item<double>();
      const double increase = 0.5 * trace / static_cast<double>(w.numel()) * err;
      SensitivityEntry e{g.node(node).name, "w",      b,   s.fp_loss + increase,
                         s.fp_top1,         increase, 0.0, true};
      s.entries.push_back(e);
    }
    if (progress && !progress(++done, total)) throw Error("sensitivity cancelled");
  }
}

}  // namespace

Sensitivity measure_sensitivity(GraphModule model, const Dataset& calibration,
                                const Normalization& norm, const SensitivityConfig& config,
                                const std::function<bool(int, int)>& progress) {
  const MethodInfo& info = method_info(config.method);
  const Graph& g = model->graph();
  require(calibration.size() > 0, "sensitivity needs calibration images");
  Sensitivity s;
  s.method = config.method;
  s.images = calibration.size();
  model->set_hooks(nullptr);
  const EvalResult fp = evaluate(model, calibration, norm, kBatch);
  s.fp_loss = fp.loss, s.fp_top1 = fp.top1;
  if (config.mode == "hessian") {
    estimate_weight_sensitivity(model, calibration, norm, config, info, s, progress);
    return s;
  }
  require(config.mode == "measured",
          "sensitivity mode '" + config.mode + "': expected measured or hessian");
  const auto batches = batches_of(calibration, norm);

  struct Job {
    std::string layer, operand;
    int bits;
  };
  std::vector<Job> jobs;
  for (int node : g.weight_layers()) {
    const std::string& name = g.node(node).name;
    for (int b : config.weight_bits)
      if (b >= info.min_weight_bits && b < kFullPrecisionBits) jobs.push_back({name, "w", b});
    for (int b : config.activation_bits)
      if (b >= info.min_activation_bits && b < kFullPrecisionBits) jobs.push_back({name, "a", b});
  }
  const int total = static_cast<int>(jobs.size());
  for (int i = 0; i < total; ++i) {
    const Job& j = jobs[static_cast<size_t>(i)];
    QuantizedNetwork net =
        attach_quantizers(model, single_layer_plan(g, config, j.layer, j.operand, j.bits));
    calibrate(net, batches);
    const EvalResult r = evaluate(model, calibration, norm, kBatch);
    model->set_hooks(nullptr);
    s.entries.push_back(
        {j.layer, j.operand, j.bits, r.loss, r.top1, r.loss - fp.loss, fp.top1 - r.top1});
    if (progress && !progress(i + 1, total)) throw Error("sensitivity cancelled");
  }
  return s;
}

}  // namespace bitshift
