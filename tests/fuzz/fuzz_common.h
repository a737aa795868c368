#pragma once
// What every libFuzzer harness shares (tests/fuzz/README.md): the input handed to a loader the
// way a user hands it over (as a file), and the rule each run checks. A loader may accept the
// input, or refuse it with the project's own error naming the file; anything else (another
// exception type, so library text reaching the user, or a message without the file) aborts,
// and libFuzzer keeps the input as a crash. Crashes, leaks, timeouts and allocations over
// -malloc_limit_mb are libFuzzer's and the sanitizers' own findings.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

// BITSHIFT_FUZZ_TARGET(name) { ... } defines a harness's body over `data` and `size`. Built for
// libFuzzer (BITSHIFT_FUZZ_LIBFUZZER) it is LLVMFuzzerTestOneInput; otherwise it registers the
// body by name for fuzz_replay, which runs the seed corpus and the regression inputs of every
// harness in the ordinary build (replay_main.cpp).
#ifdef BITSHIFT_FUZZ_LIBFUZZER
#define BITSHIFT_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
#else
#define BITSHIFT_FUZZ_TARGET(name)                                                        \
  static int fuzz_target_##name(const uint8_t* data, size_t size);                       \
  static const bool fuzz_registered_##name = bitshift::fuzz::register_target(#name, fuzz_target_##name); \
  static int fuzz_target_##name(const uint8_t* data, size_t size)
#endif

namespace bitshift::fuzz {

using Target = int (*)(const uint8_t* data, size_t size);

// Every harness linked into this program, by name.
inline std::map<std::string, Target>& targets() {
  static std::map<std::string, Target> all;
  return all;
}

inline bool register_target(const char* name, Target target) {
  targets()[name] = target;
  return true;
}

// A folder of this process's own, removed at exit (the string is never destroyed, so the exit
// handler can still read it).
inline const std::string& scratch_dir() {
  static const std::string& dir = *new std::string([] {
    namespace fs = std::filesystem;
    const fs::path p = fs::temp_directory_path() / ("bitshift-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(p);
    std::atexit([] { std::error_code ec; std::filesystem::remove_all(scratch_dir(), ec); });
    return p.string();
  }());
  return dir;
}

// Writes `size` bytes to scratch_dir()/name and returns the path.
inline std::string write_input(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = scratch_dir() + "/" + name;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

[[noreturn]] inline void finding(const char* what, const std::string& detail) {
  std::fprintf(stderr, "\nFINDING: %s\n  %s\n", what, detail.c_str());
  std::abort();
}

// Runs `load`. A `Refusal` (the loader's documented error type) whose message contains
// `must_name` passes; any other exception is a finding.
template <class Refusal, class Fn>
void expect_accept_or_refuse(const std::string& must_name, Fn&& load) {
  try {
    load();
  } catch (const Refusal& e) {
    const std::string message = e.what();
    if (message.find(must_name) == std::string::npos)
      finding("a refusal that does not name the input", "expected '" + must_name + "' in: " + message);
  } catch (const std::exception& e) {
    finding("an error of another type than the loader's own (library text reaches the user)", e.what());
  } catch (...) {
    finding("a non-standard exception", "");
  }
}

}  // namespace bitshift::fuzz
