// Export bundles: the writer and the standalone reader agree on every field,
// the packed weight layout matches hand-written bytes, and a missing, truncated
// or tampered file is refused with the file named.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "../requant_expect.h"
#include "../test_util.h"
#include "bundle_test_util.h"
#include "deploy/bundle_sources.h"
#include "deploy/bundle_writer.h"
#include "deploy/host/bundle_check.h"
#include "deploy/host/bundle_reader.h"
#include "deploy/host/codec.h"
#include "deploy/host/json_lite.h"
#include "deploy/kernel_sources.h"
#include "deploy/manifest.h"
#include "integer/reference_executor.h"

namespace bitshift {
namespace {

namespace fs = std::filesystem;
using namespace bitshift::testing;

void expect_same_model(const IntegerModel& a, const IntegerModel& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.num_classes, b.num_classes);
  EXPECT_EQ(a.notes, b.notes);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    const IntLayer &x = a.layers[i], &y = b.layers[i];
    SCOPED_TRACE("layer " + std::to_string(i) + " '" + x.name + "'");
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.c, y.c);
    EXPECT_EQ(x.h, y.h);
    EXPECT_EQ(x.w, y.w);
    EXPECT_TRUE(x.window == y.window);
    EXPECT_EQ(x.groups, y.groups);
    EXPECT_EQ(x.w_bits, y.w_bits);
    EXPECT_EQ(x.weights, y.weights);
    EXPECT_EQ(x.table, y.table);
    EXPECT_EQ(x.bias, y.bias);
    expect_same_requant(x.requant, y.requant);
    EXPECT_EQ(x.runs, y.runs);
    EXPECT_EQ(x.scale,
              y.scale);  // exact: doubles are written with round-trip precision
    EXPECT_EQ(x.min_value, y.min_value);
    EXPECT_EQ(x.max_value, y.max_value);
  }
}

// A bundle of the small model, written by write_bundle; returns its directory.
std::string write_small_bundle(const std::string& name, const IntegerModel& m) {
  const std::string dir = fresh_dir(name);
  const IntTensor input = small_input(m);
  write_bundle(dir, m, input, run_reference(m, input),
               {{"estimate.txt", "LUTs: 1234\n"}, {"agreement.json", "{\"agreement\": 100}\n"}});
  return dir;
}

std::string load_error(const std::string& dir) {
  return runtime_error_of([&] { load_bundle(dir); });
}

TEST(BundleCodec, FourBitCodesPackTwoPerByteLowNibbleFirst) {
  EXPECT_EQ(pack_weight_codes({1, -2, 7}, 4, false), std::string("\xE1\x07", 2));
  EXPECT_EQ(pack_weight_codes({-8, 0, -1, 3}, 2, false), std::string("\x08\x3F", 2));
  EXPECT_EQ(pack_weight_codes({3, 15, 0}, 4, true), std::string("\xF3\x00", 2));
  EXPECT_EQ(pack_weight_codes({-1, 5, -128}, 8, false), std::string("\xFF\x05\x80", 3));
  EXPECT_EQ(pack_weight_codes({200, 0}, 6, true), std::string("\xC8\x00", 2));
  EXPECT_EQ(pack_weight_codes({-2, 258}, 12, false),
            std::string("\xFE\xFF\xFF\xFF\x02\x01\x00\x00", 8));
  EXPECT_EQ(unpack_weight_codes(std::string("\xE1\x07", 2), 3, 4, false),
            (std::vector<int32_t>{1, -2, 7}));
  EXPECT_EQ(unpack_weight_codes(std::string("\xF3\x00", 2), 3, 4, true),
            (std::vector<int32_t>{3, 15, 0}));
  EXPECT_EQ(unpack_weight_codes(std::string("\xFF\x05\x80", 3), 3, 8, false),
            (std::vector<int32_t>{-1, 5, -128}));
  EXPECT_EQ(unpack_weight_codes(std::string("\xC8", 1), 1, 8, true), (std::vector<int32_t>{200}));
  EXPECT_STREQ(weight_encoding(1, false), "int4");
  EXPECT_STREQ(weight_encoding(5, true), "uint8");
  EXPECT_STREQ(weight_encoding(9, false), "int32");
}

