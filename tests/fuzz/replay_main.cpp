// fuzz_replay NAME PATH...: runs harness NAME (BITSHIFT_FUZZ_TARGET) over each file, or each file
// of each folder, without libFuzzer. The ordinary build's tests use it so that the seed corpus
// and every input a fuzzer once found (tests/fuzz/regressions/NAME/) are checked by the same
// rule on every CI run; a finding aborts with the rule's message after the file's name.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_common.h"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc < 3) {
    std::fprintf(stderr, "usage: fuzz_replay NAME PATH...\nharnesses:");
    for (const auto& [name, target] : bitshift::fuzz::targets()) std::fprintf(stderr, " %s", name.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  const auto found = bitshift::fuzz::targets().find(argv[1]);
  if (found == bitshift::fuzz::targets().end()) {
    std::fprintf(stderr, "fuzz_replay: no harness '%s'\n", argv[1]);
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    if (fs::is_directory(argv[i])) {
      for (const auto& e : fs::directory_iterator(argv[i]))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (fs::is_regular_file(argv[i])) {
      files.push_back(argv[i]);
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    std::printf("%s\n", f.c_str());
    std::fflush(stdout);
    std::ifstream in(f, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    found->second(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: %zu inputs, no finding\n", argv[1], files.size());
  return files.empty() ? 1 : 0;
}
