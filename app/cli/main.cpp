// bitshift-cli: the studio's headless front end. `bitshift-cli --help` lists the subcommands.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/common.h"
#include "util/error.h"

using namespace bitshift::cli;

static void print_main_help() {
  std::printf(
      "Usage: bitshift-cli [COMMAND] [OPTIONS]\n\n"
      "Bitshift %s: quantize CNNs for FPGAs. Without a command, runs the default job.\n\n"
      "Commands:\n",
      BITSHIFT_VERSION);
  int width = 0;
  for (const auto& c : commands()) width = std::max(width, static_cast<int>(std::strlen(c.name)));
  for (const auto& c : commands()) std::printf("  %-*s  %s\n", width, c.name, c.summary);
  std::printf("\nRun 'bitshift-cli COMMAND --help' for a command's options.\n"
              "Exit codes: 0 success, 1 a check failed, 2 bad input or usage.\n");
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string name = "run";
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    name = args[0];
    args.erase(args.begin());
  } else if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    print_main_help();
    return kExitOk;
  } else if (!args.empty() && args[0] == "--version") {
    std::printf("bitshift-cli %s\n", BITSHIFT_VERSION);
    return kExitOk;
  }
  for (const auto& c : commands()) {
    if (name != c.name) continue;
    try {
      return c.run(args);
    } catch (const UsageError& e) {
      std::fprintf(stderr, "bitshift-cli %s: %s\nTry 'bitshift-cli %s --help'.\n", c.name,
                   e.what(), c.name);
      return kExitBadInput;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bitshift-cli %s: error: %s\n", c.name, e.what());
      return kExitBadInput;
    }
  }
  std::fprintf(stderr, "bitshift-cli: unknown command '%s'\nTry 'bitshift-cli --help'.\n",
               name.c_str());
  return kExitBadInput;
}
