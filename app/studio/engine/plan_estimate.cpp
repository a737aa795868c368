// PlanningModel::estimate: what the FPGA would need for a plan, before any training.
#include <torch/torch.h>

#include "data/batcher.h"
#include "deploy/estimator.h"
#include "engine/dataset_cache.h"
#include "engine/plan_rows.h"
#include "engine/planning_model_impl.h"
#include "integer/lowering.h"
#include "quant/gradual_schedule.h"
#include "quant/quantized_network.h"
#include "train/model_source.h"
#include "util/error.h"

namespace bitshift::studio {

namespace {

constexpr int64_t kCalibrationImages = 128;

EngineEstimate fill(const Estimate& e, EngineEstimate out) {
  out.dsps = e.dsps;
  out.luts = e.luts;
  out.ram_blocks = e.ram_blocks;
  out.dsp_use = e.dsp_use;
  out.lut_use = e.lut_use;
  out.ram_use = e.ram_use;
  out.fits = e.fits;
  out.images_per_second = e.images_per_second;
  return out;
}

}  // namespace

EngineEstimate PlanningModel::estimate(const std::vector<EngineLayer>& rows,
                                       const std::string& fpga) const {
  EngineEstimate out;
  try {
    const DeviceProfile& profile = device_profile(fpga);
    out.device = profile.name;
    out.logic_name = profile.logic_name;
    out.ram_name = profile.ram_name;
    const QuantPlan plan = to_plan(rows);
    validate(plan, impl_->graph());
    for (const auto& l : plan.layers)
      if (l.w_bits == kFullPrecisionBits || l.a_bits == kFullPrecisionBits)
        throw Error(l.layer +
                    " is FP32: only a plan with every layer on integers runs on the FPGA");
    // A quantized model at its own plan (a checkpoint, a QDQ/QONNX file): its own quantizers.
    if (impl_->loaded.quantized && plan == impl_->loaded.quantized_network.plan) {
      QuantizedNetwork own = impl_->loaded.quantized_network;
      own.model->eval();
      return fill(bitshift::estimate(lower(own), profile, Parallelism{}), out);
    }
    // A fresh copy of the weights: quantizers attach to the module they are given.
    LoadedModel fresh = open_studio_model(impl_->source, impl_->data);
    const DatasetPair* data = &fresh.data;  // fitted to a model file's input where it differs
    torch::NoGradGuard no_grad;
    QuantizedNetwork net = attach_quantizers(fresh.module, plan);
    BatchConfig bc;
    bc.batch_size = kCalibrationImages;
    bc.shuffle = false;
    Batcher batcher(data->train.head(kCalibrationImages), data->normalization, bc);
    batcher.start_epoch(0);
    calibrate(net, {to_channels_last(batcher.get(0).x)});
    quantize_all(net);
    net.model->eval();
    return fill(bitshift::estimate(lower(net), profile, Parallelism{}), out);
  } catch (const std::exception& e) {
    out.problem = e.what();
  }
  return out;
}

}  // namespace bitshift::studio