TEST(BundleCodec, CodeOutsideItsEncodingIsRefusedWithItsIndex) {
  EXPECT_CONTAINS(runtime_error_of([] {
                    pack_weight_codes({1, 8}, 4, false);
                  }),
                  "weight code 8 at index 1 does not fit int4 [-8, 7]");
  EXPECT_CONTAINS(runtime_error_of([] { pack_weight_codes({-1}, 3, true); }),
                  "weight code -1 at index 0 does not fit uint4 [0, 15]");
}

TEST(BundleCodec, LittleEndianArraysRoundTrip) {
  std::string b;
  append_le32(b, {1, -1, INT32_MIN});
  EXPECT_EQ(b, std::string("\x01\x00\x00\x00\xFF\xFF\xFF\xFF\x00\x00\x00\x80", 12));
  EXPECT_EQ(read_le32(b, 4, 2), (std::vector<int32_t>{-1, INT32_MIN}));
  std::string c;
  append_le64(c, {-(int64_t{1} << 40), INT64_MAX});
  EXPECT_EQ(read_le64(c, 0, 2), (std::vector<int64_t>{-(int64_t{1} << 40), INT64_MAX}));
  EXPECT_THROW(read_le32(b, 8, 2), std::runtime_error);
}

TEST(Bundle, RoundTripGivesTheIdenticalModelAndVectors) {
  const IntegerModel m = small_model();
  const std::string dir = write_small_bundle("roundtrip", m);
  const LoadedBundle b = load_bundle(dir);
  expect_same_model(m, b.model);
  for (size_t i = 0; i < m.layers.size(); ++i) {  // the bytes the runtime uploads
    const IntLayer& L = m.layers[i];
    EXPECT_EQ(b.model.layers[i].packed_weights,
              L.weights.empty() ? "" : pack_weight_codes(L.weights, L.w_bits, !L.table.empty()))
        << L.name;
  }
  const IntTensor input = small_input(m);
  const std::vector<IntTensor> golden = run_reference(m, input);
  EXPECT_EQ(b.input.n, input.n);
  EXPECT_EQ(b.input.values, input.values);
  ASSERT_EQ(b.golden.size(), golden.size());
  for (size_t i = 0; i < golden.size(); ++i) {
    EXPECT_EQ(b.golden[i].n, golden[i].n) << i;
    EXPECT_EQ(b.golden[i].values, golden[i].values) << i;
  }
  EXPECT_EQ(b.golden_files[0], "testvectors/input.bin");
  EXPECT_EQ(b.golden_files[2], "testvectors/layer1.0_dw.bin");  // '/' made safe
  // The kernels, in their build order, as the runtime gets them.
  ASSERT_EQ(b.kernel_files.size(), kernel_files().size());
  std::string concatenated;
  for (const KernelFile& k : kernel_files()) {
    concatenated += k.source;
    if (concatenated.back() != '\n') concatenated += '\n';
  }
  EXPECT_EQ(b.kernel_source, concatenated);
  // The loaded model computes the golden vectors again.
  const CheckReport again =
      check_bundle(b, [&](const IntTensor& x) { return run_reference(b.model, x); });
  EXPECT_TRUE(again.passed()) << format_check(again);
}

