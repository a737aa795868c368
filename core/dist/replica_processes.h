#pragma once
// Replicas as local processes: started with fork/exec, and stopped with their parent (a replica
// never outlives the process that started it). Used by `bitshift-cli --nproc` and by the
// studio, which is itself rank 0 of the runs it spreads.
#include <sys/types.h>

#include <string>
#include <vector>

namespace bitshift {

// Starts `args` (args[0] is the program's path) as a child; its stdout goes to /dev/null when
// `quiet` (stderr is kept). Throws Error when fork fails.
pid_t start_replica_process(const std::vector<std::string>& args, bool quiet);

// Gives each of `pids` (entries <= 0 are skipped) up to `grace_seconds` in all to exit on its
// own (replicas notice a lost peer), then kills those still running; reaps every one.
void stop_replicas(const std::vector<pid_t>& pids, int grace_seconds);

// "exited with code 3", "was killed by signal 9 (Killed)".
std::string describe_exit(int wait_status);

// The bitshift-cli installed with the running program: $BITSHIFT_CLI when set, else beside it,
// one folder up (the build tree: app/studio/bitshift and app/bitshift-cli), or on PATH. Throws
// Error if none is found.
std::string find_cli();

}  // namespace bitshift
