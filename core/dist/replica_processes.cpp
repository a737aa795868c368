#include "dist/replica_processes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "util/error.h"

namespace bitshift {

pid_t start_replica_process(const std::vector<std::string>& args, bool quiet) {
  require(!args.empty(), "no program to start as a replica");
  // Everything the child needs is made before fork: in a threaded parent (the studio, LibTorch's
  // pools) the child may call nothing that allocates or locks until exec.
  std::vector<char*> c_args;
  for (const auto& a : args) c_args.push_back(const_cast<char*>(a.c_str()));
  c_args.push_back(nullptr);
  static const char kExecFailed[] = "bitshift: cannot start a replica process (exec failed)\n";
  const pid_t pid = ::fork();
  require(pid >= 0, "cannot start a replica process: fork failed");
  if (pid > 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // dies with its parent
  if (quiet) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, STDOUT_FILENO);
  }
  ::execv(c_args[0], c_args.data());
  [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, kExecFailed, sizeof kExecFailed - 1);
  ::_exit(127);
}

void stop_replicas(const std::vector<pid_t>& pids, int grace_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds);
  for (pid_t p : pids) {
    if (p <= 0) continue;
    int status = 0;
    while (::waitpid(p, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(p, SIGKILL);
        ::waitpid(p, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status))
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

std::string find_cli() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (const char* set = std::getenv("BITSHIFT_CLI"); set != nullptr && *set != '\0') candidates.push_back(set);
  if (!ec) {
    candidates.push_back(self.parent_path() / "bitshift-cli");
    candidates.push_back(self.parent_path().parent_path() / "bitshift-cli");
  }
  if (const char* path = std::getenv("PATH"))
    for (std::string dirs = path; !dirs.empty();) {
      const size_t colon = dirs.find(':');
      candidates.push_back(fs::path(dirs.substr(0, colon)) / "bitshift-cli");
      dirs = colon == std::string::npos ? "" : dirs.substr(colon + 1);
    }
  for (const auto& c : candidates)
    if (::access(c.c_str(), X_OK) == 0) return c.string();
  throw Error("bitshift-cli, which runs the other replicas, is not installed beside this program or on PATH");
}

}  // namespace bitshift