TEST(Bundle, CarriesFormatHostProgramKernelsAndReports) {
  const std::string dir = write_small_bundle("layout", small_model());
  for (const char* f :
       {"MANIFEST.json", "FORMAT.md", "network.json", "weights.bin", "tables.bin", "bias.bin",
        "requant.bin", "host/CMakeLists.txt", "host/main.cpp", "host/bundle_reader.cpp",
        "host/opencl_runtime.cpp", "host/integer/integer_model.h", "testvectors/index.json",
        "testvectors/input.bin", "testvectors/fc2.bin", "reports/estimate.txt",
        "reports/agreement.json"})
    EXPECT_TRUE(fs::exists(fs::path(dir) / f)) << f;
  for (const KernelFile& k : kernel_files())
    EXPECT_EQ(slurp(dir + "/device/" + k.name), k.source) << k.name;
  for (const BundleSourceFile& f : bundle_source_files())
    EXPECT_EQ(slurp(dir + "/" + f.path), f.contents) << f.path;
  const json_lite::Value manifest = json_lite::parse(slurp(dir + "/MANIFEST.json"));
  EXPECT_EQ(manifest.at("endianness").as_string(), "little");
  EXPECT_EQ(manifest.at("schema_version").as_int(), kBundleSchemaVersion);
  EXPECT_EQ(manifest.at("model").as_string(), "tiny \"net\"");
  EXPECT_GE(manifest.at("contract").as_array().size(), 5u);
  EXPECT_TRUE(manifest.at("verified_on").is_null());
  bool estimate_hashed = false;
  for (const json_lite::Value& f : manifest.at("files").as_array())
    estimate_hashed |= f.at("path").as_string() == "reports/estimate.txt";
  EXPECT_TRUE(estimate_hashed);
  EXPECT_NE(slurp(dir + "/FORMAT.md").find("two codes per byte"), std::string::npos);
}

TEST(Bundle, WeightsSitAtTheOffsetsNetworkJsonGives) {
  const IntegerModel m = small_model();
  const std::string dir = write_small_bundle("offsets", m);
  const json_lite::Value net = json_lite::parse(slurp(dir + "/network.json"));
  const std::string weights = slurp(dir + "/weights.bin");
  const std::vector<json_lite::Value>& layers = net.at("layers").as_array();
  const json_lite::Value& conv1 = layers[1].at("weights");
  EXPECT_EQ(conv1.at("type").as_string(), "int4");
  EXPECT_EQ(conv1.at("count").as_int(), 135);
  EXPECT_EQ(conv1.at("bytes").as_int(), 68);
  const size_t at = static_cast<size_t>(conv1.at("offset").as_int());
  const std::vector<int32_t>& w = m.layers[1].weights;
  // By hand: element 0 in the low nibble, two's complement nibbles, last byte
  // half filled.
  EXPECT_EQ(static_cast<uint8_t>(weights[at]), ((w[0] & 15) | (w[1] & 15) << 4));
  EXPECT_EQ(static_cast<uint8_t>(weights[at + 67]), (w[134] & 15));
  const json_lite::Value& dw = layers[2].at("weights");
  EXPECT_EQ(dw.at("type").as_string(), "uint4");
  EXPECT_EQ(dw.at("offset").as_int() % 8, 0);  // arrays start 8-byte aligned
  const std::vector<int32_t>& d = m.layers[2].weights;
  EXPECT_EQ(static_cast<uint8_t>(weights[static_cast<size_t>(dw.at("offset").as_int())]),
            d[0] | d[1] << 4);
  EXPECT_EQ(layers[5].at("weights").at("type").as_string(), "int8");
  EXPECT_EQ(layers[7].at("weights").at("type").as_string(), "uint8");
  EXPECT_EQ(layers[8].at("weights").at("type").as_string(), "int32");
  // requant offsets are int64 LE in requant.bin.
  const json_lite::Value& off = layers[1].at("requant").at("offset");
  EXPECT_EQ(off.at("type").as_string(), "int64");
  EXPECT_EQ(
      read_le64(slurp(dir + "/requant.bin"), static_cast<size_t>(off.at("offset").as_int()), 5),
      m.layers[1].requant.offset);
}

TEST(Bundle, TamperedWeightsByteIsRefusedNamingTheFile) {
  const std::string dir = write_small_bundle("tampered", small_model());
  std::string w = slurp(dir + "/weights.bin");
  w[3] = static_cast<char>(w[3] ^ 0x10);
  spit(dir + "/weights.bin", w);
  const std::string e = load_error(dir);
  EXPECT_CONTAINS(e, "weights.bin: sha256 mismatch (MANIFEST says ");
  EXPECT_CONTAINS(e, ", file has ");
}

