// `bitshift-cli export`: a quantized checkpoint to an integer-only OpenCL bundle, verified, or
// to a quantized ONNX file for other tools (--format qdq).
#include <cstdio>
#include <filesystem>

#include "cli/common.h"
#include "integer/export_job.h"
#include "interop/quantized_export.h"

namespace bitshift::cli {

namespace {

// --format qdq|qonnx: the simulation as ONNX for other tools (interop/quantized_export.h).
int export_onnx(const std::string& format, const Args& args, const Output& out) {
  const std::string checkpoint = args.get("model", "");
  const std::string data = args.get("data", "fashion-mnist");
  const std::string path =
      args.get("out", "exports/" + std::filesystem::path(checkpoint).stem().string() + "." +
                          format + ".onnx");
  const bool qdq = format == "qdq";
  out.text("Exporting " + checkpoint + " to " + path +
           (qdq ? " (QDQ ONNX, opset 13)\n" : " (QONNX: opset 11 + qonnx.custom_op.general)\n"));
  const QuantizedExport r = export_checkpoint(checkpoint, data, format, path);
  char line[256];
  std::snprintf(line, sizeof line,
                "%lld weight layers as integer codes (%s), %lld in float, %lld activation sites "
                "(%s)\n",
                (long long)r.weight_layers, qdq ? "DequantizeLinear" : "Quant",
                (long long)r.float_weights, (long long)r.activation_sites,
                qdq ? "QuantizeLinear/DequantizeLinear" : "Quant or MultiThreshold");
  out.text(line);
  for (const auto& note : r.notes) out.text("  note: " + note + "\n");
  if (!qdq) {
    out.text(r.finn_rejects.empty()
                 ? "FINN: no layer breaks the QONNX import constraints checked here (zero point 0, "
                   "at most 8-bit activations, integer weights)\n"
                 : "FINN would refuse:\n");
    for (const auto& why : r.finn_rejects) out.text("  " + why + "\n");
  }
  out.text("model: " + r.path + " (input: the normalized image; mean and std in its metadata)\n");
  nlohmann::json j = {{"format", format},
                      {"model", r.path},
                      {"weight_layers", r.weight_layers},
                      {"float_weights", r.float_weights},
                      {"activation_sites", r.activation_sites},
                      {"notes", r.notes}};
  if (!qdq) j["finn_rejects"] = r.finn_rejects;
  out.emit(j);
  return kExitOk;
}

}  // namespace

int cmd_export(const std::vector<std::string>& argv) {
  const std::vector<OptionSpec> specs = {
      opt_model(),
      opt_data(),
      opt_threads(),
      {"format", "F",
       "bundle (default: the verified OpenCL bundle), qdq (ONNX with "
       "QuantizeLinear/DequantizeLinear, for ONNX Runtime) or qonnx (Quant nodes, for FINN "
       "and hls4ml)"},
      {"out", "PATH",
       "bundle directory (default exports/<checkpoint name>), or the .onnx file "
       "(default exports/<checkpoint name>.<format>.onnx)"},
      {"vectors", "N", "test-vector images: input + golden output of every layer (default 8)"},
      {"agreement-images", "N", "test images for integer-vs-simulation agreement (default all)"},
      {"float64-agreement", "",
       "also compare with the simulation evaluated in float64 with "
       "the bundle's weight codes (free of float32 rounding noise; "
       "slower)"},
      {"fpga", "ID", "device profile of the resource estimate (default arria10)"},
      {"vec", "N", "estimate: multipliers per lane (vector width, default 16)"},
      {"lanes", "N", "estimate: output channels in parallel (default 16)"},
      {"clock", "MHZ", "estimate: clock in MHz (default 200)"},
      {"device", "N", "OpenCL device for the verification (default 0)"},
      {"no-verify", "", "write the bundle without running it on OpenCL"},
      opt_json(),
      opt_help()};
  Args args(argv, specs);
  if (args.has("help")) {
    print_help(
        "export", "--model Q.bsck [OPTIONS]",
        "Lowers a quantized checkpoint (bitshift-cli quantize --out Q.bsck) to integer-only\n"
        "arithmetic, measures its top-1 agreement with the simulation, writes the export\n"
        "bundle (kernels, packed weights, host program, test vectors, estimate) and\n"
        "verifies it layer by layer on the OpenCL device. Exit code 1 when it differs.\n"
        "With --format qdq, writes the simulation as a QDQ ONNX model instead.",
        specs);
    return kExitOk;
  }
  const Output out(args.has("json"));
  apply_threads(args);
  const std::string format = args.get("format", "bundle");
  if (format != "bundle" && format != "qdq" && format != "qonnx")
    throw UsageError("--format must be bundle, qdq or qonnx, got '" + format + "'");
  if (format != "bundle") {
    if (args.get("model", "").empty())
      throw UsageError("export needs --model Q.bsck (a quantized checkpoint)");
    return export_onnx(format, args, out);
  }
  ExportConfig c;
  c.checkpoint = args.get("model", "");
  if (c.checkpoint.empty())
    throw UsageError("export needs --model Q.bsck (a quantized checkpoint)");
  c.data = args.get("data", "fashion-mnist");
  c.out = args.get("out", "exports/" + std::filesystem::path(c.checkpoint).stem().string());
  c.vector_images = args.get_int64("vectors", 8);
  c.agreement_images = args.get_int64("agreement-images", 0);
  c.float64_agreement = args.has("float64-agreement");
  c.fpga = args.get("fpga", "arria10");
  c.parallelism.vec = args.get_int("vec", c.parallelism.vec);
  c.parallelism.lanes = args.get_int("lanes", c.parallelism.lanes);
  c.parallelism.clock_mhz = args.get_double("clock", c.parallelism.clock_mhz);
  c.device = args.get_int("device", 0);
  c.verify = !args.has("no-verify");
  out.text("Exporting " + c.checkpoint + " to " + c.out + "\n");
  std::string last_stage;
  const auto r = run_export(c, [&](const ExportStep& s) {
    if (!out.json() && s.stage != last_stage) std::fprintf(stderr, "  %s...\n", s.stage.c_str());
    last_stage = s.stage;
    return true;
  });
  if (!r) throw Error(r.error());

  const Agreement& a = r->agreement;
  char line[512];
  std::snprintf(line, sizeof line,
                "integer model: %zu layers (%s)\n"
                "agreement on %lld test images: simulated top-1 %.2f %%, integer top-1 %.2f %%, "
                "same class %.2f %% (%lld differ; integers run by the %s)\n",
                r->model.layers.size(), r->model.method.c_str(), (long long)a.images,
                a.simulated_top1, a.integer_top1, a.agreement, (long long)a.disagreements,
                a.executor.c_str());
  out.text(line);
  if (a.float64_images > 0) {
    std::snprintf(
        line, sizeof line,
        "  against the simulation evaluated in float64: same class %.2f %% (%lld differ)\n",
        a.float64_agreement, (long long)a.float64_disagreements);
    out.text(line);
  }
  for (const auto& note : r->model.notes) out.text("  note: " + note + "\n");
  out.text(estimate_table(r->estimate));
  nlohmann::json j = {{"bundle", r->bundle},
                      {"layers", r->model.layers.size()},
                      {"agreement",
                       {{"images", a.images},
                        {"simulated_top1", a.simulated_top1},
                        {"integer_top1", a.integer_top1},
                        {"agreement", a.agreement},
                        {"disagreements", a.disagreements},
                        {"executor", a.executor}}},
                      {"estimate", estimate_json(r->estimate)}};
  if (a.float64_images > 0) {
    j["agreement"]["float64_agreement"] = a.float64_agreement;
    j["agreement"]["float64_disagreements"] = a.float64_disagreements;
  }
  int code = kExitOk;
  if (r->verified) {
    out.text(verification_text(r->verification));
    j["verification"] = verification_json(r->verification);
    if (!r->verification.passed()) code = kExitCheckFailed;
  } else {
    out.text("verification skipped (--no-verify)\n");
  }
  out.text("bundle: " + r->bundle + "\n");
  out.emit(j);
  return code;
}

}  // namespace bitshift::cli
