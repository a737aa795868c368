// What the studio offers in its combos, and the versions its About box shows.
#include <torch/torch.h>

#include "data/registry.h"
#include "deploy/host/opencl_runtime.h"
#include "engine/studio_engine.h"
#include "models/zoo.h"
#include "quant/method_info.h"
#include "quant/plan.h"

namespace bitshift::studio {

std::vector<EngineMethod> methods() {
  std::vector<EngineMethod> out;
  for (const auto& m : bitshift::methods())
    if (!m.from_file) out.push_back({m.id, m.name, m.description});
  return out;
}

std::vector<std::string> presets() { return preset_names(); }

std::vector<std::string> zoo_models() {
  std::vector<std::string> out;
  for (const auto& z : bitshift::zoo_models()) out.push_back(z.name);
  return out;
}

std::vector<std::string> datasets() { return known_datasets(); }

std::vector<std::string> edge_policies() {
  std::vector<std::string> out;
  for (auto p : {EdgePolicy::EdgePolicyQuantized, EdgePolicy::EdgePolicyFirstFp,
                 EdgePolicy::EdgePolicyFp, EdgePolicy::EdgePolicyEightBit})
    out.push_back(edge_policy_name(p));
  return out;
}

std::string library_versions() {
  std::string text = "LibTorch " TORCH_VERSION ", OpenCL: ";
  try {
    const auto devices = list_opencl_devices();
    if (devices.empty()) return text + "no device";
    text += devices.front().platform + " (" + devices.front().name + ", " +
            devices.front().version + ")";
  } catch (const std::exception& e) {
    text += std::string("unavailable (") + e.what() + ")";
  }
  return text;
}

}  // namespace bitshift::studio