TEST(Bundle, TruncatedTestVectorIsRefusedNamingTheFile) {
  const std::string dir = write_small_bundle("truncated", small_model());
  const std::string path = "testvectors/conv1.bin";
  const std::string v = slurp(dir + "/" + path);
  ASSERT_EQ(v.size(), 3u * 5 * 7 * 7 * 4);
  spit(dir + "/" + path, v.substr(0, v.size() - 100));
  EXPECT_CONTAINS(load_error(dir), "testvectors/conv1.bin: 2840 bytes, MANIFEST says 2940");
  // Even re-hashed, its size must match its shape.
  rehash(dir, path);
  EXPECT_CONTAINS(load_error(dir),
                  "testvectors/conv1.bin: 2840 bytes, expected 2940 (3x5x7x7 int32)");
}

TEST(Bundle, FileWithoutManifestEntryIsRefused) {
  const std::string dir = write_small_bundle("unlisted", small_model());
  std::string manifest = slurp(dir + "/MANIFEST.json");
  const size_t at = manifest.find("\"path\": \"weights.bin\"");
  ASSERT_NE(at, std::string::npos);
  manifest.replace(at, 21,
                   "\"path\": \"weights.old\"");  // the entry no longer names it
  spit(dir + "/MANIFEST.json", manifest);
  fs::copy_file(dir + "/weights.bin", dir + "/weights.old");
  EXPECT_CONTAINS(load_error(dir), "weights.bin: not listed in MANIFEST.json");
}

TEST(Bundle, MissingFilesAreRefusedNamingThem) {
  const std::string dir = write_small_bundle("missing", small_model());
  fs::remove(dir + "/bias.bin");
  EXPECT_CONTAINS(load_error(dir), "bias.bin: listed in MANIFEST.json but missing");
  fs::remove(dir + "/MANIFEST.json");
  EXPECT_CONTAINS(load_error(dir), "MANIFEST.json: missing in '");
  EXPECT_CONTAINS(load_error(dir + "/nonexistent"), "MANIFEST.json: missing");
}

TEST(Bundle, ManifestPathsCannotLeaveTheBundle) {
  const std::string dir = write_small_bundle("escape", small_model());
  std::string manifest = slurp(dir + "/MANIFEST.json");
  const size_t at = manifest.find("\"path\": \"bias.bin\"");
  manifest.replace(at, 18, "\"path\": \"../bias.bin\"");
  spit(dir + "/MANIFEST.json", manifest);
  EXPECT_CONTAINS(load_error(dir), "MANIFEST.json: file path '../bias.bin' is not a plain path");
}

TEST(Bundle, BadManifestJsonNamesFileAndByte) {
  const std::string dir = write_small_bundle("badjson", small_model());
  spit(dir + "/MANIFEST.json", "{\"schema\": \"bitshift-bundle\",, }");
  EXPECT_CONTAINS(load_error(dir), "MANIFEST.json: JSON: expected a string key at byte 29");
}

TEST(Bundle, NetworkStructureErrorsNameTheLayer) {
  const std::string dir = write_small_bundle("structure", small_model());
  std::string net = slurp(dir + "/network.json");
  const size_t at = net.find("\"inputs\": [\n        3\n      ]");  // the pool's input
  ASSERT_NE(at, std::string::npos) << net.substr(0, 2000);
  net.replace(at, 29, "\"inputs\": [\n        6\n      ]");
  spit(dir + "/network.json", net);
  rehash(dir, "network.json");
  EXPECT_CONTAINS(load_error(dir), "network.json: layer 4 'pool': input 6 is not an earlier layer");
}

TEST(Bundle, ReaderAndWriterRefuseWhatTheOpsOwnChecksRefuse) {
  IntegerModel m = small_model();
  m.layers[4].requant.requantized = true;  // the max pool
  EXPECT_CONTAINS(error_of([&] { write_small_bundle("pool-requant", m); }),
                  "layer 4 'pool': 'maxpool' is never requantized");
  // The same flag set by hand in a written bundle.
  const std::string dir = write_small_bundle("pool-requant-edit", small_model());
  std::string net = slurp(dir + "/network.json");
  const size_t pool = net.find("\"name\": \"pool\"");
  ASSERT_NE(pool, std::string::npos);
  const size_t flag = net.find("\"requantized\": false", pool);
  ASSERT_NE(flag, std::string::npos);
  net.replace(flag, 20, "\"requantized\": true");
  spit(dir + "/network.json", net);
  rehash(dir, "network.json");
  EXPECT_CONTAINS(load_error(dir), "network.json: layer 4 'pool': 'maxpool' is never requantized");
}

