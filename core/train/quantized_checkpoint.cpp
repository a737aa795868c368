#include "train/quantized_checkpoint.h"

#include <torch/torch.h>

#include "quant/gradual_schedule.h"
#include "util/error.h"

namespace bitshift {

namespace {
const char* kPrefix = "quant.";
}

void add_quantizers(Checkpoint& ck, const QuantizedNetwork& net) {
  torch::NoGradGuard no_grad;
  for (const auto& p : net.hooks->named_parameters())
    ck.tensors[kPrefix + p.key()] = p.value().detach().cpu().contiguous().clone();
  for (const auto& b : net.hooks->named_buffers())
    ck.tensors[kPrefix + b.key()] = b.value().detach().cpu().contiguous().clone();
  ck.meta["plan"] = to_json(net.plan);
}

Checkpoint make_quantized_checkpoint(const QuantizedNetwork& net, const Normalization& norm,
                                     const std::string& dataset, nlohmann::json meta) {
  Checkpoint ck = make_checkpoint(net.model, norm, dataset, std::move(meta));
  add_quantizers(ck, net);
  return ck;
}

bool is_quantized(const Checkpoint& ck) { return ck.meta.contains("plan"); }

QuantizedNetwork load_quantized(const Checkpoint& ck, const std::string& origin) {
  require(is_quantized(ck), "checkpoint '" + origin + "' holds no quantization plan");
  GraphModule model = module_from_checkpoint(ck);
  QuantizedNetwork net = attach_quantizers(model, plan_from_json(ck.meta.at("plan")));
  restore_quantizers(net, ck, origin);
  quantize_all(net);
  return net;
}

void restore_quantizers(QuantizedNetwork& net, const Checkpoint& ck, const std::string& origin) {
  require(is_quantized(ck) && plan_from_json(ck.meta.at("plan")) == net.plan,
          "checkpoint '" + origin + "' was written with another quantization plan than this run's");
  torch::NoGradGuard no_grad;
  auto restore = [&](const std::string& name, torch::Tensor target) {
    auto it = ck.tensors.find(kPrefix + name);
    require(it != ck.tensors.end(),
            "checkpoint '" + origin + "' has no quantizer tensor '" + kPrefix + name + "'");
    // Per-channel steps and tables take their shape at init(), so shapes may differ from a
    // freshly made quantizer's placeholder: take the stored one.
    // NaN or infinite clamps, steps or thresholds: a diverged run or a damaged file.
    if (it->second.is_floating_point())
      require(torch::isfinite(it->second).all().item<bool>(),
              "checkpoint '" + origin + "': quantizer tensor '" + kPrefix + name +
                  "' holds NaN or infinite values; expected finite ones (the run that wrote it "
                  "diverged, or the file is damaged)");
    target.set_data(it->second.clone());
  };
  for (auto& p : net.hooks->named_parameters()) restore(p.key(), p.value());
  for (auto& b : net.hooks->named_buffers()) restore(b.key(), b.value());
}

}  // namespace bitshift
