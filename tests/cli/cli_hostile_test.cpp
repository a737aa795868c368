// Files a careless user or an attacker hands over: a FIFO, a device, a sparse giant, JSON
// nested 200,000 deep. Each is refused at once with exit code 2 and a message naming the file;
// none hangs, exhausts memory or overflows the stack.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_run.h"

namespace {

std::string fresh(const std::string& name) {
  const std::string path = tmp(name);
  std::remove(path.c_str());
  return path;
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST(HostileFiles, AFifoAsModelIsRefusedAtOnceNamingIt) {
  const std::string fifo = fresh("hostile-fifo.bsck");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const CliRun r = cli("summary --model " + fifo);  // reading it would wait for a writer forever
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'" + fifo + "' is not a regular file"), std::string::npos) << r.err;
}

TEST(HostileFiles, ALinkToDevZeroIsRefusedNamingIt) {
  const std::string link = fresh("hostile-zero.bsck");
  ASSERT_EQ(::symlink("/dev/zero", link.c_str()), 0);
  const CliRun r = cli("eval --model " + link);  // reading it would never end
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'" + link + "' is not a regular file"), std::string::npos) << r.err;
}

TEST(HostileFiles, ASparseFiveGigabyteCheckpointIsRefusedBeforeAnythingIsRead) {
  const std::string big = fresh("hostile-sparse.bsck");
  write_text(big, "BSCKPT01");
  ASSERT_EQ(::truncate(big.c_str(), 5LL << 30), 0);  // 5 GiB of holes: no disk used
  const CliRun r = cli("summary --model " + big);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'" + big + "' is 5368709120 bytes, more than the 4294967296"), std::string::npos) << r.err;
  std::remove(big.c_str());
}

TEST(HostileFiles, JsonNestedTwoHundredThousandDeepIsRefusedNamingTheFile) {
  const std::string plan = fresh("hostile-deep-plan.json");
  write_text(plan, "{\"plan\": " + nested(200000) + "}");
  const CliRun p = cli("cost --model lenet5 --plan " + plan);
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_NE(p.err.find("plan file '" + plan + "' is nested more than 256 levels deep"), std::string::npos) << p.err;

  const std::string record = fresh("hostile-deep-record.json");
  write_text(record, "{\"top1\": 1, \"config\": " + nested(200000) + "}");
  const CliRun c = cli("compare " + record);
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_NE(c.err.find("run record '" + record + "' is nested more than 256 levels deep"), std::string::npos) << c.err;
  // Nesting within the limit is still read (as a plan it is then the wrong shape).
  write_text(plan, "{\"plan\": " + nested(200) + "}");
  const CliRun ok = cli("cost --model lenet5 --plan " + plan);
  EXPECT_EQ(ok.err.find("nested more than"), std::string::npos) << ok.err;
}

TEST(HostileFiles, AnUnwritableOutIsFoundBeforeTraining) {
  // Before the change, quantize calibrated and trained first and failed at the end.
  const auto start = std::chrono::steady_clock::now();
  const CliRun q = cli("quantize --model lenet5 --method lsq --bits w4a4 --epochs 5 --out /nonexistent-folder/q.bsck");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(q.exit_code, 2);
  EXPECT_NE(q.err.find("cannot write '/nonexistent-folder/q.bsck': folder '/nonexistent-folder' does not exist"),
            std::string::npos) << q.err;
  EXPECT_EQ(q.err.find("top-1"), std::string::npos) << "it trained first: " << q.err;
  EXPECT_LT(seconds, 30.0);  // five epochs of LeNet-5 take minutes
  const CliRun t = cli("train --model lenet5 --epochs 1 --out " + std::string(BITSHIFT_TEST_TMP));
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_NE(t.err.find("it is a folder"), std::string::npos) << t.err;
}

TEST(HostileFiles, ASecondRunWithTheSameOutIsRefusedWhileTheFirstWrites) {
  const std::string out = fresh("hostile-locked.bsck");
  const std::string first = std::string(BITSHIFT_CLI) + " quantize --model lenet5 --method lsq --bits w4a4 "
                            "--epochs 20 --train-limit 8192 --test-limit 100 --out " + out;
  ASSERT_EQ(std::system(("(" + first + " >/dev/null 2>&1 &)").c_str()), 0);
  // Wait until the first run holds its lock (it takes it before calibrating).
  for (int i = 0; i < 400 && !std::ifstream(out + ".lock").good(); ++i) ::usleep(50'000);
  ::usleep(500'000);
  const CliRun second = cli("quantize --model lenet5 --method lsq --bits w4a4 --epochs 1 --out " + out);
  std::system(("pkill -f -- '--out " + out + "'").c_str());
  EXPECT_EQ(second.exit_code, 2);
  EXPECT_NE(second.err.find("'" + out + "' is being written by another run"), std::string::npos) << second.err;
}

TEST(HostileFiles, ExportToAFolderThatIsNotABundleIsRefusedBeforeAnyWork) {
  // Before: lowering, test vectors and the agreement ran first, then the writer refused.
  const std::string folder = tmp("not-a-bundle");
  std::filesystem::create_directories(folder);
  write_text(folder + "/thesis.tex", "precious");
  const std::string ck = tmp("hostile-export.bsck");
  ASSERT_EQ(cli("quantize --model lenet5 --method minmax --bits w4a8 --edges quantized --test-limit 100 --out " + ck)
                .exit_code, 0);
  const CliRun r = cli("export --model " + ck + " --out " + folder);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exists and is not an export bundle"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("agreement"), std::string::npos) << "it measured first: " << r.err;
  EXPECT_EQ(read_text(folder + "/thesis.tex"), "precious");
}

TEST(HostileFiles, ExportIntoAFolderThatDoesNotExistYetMakesIt) {
  // The lock beside the bundle needs its folder: a fresh --out path must still export.
  const std::string root = tmp("export-fresh-parent");
  std::filesystem::remove_all(root);
  const std::string ck = tmp("hostile-export-fresh.bsck");
  ASSERT_EQ(cli("quantize --model lenet5 --method minmax --bits w4a8 --edges quantized --test-limit 100 --out " + ck)
                .exit_code, 0);
  const CliRun r = cli("export --model " + ck + " --out " + root + "/a/b/bundle --agreement-images 100 --no-verify");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(root + "/a/b/bundle/MANIFEST.json"));
}