TEST(Bundle, DeclaredValueRangesMustBeWhatTheOpsProve) {
  const std::string dir = write_small_bundle("range-edit", small_model());
  std::string net = slurp(dir + "/network.json");
  const size_t conv = net.find("\"name\": \"conv1\"");
  ASSERT_NE(conv, std::string::npos);
  const size_t range = net.find("\"max_value\": 15", conv);  // requantized onto 0..15
  ASSERT_NE(range, std::string::npos);
  net.replace(range, 16, "\"max_value\": 14");
  spit(dir + "/network.json", net);
  rehash(dir, "network.json");
  EXPECT_CONTAINS(load_error(dir),
                  "network.json: layer 1 'conv1': declares values in [0, 14], "
                  "its op proves [0, 15]");
}

TEST(Bundle, HugeCountsAreRefusedBeforeAnythingIsAllocated) {
  const std::string dir = write_small_bundle("huge", small_model());
  std::string net = slurp(dir + "/network.json");
  const size_t at = net.find("\"count\": 135");
  ASSERT_NE(at, std::string::npos);
  net.replace(at, 12, "\"count\": 4611686018427387904");
  spit(dir + "/network.json", net);
  rehash(dir, "network.json");
  EXPECT_CONTAINS(load_error(dir),
                  "network.json: layer 1 'conv1': weights: offset, bytes or count outside 0..2^40");
}

TEST(Bundle, WriteReplacesAnExistingBundleOnlyWhenComplete) {
  IntegerModel m = small_model();
  const std::string dir = write_small_bundle("replace", m);
  const std::string before = slurp(dir + "/MANIFEST.json");
  IntegerModel bad = m;
  bad.layers[1].weights[17] = 8;  // does not fit int4
  const IntTensor input = small_input(m);
  const std::vector<IntTensor> golden = run_reference(m, input);
  EXPECT_CONTAINS(error_of([&] { write_bundle(dir, bad, input, golden, {}); }),
                  "layer 'conv1': weight code 8 at index 17 does not fit int4 [-8, 7]");
  EXPECT_EQ(slurp(dir + "/MANIFEST.json"), before);
  EXPECT_CONTAINS(error_of([&] {
                    write_bundle(dir, m, input, golden, {{"../x", ""}});
                  }),
                  "report name '../x' is not a plain file name");
  EXPECT_CONTAINS(error_of([&] {
                    write_bundle(dir, m, input, golden, {{"verification.txt", ""}});
                  }),
                  "reserved for verify");
  std::vector<IntTensor> short_golden(golden.begin(), golden.end() - 1);
  EXPECT_CONTAINS(error_of([&] { write_bundle(dir, m, input, short_golden, {}); }),
                  "8 golden tensors for 9 layers");
  EXPECT_EQ(slurp(dir + "/MANIFEST.json"), before);
  m.name = "renamed";
  write_bundle(dir + "/", m, input, golden, {});  // a trailing '/' names the same bundle
  EXPECT_EQ(load_bundle(dir).model.name, "renamed");
  EXPECT_FALSE(fs::exists(dir + "/reports/estimate.txt"));  // the old bundle is gone entirely
  for (const auto& e : fs::directory_iterator(fs::path(dir).parent_path()))
    EXPECT_EQ(e.path().filename().string().find(fs::path(dir).filename().string() + "."),
              std::string::npos)
        << "left behind: " << e.path();
}

TEST(Bundle, WriterNeverReplacesADirectoryThatIsNotABundle) {
  const std::string dir = fresh_dir("not-a-bundle");
  fs::create_directories(dir);
  spit(dir + "/thesis.tex", "precious");
  const IntegerModel m = small_model();
  const IntTensor input = small_input(m);
  EXPECT_CONTAINS(error_of([&] { write_bundle(dir, m, input, run_reference(m, input), {}); }),
                  "exists and is not an export bundle (no MANIFEST.json); refusing to replace it");
  EXPECT_EQ(slurp(dir + "/thesis.tex"), "precious");
}

