#pragma once
// Runs bitshift-cli as a user does (a shell command), capturing exit code, stdout and stderr.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace {

struct CliRun {
  int exit_code;
  std::string out;  // stdout
  std::string err;  // stderr
};

CliRun cli(const std::string& args) {
  const std::string err_path =
      std::string(BITSHIFT_TEST_TMP) + "/cli-stderr-" + std::to_string(::getpid()) + ".txt";
  const std::string cmd = std::string(BITSHIFT_CLI) + " " + args + " 2>" + err_path;
  CliRun r{};
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  FILE* e = std::fopen(err_path.c_str(), "r");
  while (e && (n = std::fread(buf.data(), 1, buf.size(), e)) > 0) r.err.append(buf.data(), n);
  if (e) std::fclose(e);
  std::remove(err_path.c_str());
  return r;
}

// A whole file's bytes ("" when it cannot be read).
std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string tmp(const std::string& name) { return std::string(BITSHIFT_TEST_TMP) + "/" + name; }

// A model file written by the real exporters (tests/core/import/make_fixtures.py).
std::string fixture(const std::string& file) {
  return std::string(BITSHIFT_IMPORT_FIXTURES) + "/" + file;
}

}  // namespace
