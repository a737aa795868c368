#pragma once
// Data-parallel runs from the command line. `--nproc N` starts N local replicas of the same
// command (this process then only watches them); `--world-size W --rank R --master HOST:PORT`,
// or torchrun's MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK, make this process one replica of
// a run spread over hosts.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "dist/replicas.h"
#include "util/output_lock.h"

namespace bitshift::cli {

// The options above, for the commands that train.
std::vector<OptionSpec> replica_options();

// With --nproc N > 1: runs `command` N times as local replicas on 127.0.0.1 (the same
// arguments, --nproc replaced by --world-size/--rank/--master), prints what a failing replica
// did, stops the others, and returns the exit code (0 when all succeed). Without: nullopt.
std::optional<int> run_local_replicas(const std::string& command, const std::vector<std::string>& argv,
                                      const Args& args);

// This process's replicas from the options or the environment; null when the run is one
// process. Throws Error when the rendezvous fails (port in use, master unreachable).
std::shared_ptr<Replicas> join_from(const Args& args);

// What a run that writes `checkpoint` and `record` does before any work, on the replica that
// writes (rank 0 or a lone process; null elsewhere): checks both can be written and locks the
// checkpoint's name for the run's lifetime. Throws Error naming the path.
std::unique_ptr<OutputLock> claim_outputs(bool writes, const std::string& checkpoint, const std::string& record);

// --batchnorm sync|local (default sync); throws UsageError for another value.
bool sync_batchnorm_of(const Args& args);

}  // namespace bitshift::cli