TEST(BundleCheck, ReportsTheFirstMismatchAtItsPosition) {
  const IntegerModel m = small_model();
  const IntTensor input = small_input(m);
  const std::vector<IntTensor> golden = run_reference(m, input);
  std::vector<IntTensor> got = golden;
  // Sample 2, channel 3, row 4, column 5 of the add (5x7x7), and one more later
  // on.
  const size_t at = ((2 * 5 + 3) * 7 + 4) * 7 + 5;
  got[3].values[at] += 1;
  got[3].values[at + 1] -= 1;
  const CheckReport r = compare_layers(m, got, golden);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.mismatches(), 2);
  EXPECT_EQ(r.layers_differing(), 1);
  const Mismatch* first = r.first_mismatch();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->layer, 3);
  EXPECT_EQ(first->name, "add");
  EXPECT_EQ(first->n, 2);
  EXPECT_EQ(first->c, 3);
  EXPECT_EQ(first->y, 4);
  EXPECT_EQ(first->x, 5);
  EXPECT_EQ(first->got, golden[3].values[at] + 1);
  EXPECT_EQ(first->expected, golden[3].values[at]);
  const std::string text = format_check(r);
  EXPECT_CONTAINS(text, "add");
  EXPECT_CONTAINS(text, "MISMATCH: 2 of 735 values differ");
  EXPECT_CONTAINS(text, "n=2 c=3 y=4 x=5");
  EXPECT_CONTAINS(text, "FAIL: 1 of 9 layers differ");
  got.pop_back();
  EXPECT_CONTAINS(compare_layers(m, got, golden).layers.back().error, "no output");
  EXPECT_TRUE(compare_layers(m, golden, golden).passed());
}

TEST(Bundle, InputPixelCodesAreAnInt32TableInTablesBin) {
  IntegerModel m = small_model();
  add_pixel_codes(m);
  const std::string dir = write_small_bundle("pixels", m);
  const json_lite::Value net = json_lite::parse(slurp(dir + "/network.json"));
  const json_lite::Value& px = net.at("input_pixels");
  EXPECT_DOUBLE_EQ(px.at("std").as_array()[1].as_double(), 0.3);
  const json_lite::Value& ref = px.at("codes");
  EXPECT_EQ(ref.at("file").as_string(), "tables.bin");
  EXPECT_EQ(ref.at("type").as_string(), "int32");
  ASSERT_EQ(ref.at("count").as_int(), 3 * 256);
  const std::string tables = slurp(dir + "/tables.bin");
  const auto codes = read_le32(tables, static_cast<size_t>(ref.at("offset").as_int()), 3 * 256);
  EXPECT_EQ(codes[0], 0);             // channel 0, pixel 0
  EXPECT_EQ(codes[255], 15);          // channel 0, pixel 255
  EXPECT_EQ(codes[256 + 15], 1);      // channel 1, pixel 15: (15 + 1) / 16
  EXPECT_EQ(codes[2 * 256 + 13], 0);  // channel 2, pixel 13: (13 + 2) / 16
  // The bundle still loads, with the codes, and its other tables are where they were.
  const LoadedBundle b = load_bundle(dir);
  expect_same_model(m, b.model);
  EXPECT_EQ(b.model.pixels.codes, m.pixels.codes);
  EXPECT_EQ(b.model.pixels.std, m.pixels.std);
  m.pixels.codes[2][200] = 99;  // the input layer's codes are 0..15
  EXPECT_CONTAINS(error_of([&] { load_bundle(write_small_bundle("pixels-wide", m)); }),
                  "input_pixels: code 99 of pixel 200 (channel 2) outside the input's [0, 15]");
  m.pixels.codes[1].pop_back();
  EXPECT_CONTAINS(error_of([&] { write_small_bundle("pixels-short", m); }),
                  "pixel codes need 256 values per channel, got 255");
}


