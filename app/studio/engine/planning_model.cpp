// PlanningModel: a model opened on a dataset for the plan table and the cost strip.
#include "engine/dataset_cache.h"
#include "engine/plan_rows.h"
#include "engine/planning_model_impl.h"
#include "engine/studio_engine.h"
#include "quant/cost.h"
#include "quant/plan.h"
#include "quant/plan_file.h"
#include "quant/quantized_network.h"
#include "train/model_source.h"

namespace bitshift::studio {



PlanningModel::PlanningModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PlanningModel::~PlanningModel() = default;

Result<std::shared_ptr<PlanningModel>> PlanningModel::open(const std::string& model,
                                                           const std::string& data) {
  return capture([&] {
    auto impl = std::make_unique<Impl>();
    impl->loaded = open_studio_model(model, data);
    impl->source = model;
    impl->data = data;
    return std::shared_ptr<PlanningModel>(new PlanningModel(std::move(impl)));
  });
}

const std::string& PlanningModel::model() const { return impl_->graph().name(); }
const std::string& PlanningModel::source() const { return impl_->source; }
const std::string& PlanningModel::origin() const { return impl_->loaded.origin; }
const std::string& PlanningModel::data_note() const { return impl_->loaded.data_note; }
const std::string& PlanningModel::head_note() const { return impl_->loaded.head_note; }
const std::string& PlanningModel::data() const { return impl_->data; }
bool PlanningModel::pretrained() const { return impl_->loaded.pretrained; }
bool PlanningModel::quantized() const { return impl_->loaded.quantized; }

std::vector<EngineLayer> PlanningModel::plan(const std::string& method, const std::string& preset,
                                             const std::string& edges) const {
  const Graph& g = impl_->graph();
  return to_rows(g, edges.empty() ? make_plan(g, method, preset)
                                  : make_plan(g, method, preset, edge_policy_from_name(edges)));
}

std::vector<EngineLayer> PlanningModel::read_plan(const std::string& path) const {
  return to_rows(impl_->graph(), read_plan_file(path, impl_->graph()));
}

void PlanningModel::write_plan(const std::string& path, const std::vector<EngineLayer>& rows) const {
  const QuantPlan plan = to_plan(rows);
  validate(plan, impl_->graph());
  write_plan_file(path, plan);
}

std::vector<EngineLayer> PlanningModel::stored_plan() const {
  const Graph& g = impl_->graph();
  if (impl_->loaded.quantized) return to_rows(g, impl_->loaded.quantized_network.plan);
  return to_rows(g, make_plan(g, "nice", "fp32"));
}

namespace {

// Whether row i alone (every other layer FP32) is a valid plan.
bool valid_alone(std::vector<EngineLayer> rows, size_t i, const Graph& g) {
  for (size_t k = 0; k < rows.size(); ++k)
    if (k != i) rows[k].w_bits = rows[k].a_bits = kFpBits;
  try {
    validate(to_plan(rows), g);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// The cells of an invalid plan that make it so: each row tried alone, then with only its
// weights or only its activations at FP32.
void find_bad_cells(const std::vector<EngineLayer>& rows, const Graph& g, EngineCost& out) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (valid_alone(rows, i, g)) continue;
    std::vector<EngineLayer> w_only = rows, a_only = rows;
    w_only[i].a_bits = kFpBits;
    a_only[i].w_bits = kFpBits;
    const bool w_bad = !valid_alone(w_only, i, g), a_bad = !valid_alone(a_only, i, g);
    if (w_bad || !a_bad) out.bad_weight_rows.push_back(static_cast<int>(i));
    if (a_bad || !w_bad) out.bad_activation_rows.push_back(static_cast<int>(i));
  }
}

}  // namespace

EngineCost PlanningModel::cost(const std::vector<EngineLayer>& rows) const {
  const Graph& g = impl_->graph();
  EngineCost out;
  const QuantPlan plan = to_plan(rows);
  const ModelCost fp = bitshift::cost(g, make_plan(g, "nice", "fp32"));
  out.fp32_bops = fp.bops;
  out.fp32_weight_bits = fp.weight_bits;
  out.macs = fp.macs;
  try {
    validate(plan, g);
    const ModelCost c = bitshift::cost(g, plan);
    out.bops = c.bops;
    out.weight_bits = c.weight_bits;
  } catch (const std::exception& e) {
    out.problem = e.what();
    find_bad_cells(rows, g, out);
  }
  return out;
}

std::vector<std::string> PlanningModel::activation_only_sites(
    const std::vector<EngineLayer>& rows) const {
  const Graph& g = impl_->graph();
  std::vector<std::string> out;
  try {
    for (const auto& s : activation_sites(g, to_plan(rows)))
      if (s.readers.empty()) out.push_back(site_label(g, s.node));
  } catch (const std::exception&) {
    // an invalid plan has no sites; cost() says why
  }
  return out;
}

}  // namespace bitshift::studio
