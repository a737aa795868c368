#include "cli/replicas_cli.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "dist/gloo_replicas.h"
#include "dist/replica_processes.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace bitshift::cli {

namespace {

constexpr int kDefaultTimeoutSeconds = 60;
constexpr int kMaxLocalReplicas = 256;

// "HOST:PORT" into the config; throws UsageError naming the text.
void parse_master(const std::string& text, DistConfig& c) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw UsageError("--master '" + text + "': expected HOST:PORT, e.g. 10.0.0.1:29500");
  c.master_host = text.substr(0, colon);
  try {
    size_t used = 0;
    c.master_port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) throw std::invalid_argument("trailing text");
  } catch (const std::exception&) {
    throw UsageError("--master '" + text + "': the port is not a number");
  }
}

// argv without --nproc (as "--nproc N" or "--nproc=N").
std::vector<std::string> without_nproc(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--nproc") {
      ++i;
      continue;
    }
    if (argv[i].rfind("--nproc=", 0) == 0) continue;
    out.push_back(argv[i]);
  }
  return out;
}

}  // namespace

std::vector<OptionSpec> replica_options() {
  return {{"nproc", "N", "run on N local processes (data-parallel; --batch-size is the global batch)"},
          {"world-size", "W", "processes in a multi-host run (or WORLD_SIZE)"},
          {"rank", "R", "this process's rank in [0, W) (or RANK); rank 0 writes the files"},
          {"master", "HOST:PORT", "where rank 0 listens (or MASTER_ADDR, MASTER_PORT; default 127.0.0.1:29500)"},
          {"dist-timeout", "S", "seconds before a silent replica fails the run (default 60)"},
          {"batchnorm", "sync|local", "replicas: BatchNorm statistics over the global batch (default) or their own rows"}};
}

std::optional<int> run_local_replicas(const std::string& command, const std::vector<std::string>& argv,
                                      const Args& args) {
  sync_batchnorm_of(args);  // a bad value is a usage error before any replica starts
  if (!args.has("nproc")) return std::nullopt;
  const int n = args.get_int("nproc", 1);
  if (n < 1 || n > kMaxLocalReplicas)
    throw UsageError("--nproc must be in 1.." + std::to_string(kMaxLocalReplicas) + ", got " +
                     args.get("nproc"));
  if (args.has("world-size") || args.has("rank") || args.has("master"))
    throw UsageError("--nproc starts its own replicas; it does not go with --world-size, --rank or --master");
  if (n == 1) return std::nullopt;

  std::vector<std::string> child = {"/proc/self/exe", command};
  for (const auto& a : without_nproc(argv)) child.push_back(a);
  // The cores are shared out: N replicas of one thread each on N cores, unless told.
  if (!args.has("threads")) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    child.insert(child.end(), {"--threads", std::to_string(std::max(1, cores / n))});
  }
  const int port = free_local_port();
  child.insert(child.end(), {"--world-size", std::to_string(n), "--master", "127.0.0.1:" + std::to_string(port)});

  std::vector<pid_t> pids;
  for (int r = 0; r < n; ++r) {
    auto a = child;
    a.insert(a.end(), {"--rank", std::to_string(r)});
    pids.push_back(start_replica_process(a, /*quiet=*/r != 0));  // rank 0 speaks for the run
  }
  // Wait for all; after the first failure the others get the collective timeout to fail on
  // their own (they notice the lost replica), then they are killed.
  int exit_code = 0;
  for (int running = n; running > 0;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) break;
    const int rank = static_cast<int>(std::find(pids.begin(), pids.end(), pid) - pids.begin());
    if (rank == n) continue;  // not one of ours
    --running;
    pids[rank] = -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
    std::fprintf(stderr, "bitshift-cli %s: replica rank %d of %d (pid %d) %s; stopping the others\n",
                 command.c_str(), rank, n, static_cast<int>(pid), describe_exit(status).c_str());
    exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    stop_replicas(pids, args.get_int("dist-timeout", kDefaultTimeoutSeconds));
    break;
  }
  return exit_code;
}

std::unique_ptr<OutputLock> claim_outputs(bool writes, const std::string& checkpoint, const std::string& record) {
  if (!writes) return nullptr;
  require_writable(checkpoint);
  require_writable(record);
  return std::make_unique<OutputLock>(checkpoint);
}

bool sync_batchnorm_of(const Args& args) {
  const std::string v = args.get("batchnorm", "sync");
  if (v != "sync" && v != "local") throw UsageError("--batchnorm '" + v + "': expected sync or local");
  return v == "sync";
}

std::shared_ptr<Replicas> join_from(const Args& args) {
  DistConfig c;
  try {
    c = dist_config_from_env(c);
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  if (args.has("world-size")) c.world_size = args.get_int("world-size", 1);
  if (args.has("rank")) c.rank = args.get_int("rank", 0);
  if (args.has("master")) parse_master(args.get("master"), c);
  c.timeout_seconds = args.get_int("dist-timeout", kDefaultTimeoutSeconds);
  try {
    validate(c);
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  if (c.world_size == 1) return nullptr;
  return join_replicas(c);
}

}  // namespace bitshift::cli
