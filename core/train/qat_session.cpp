#include "train/qat_session.h"

#include <torch/torch.h>

#include <cmath>

#include "data/batcher.h"
#include "dist/data_parallel.h"
#include "quant/gradual_schedule.h"
#include "quant/method.h"
#include "quant/method_info.h"
#include "train/device.h"
#include "train/quantized_checkpoint.h"
#include "train/resume.h"
#include "util/error.h"

namespace bitshift {

ErrorHistogram error_histogram(const std::string& name, const std::string& kind,
                               const torch::Tensor& error, int bins) {
  ErrorHistogram h;
  h.name = name;
  h.kind = kind;
  const auto e = error.detach().flatten().to(torch::kFloat);
  const double peak = e.abs().max().item<double>();
  if (!std::isfinite(peak))
    throw Error("the " + kind + " quantization error of '" + name + "' is " +
                (std::isnan(peak) ? std::string("NaN") : std::string("infinite")) +
                ": values in the network overflowed (the training diverged, or the model's " +
                "weights are broken); lower the learning rate (--lr) or check the model");
  const double m = std::max(peak, 1e-12);
  h.lo = -m;
  h.hi = m;
  auto counts = torch::histc(e, bins, -m, m).to(torch::kLong).cpu();
  h.counts.assign(counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + bins);
  return h;
}

namespace {

// This process's rows of the calibration batches (all of each batch when alone), on `device`. Spread over
// replicas, a batch with fewer images than replicas is left out (a replica would get none).
std::vector<torch::Tensor> calibration_batches(const DatasetPair& data, const QatConfig& c,
                                              torch::Device device) {
  BatchConfig bc;
  bc.batch_size = c.train.batch_size;
  bc.seed = c.train.seed;
  const Dataset train = c.train.train_limit > 0 ? data.train.head(c.train.train_limit) : data.train;
  const int world = world_size(c.train);
  if (c.train.replicas) {
    bc.shard_rank = c.train.replicas->rank();
    bc.shard_count = world;
  }
  Batcher b(train, data.normalization, bc);
  b.start_epoch(0);
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < std::min<int64_t>(c.calibration_batches, b.num_batches()); ++i)
    if (std::min(bc.batch_size, train.size() - i * bc.batch_size) >= world)
      out.push_back(to_channels_last(b.get(i).x.to(device)));
  return out;
}

std::vector<LayerTrace> collect_traces(const QuantizedNetwork& net) {
  std::vector<LayerTrace> out;
  const Graph& g = net.model->graph();
  for (int layer : net.hooks->quantized_layers())
    out.push_back({g.node(layer).name, "weight", net.hooks->weight_quantizer(layer)->trace()});
  for (const auto& s : net.hooks->sites())
    out.push_back({g.node(s.node).name, "activation", net.hooks->activation_quantizer(s.node)->trace()});
  return out;
}

// Weight errors from the current weights; activation errors from one probe batch in eval mode.
std::vector<ErrorHistogram> collect_histograms(QuantizedNetwork& net, const torch::Tensor& probe,
                                               int bins) {
  torch::NoGradGuard no_grad;
  std::vector<ErrorHistogram> out;
  const Graph& g = net.model->graph();
  for (int layer : net.hooks->quantized_layers()) {
    auto w = net.model->weight(layer);
    auto q = net.hooks->weight_quantizer(layer)->quantize(w);
    out.push_back(error_histogram(g.node(layer).name, "weight", q - w, bins));
  }
  const bool was_training = net.model->is_training();
  net.model->eval();
  net.hooks->set_recording(true);
  net.model->forward(probe);
  net.hooks->set_recording(false);
  net.model->train(was_training);
  for (const auto& [node, err] : net.hooks->recorded_errors())
    out.push_back(error_histogram(g.node(node).name, "activation", err, bins));
  return out;
}

}  // namespace

