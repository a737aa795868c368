// run_export for the studio's Export button: the same export job as `bitshift-cli export`,
// its results flattened to plain values and texts.
#include "engine/studio_engine.h"
#include "integer/export_job.h"
#include "interop/quantized_export.h"
#include "util/error.h"

namespace bitshift::studio {

namespace {

ExportOutcome export_onnx(const ExportRequest& request,
                          const std::function<bool(const ExportProgress&)>& progress) {
  if (progress && !progress({request.format == "qdq" ? "write QDQ ONNX" : "write QONNX", "", 0.1}))
    throw Error("export cancelled");
  const QuantizedExport r =
      export_checkpoint(request.checkpoint, request.data, request.format, request.out);
  ExportOutcome out;
  out.format = r.format;
  out.bundle = r.path;
  out.weight_layers = r.weight_layers;
  out.float_weights = r.float_weights;
  out.activation_sites = r.activation_sites;
  out.notes = r.notes;
  out.finn_rejects = r.finn_rejects;
  return out;
}

}  // namespace

Result<ExportOutcome> run_export(const ExportRequest& request,
                                 const std::function<bool(const ExportProgress&)>& progress) {
  return capture([&]() -> ExportOutcome {
    if (request.format != "bundle") return export_onnx(request, progress);
    ExportConfig c;
    c.checkpoint = request.checkpoint;
    c.data = request.data;
    c.out = request.out;
    c.agreement_images = request.agreement_images;
    c.fpga = request.fpga;
    auto r = bitshift::run_export(c, [&](const ExportStep& s) {
      return !progress || progress({s.stage, s.detail, s.fraction});
    });
    if (!r) throw Error(r.error());
    ExportOutcome out;
    out.bundle = r->bundle;
    out.layers = static_cast<int>(r->model.layers.size());
    out.simulated_top1 = r->agreement.simulated_top1;
    out.integer_top1 = r->agreement.integer_top1;
    out.agreement = r->agreement.agreement;
    out.agreement_images = r->agreement.images;
    out.estimate = estimate_table(r->estimate);
    out.dsps = r->estimate.dsps;
    out.luts = r->estimate.luts;
    out.ram_blocks = r->estimate.ram_blocks;
    out.fits = r->estimate.fits;
    out.verified = r->verified;
    if (r->verified) {
      out.passed = r->verification.passed();
      out.verdict = r->verification.verdict();
      out.verification = verification_text(r->verification);
      out.device = r->verification.device.name + " (" + r->verification.device.platform + ")";
    }
    return out;
  });
}

}  // namespace bitshift::studio