namespace {

// Folders beside `dir` whose names start with its name + ".tmp-" (unfinished bundles).
int temporaries_beside(const std::string& dir) {
  int n = 0;
  const std::string prefix = fs::path(dir).filename().string() + ".tmp-";
  for (const auto& e : fs::directory_iterator(fs::path(dir).parent_path()))
    n += e.path().filename().string().rfind(prefix, 0) == 0;
  return n;
}

}  // namespace

TEST(Bundle, BeforePublishSeesTheWholeBundleUnderItsTemporaryNameAndItsThrowPublishesNothing) {
  const IntegerModel m = small_model();
  const IntTensor input = small_input(m);
  const std::string dir = fresh_dir("publish-check");
  fs::remove_all(dir);
  std::string seen;
  write_bundle(dir, m, input, run_reference(m, input), {}, [&](const std::string& tmp) {
    seen = tmp;
    EXPECT_FALSE(fs::exists(dir)) << "published before the check";
    EXPECT_NO_THROW(load_bundle(tmp));  // complete: what is checked is what is published
  });
  EXPECT_NE(seen.find(".tmp-"), std::string::npos) << seen;
  EXPECT_NO_THROW(load_bundle(dir));
  const std::string published = slurp(dir + "/MANIFEST.json");

  // A cancel (or a failed check) in before_publish: the old bundle stays, byte for byte, and
  // no temporary folder is left.
  const IntegerModel other = small_model(8);
  EXPECT_THROW(write_bundle(dir, other, small_input(other), run_reference(other, small_input(other)), {},
                            [](const std::string&) { throw Error("export cancelled"); }),
               Error);
  EXPECT_EQ(slurp(dir + "/MANIFEST.json"), published);
  EXPECT_EQ(temporaries_beside(dir), 0);

  // Without an old bundle, nothing at all.
  const std::string fresh = fresh_dir("publish-cancelled");
  fs::remove_all(fresh);
  EXPECT_THROW(write_bundle(fresh, m, input, run_reference(m, input), {},
                            [](const std::string&) { throw Error("export cancelled"); }),
               Error);
  EXPECT_FALSE(fs::exists(fresh));
  EXPECT_EQ(temporaries_beside(fresh), 0);
}


TEST(Bundle, ASymlinkedFileWithItsHashUpdatedIsRefusedNamingIt) {
  const std::string dir = write_small_bundle("link-format", small_model());
  const std::string outside = dir + "-outside.md";
  spit(outside, "root:x:0:0:root:/root:/bin/bash\n");
  fs::remove(dir + "/FORMAT.md");
  fs::create_symlink(outside, dir + "/FORMAT.md");
  rehash(dir, "FORMAT.md");  // the attacker updated the hash too
  EXPECT_CONTAINS(load_error(dir), "FORMAT.md: is a symbolic link");
  fs::remove(outside);
}

TEST(Bundle, ASymlinkedFolderIsRefusedBeforeAnythingIsWrittenThrough) {
  const std::string dir = write_small_bundle("link-reports", small_model());
  const std::string elsewhere = dir + "-elsewhere";
  fs::create_directories(elsewhere);
  fs::rename(dir + "/reports", elsewhere + "/reports");
  fs::create_symlink(elsewhere + "/reports", dir + "/reports");
  EXPECT_CONTAINS(load_error(dir), "reports: is a symbolic link");
  fs::remove_all(elsewhere);
}

TEST(Bundle, AFifoOrAGiantAsABundleFileIsRefusedWithoutReadingIt) {
  const std::string dir = write_small_bundle("fifo-weights", small_model());
  fs::remove(dir + "/weights.bin");
  ASSERT_EQ(::mkfifo((dir + "/weights.bin").c_str(), 0600), 0);
  EXPECT_CONTAINS(load_error(dir), "weights.bin: is not a regular file");  // no hang

  const std::string big = write_small_bundle("giant-weights", small_model());
  fs::resize_file(big + "/weights.bin", 8ULL << 30);  // sparse: 8 GiB declared by the file system
  EXPECT_CONTAINS(load_error(big), "weights.bin: 8589934592 bytes, more than the");
}

}  // namespace
}  // namespace bitshift