Result<QatResult> run_qat(GraphModule model, const DatasetPair& data, const QatConfig& config,
                          const ProgressFn<QatSnapshot>& progress) {
  return capture([&]() -> QatResult {
    validate(config.train);
    QatResult result;
    const torch::Device device = device_from_name(config.train.device);  // unknown or absent: fails here
    model->to(device);
    const Dataset test = config.train.test_limit > 0 ? data.test.head(config.train.test_limit) : data.test;
    Replicas* replicas = config.train.replicas.get();
    result.fp32 = evaluate(model, test, data.normalization, config.train.eval_batch_size, replicas);

    result.net = attach_quantizers(model, config.plan);
    QuantizedNetwork& net = result.net;
    net.hooks->to(device);
    // A GPU run's model and quantizers come back to the CPU for saving, lowering and export.
    // (Holds its own handles: `result` may be moved out before this runs.)
    struct BackToCpu {
      GraphModule model;
      std::shared_ptr<QuantHooks> hooks;
      ~BackToCpu() {
        model->to(torch::kCPU);
        hooks->to(torch::kCPU);
      }
    } back_to_cpu{net.model, net.hooks};
    const auto batches = calibration_batches(data, config, device);
    require(!batches.empty(), "no calibration batch: the training set has fewer images than replicas");
    if (const auto& from = config.train.resume) {
      // An interrupted run goes on from its epoch checkpoint's weights and quantizers.
      load_weights(model, from->checkpoint, from->origin);
      restore_quantizers(net, from->checkpoint, from->origin);
    } else {
      net.hooks->set_replicas(replicas);  // every site observes the whole batch
      calibrate(net, batches);
      net.hooks->set_replicas(nullptr);
    }
    // Rank 0's initialisation everywhere, whatever each host's floating point did with it.
    if (replicas != nullptr) broadcast_state(*replicas, module_state(*net.hooks), "quantizer broadcast");
    const torch::Tensor probe = batches.front().slice(0, 0, std::min<int64_t>(64, batches.front().size(0)));

    // One method per plan decides whether the session is gradual; mixed plans use the first layer's.
    const std::string method = config.plan.layers.empty() ? "minmax" : config.plan.layers.front().method;
    std::unique_ptr<GradualSchedule> schedule;
    const int stages = static_cast<int>(net.hooks->quantized_layers().size());
    if (is_gradual(method) && stages > 0) {
      // NICE: stages share half the budget, then everything trains quantized (STE). UNIQ: the
      // stages take the whole budget and finished ones are frozen [code].
      const bool uniq = method == "uniq";
      const double per_stage = config.epochs_per_stage > 0.0
                                   ? config.epochs_per_stage
                                   : (uniq ? 1.0 : 0.5) * config.train.epochs / stages;
      schedule = std::make_unique<GradualSchedule>(net, per_stage, /*freeze_done_stages=*/uniq);
      result.num_stages = schedule->num_stages();
    }
    quantize_all(net);

    if (method_info(method).trains) {
      TrainExtras extras;
      for (const auto& p : net.hooks->parameters()) extras.parameters.push_back(p);
      // N2UQ trains its thresholds and scales at a tenth of the weights' rate [code].
      if (method == "n2uq") extras.parameters_lr_scale = 0.1;
      // NICE's c_a sits in SGD with the global weight decay [code]; PACT regularises α with L2.
      extras.parameters_weight_decay = method == "nice" || method == "pact";
      if (schedule) extras.before_step = [&](double epoch) { schedule->apply(net, epoch); };
      // Each epoch's checkpoint (when a path is set) is a whole quantized one: a cancelled run
      // leaves the last finished epoch loadable.
      extras.add_to_checkpoint = [&](Checkpoint& ck) { add_quantizers(ck, net); };
      int64_t last_traced = -config.trace_every;
      double epoch_pos = 0.0;
      auto wrapped = [&](const TrainSnapshot& s) {
        if (!progress) return true;
        QatSnapshot q;
        q.train = s;
        q.num_stages = result.num_stages;
        epoch_pos = static_cast<double>(s.step) / std::max<int64_t>(s.steps_total, 1) * s.epochs;
        q.stage = schedule ? schedule->stage_at(epoch_pos) : 0;
        if (s.step - last_traced >= config.trace_every || s.epoch_end) {
          last_traced = s.step;
          q.traces = collect_traces(net);
          q.histograms = collect_histograms(net, probe, config.histogram_bins);
        }
        return progress(q);
      };
      TrainConfig train_config = config.train;
      // UniQ's binary-training policy: no weight decay, which would pull every latent weight
      // towards the sign boundary [METHODS §3, paper].
      if (has_binary_uniq(config.plan)) train_config.weight_decay = 0.0;
      auto trained = train(net.model, data, train_config, wrapped, extras);
      if (!trained) throw Error(trained.error());
      result.train = trained.value();
      // A cancelled session stops here: the caller asked to stop, not for a final evaluation.
      if (result.train.cancelled) return result;
    }
    quantize_all(net);
    result.quantized = evaluate(net.model, test, data.normalization, config.train.eval_batch_size, replicas);
    if (progress) {
      QatSnapshot last;
      last.train.epoch_end = true;
      last.train.test_top1 = result.quantized.top1;
      last.stage = last.num_stages = result.num_stages;
      last.traces = collect_traces(net);
      last.histograms = collect_histograms(net, probe, config.histogram_bins);
      progress(last);
    }
    return result;
  });
}

}  // namespace bitshift
