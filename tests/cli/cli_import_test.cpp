// bitshift-cli on models from outside: --model FILE.onnx|FILE.pt as a user passes it
// (fixtures written by the real exporters, tests/core/import/make_fixtures.py).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "cli_run.h"

namespace {

TEST(CliImport, SummaryOfAnOnnxModelUsesItsLayerNamesAndOps) {
  const CliRun r = cli("summary --json --model " + fixture("usernet.onnx"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  std::map<std::string, std::string> op_of;
  for (const auto& l : j.at("layers")) op_of[l.at("name")] = l.at("op");
  EXPECT_EQ(op_of["conv_wide"], "conv2d");
  EXPECT_EQ(op_of["se_reduce"], "conv2d");
  EXPECT_EQ(op_of["hardswish"], "hardswish");
  EXPECT_EQ(op_of["silu"], "silu");
  EXPECT_EQ(op_of["fc"], "linear");
}

TEST(CliImport, TorchScriptModelQuantizesWithNiceAndReloadsAsACheckpoint) {
  const std::string out = tmp("usernet-nice.bsck");
  std::filesystem::remove(out);
  const CliRun q = cli("quantize --json --model " + fixture("usernet.pt") +
                       " --method nice --bits w4a4 --layer conv1=8/8 --epochs 1"
                       " --train-limit 512 --test-limit 256 --out " +
                       out);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  const auto jq = nlohmann::json::parse(q.out);
  ASSERT_TRUE(std::filesystem::exists(out));
  // The run record says where the model came from.
  EXPECT_EQ(jq.at("config").at("origin").at("format"), "torchscript");
  EXPECT_EQ(jq.at("config").at("origin").at("sha256").get<std::string>().size(), 64u);
  // The saved checkpoint evaluates to the accuracy quantize reported, on the same images.
  const CliRun e = cli("eval --json --test-limit 256 --model " + out);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const auto je = nlohmann::json::parse(e.out);
  EXPECT_DOUBLE_EQ(je.at("top1").get<double>(), jq.at("top1").get<double>());
}

// UserNet (make_fixtures.py) quantized min/max w8a8 with `extra` options, written to `name`.
int quantize_usernet(const std::string& name, const std::string& extra = "") {
  return cli("quantize --model " + fixture("usernet.onnx") + " --method minmax --bits w8a8" +
             " --edges quantized " + extra +
             " --epochs 1 --train-limit 256 --test-limit 64 --out " + tmp(name))
      .exit_code;
}

TEST(CliImport, AUsersOwnCnnExportsAndVerifies) {
  // UserNet: a 3x5 conv, dilation 2, ceil-mode max pools, an average pool leaving padding out of
  // its divisor, clamp(-1, 1), a squeeze-excitation gate and a residual add.
  const std::string q = tmp("usernet-w8a8.bsck");
  ASSERT_EQ(quantize_usernet("usernet-w8a8.bsck"), 0);
  const std::string bundle = tmp("usernet-bundle");
  std::filesystem::remove_all(bundle);
  const CliRun r = cli("export --model " + q + " --agreement-images 200 --out " + bundle);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("PASS: all"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("avgpool"), std::string::npos) << r.out;  // the uneven average pool
}

TEST(CliImport, ExportOfALayerReadingFullPrecisionValuesNamesLayerAndFlag) {
  const std::string q = tmp("usernet-fp-conv.bsck");
  ASSERT_EQ(quantize_usernet("usernet-fp-conv.bsck", "--layer conv_wide=32/32"), 0);
  const std::string bundle = tmp("usernet-fp-bundle");
  std::filesystem::remove_all(bundle);
  const CliRun r = cli("export --model " + q + " --out " + bundle);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot lower 'conv_wide' (conv2d)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--layer conv_wide=8/8"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(bundle + "/MANIFEST.json"));
}

// The QDQ ONNX form keeps full-precision layers as float weights (the bundle cannot), so a plan
// the bundle refuses still leaves for ONNX Runtime.
TEST(CliImport, AUsersOwnCnnLeavesAsQdqOnnxFullPrecisionLayerIncluded) {
  const std::string q = tmp("usernet-fp-qdq.bsck");
  ASSERT_EQ(quantize_usernet("usernet-fp-qdq.bsck", "--layer conv_wide=32/32"), 0);
  const std::string onnx = tmp("usernet-qdq/usernet.onnx");
  std::filesystem::remove_all(tmp("usernet-qdq"));
  const CliRun r = cli("export --format qdq --model " + q + " --out " + onnx + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("format"), "qdq");
  EXPECT_EQ(j.at("model"), onnx);
  EXPECT_EQ(j.at("float_weights"), 1);  // conv_wide
  EXPECT_GE(j.at("weight_layers").get<int>(), 3);
  EXPECT_GE(j.at("activation_sites").get<int>(), 3);
  EXPECT_GT(std::filesystem::file_size(onnx), 1000u);

  // QONNX: the same, with what a FINN flow would refuse named by layer.
  const std::string qonnx = tmp("usernet-qdq/usernet.qonnx.onnx");
  const CliRun rq = cli("export --format qonnx --model " + q + " --out " + qonnx + " --json");
  ASSERT_EQ(rq.exit_code, 0) << rq.err;
  const auto jq = nlohmann::json::parse(rq.out);
  EXPECT_EQ(jq.at("format"), "qonnx");
  const std::string rejects = jq.at("finn_rejects").dump();
  EXPECT_NE(rejects.find("layer 'conv_wide': full-precision weights"), std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find("zero point"), std::string::npos) << rejects;  // min/max input
  EXPECT_TRUE(std::filesystem::exists(qonnx));

  const CliRun bad = cli("export --format tflite --model " + q);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--format must be bundle, qdq or qonnx, got 'tflite'"), std::string::npos)
      << bad.err;
}

TEST(CliImport, TorchvisionMobileNetV2QuantizesWithNiceOnFashionMnistFittedToItsInput) {
  // MobileNetV2 (width 0.5) exported for 3x64x64: Fashion-MNIST's 1x28x28 images are resized
  // and replicated to its input; a few NICE steps run and the cost shrinks.
  const std::string out = tmp("mobilenet_v2-nice.bsck");
  const CliRun r = cli("quantize --json --model " + fixture("mobilenet_v2.onnx") +
                       " --method nice --bits w4a4 --layer features.0.0=8/8 --epochs 1"
                       " --train-limit 256 --test-limit 128 --out " +
                       out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("fashion-mnist 1x28x28 fitted to the model's 3x64x64"), std::string::npos)
      << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("config").at("origin").at("format"), "onnx");
  EXPECT_LT(j.at("bops").get<double>(), j.at("fp32_bops").get<double>() / 10);
  const auto plan = j.at("config").at("plan").at("layers");
  bool first_layer_at_8 = false;
  for (const auto& l : plan)
    if (l.at("layer") == "features.0.0") first_layer_at_8 = l.at("w_bits") == 8;
  EXPECT_TRUE(first_layer_at_8) << plan.dump();
}

TEST(CliImport, ImportedModelQuantizesWithNiceLsqAndMinMax) {
  for (const char* method : {"nice", "lsq", "minmax"}) {
    SCOPED_TRACE(method);
    const CliRun r =
        cli("quantize --json --model " + fixture("usernet.onnx") + " --method " + method +
            " --bits w4a4 --epochs 1 --train-limit 256 --test-limit 128 --out " +
            tmp(std::string("usernet-") + method + ".bsck"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("config").at("method"), method);
    // Every layer at 4 bits: BOPs well under a fifth of FP32's (UNIQ's formula, 32 -> 4 bits).
    EXPECT_LT(j.at("bops").get<double>(), j.at("fp32_bops").get<double>() / 5);
    EXPECT_GE(j.at("top1").get<double>(), 0.0);
  }
}

TEST(CliImport, TorchScriptFileIsReadAtTheInputShapeGiven) {
  // A traced file records no input shape: at Fashion-MNIST's 1x28x28 its first conv does not fit.
  const CliRun bare = cli("summary --json --model " + fixture("resnet18.pt"));
  EXPECT_EQ(bare.exit_code, 2);
  const CliRun r = cli("summary --json --model " + fixture("resnet18.pt") + " --input 3x64x64");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("input"), "3x64x64");
  const CliRun bad = cli("summary --model " + fixture("resnet18.pt") + " --input 3x64");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--input '3x64' is not CxHxW"), std::string::npos) << bad.err;
}

TEST(CliImport, BrokenModelFileExits2NamingIt) {
  const std::string bad = tmp("broken.onnx");
  FILE* f = std::fopen(bad.c_str(), "wb");
  std::fputs("this is not a model", f);
  std::fclose(f);
  const CliRun r = cli("summary --model " + bad);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
}

}  // namespace
